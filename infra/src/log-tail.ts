import { readFileSync } from 'node:fs';

/** The last lines of a server log, to put the actual cause into start-up errors. */
export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}
