import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processIsAlive } from './pid-file.ts';
import { reportProgress } from './progress.ts';

const waitLimitMs = 180_000;

function lockHolder(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockAgeMs(lockFile: string): number {
  try {
    return Date.now() - statSync(lockFile).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function tryTakeLock(lockFile: string): boolean {
  try {
    const fd = openSync(lockFile, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

/**
 * Runs `work` while holding a lock file in `dir`: parallel test files calling ensureServers()
 * must not run initdb on the same folder or race for the same port.
 */
export async function withStartLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const lockFile = join(dir, 'servers.lock');
  const deadline = Date.now() + waitLimitMs;
  let announced = false;
  while (!tryTakeLock(lockFile)) {
    const holder = lockHolder(lockFile);
    // A holder that died leaves a stale lock; take it over. An empty file may be a holder
    // between creating and writing it, so only an old one counts as stale.
    if (holder === undefined ? lockAgeMs(lockFile) > 5000 : !processIsAlive(holder)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${lockFile} held by pid ${holder}`);
    if (!announced) reportProgress(`waiting for pid ${holder} to finish starting or stopping servers`);
    announced = true;
    await sleep(200);
  }
  try {
    return await work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}
