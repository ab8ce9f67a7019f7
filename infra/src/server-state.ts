import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerProfile } from './profiles.ts';

/** What `stop` and `status` need to know about the last `start`: the data folder may be the tmpdir fallback. */
export interface ServerState {
  postgresDataDir?: string;
  /** set when the profile's usual port was taken and another was used */
  postgresPort?: number;
}

function stateFile(profile: ServerProfile): string {
  return join(profile.baseDir, 'servers.json');
}

export function readServerState(profile: ServerProfile): ServerState {
  try {
    const parsed: unknown = JSON.parse(readFileSync(stateFile(profile), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { postgresDataDir, postgresPort } = parsed as Record<string, unknown>;
    return {
      ...(typeof postgresDataDir === 'string' ? { postgresDataDir } : {}),
      ...(typeof postgresPort === 'number' ? { postgresPort } : {}),
    };
  } catch {
    return {};
  }
}

export function writeServerState(profile: ServerProfile, state: ServerState): void {
  mkdirSync(profile.baseDir, { recursive: true });
  writeFileSync(stateFile(profile), `${JSON.stringify(state, null, 2)}\n`);
}
