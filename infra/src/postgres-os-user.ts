import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, parse, resolve } from 'node:path';
import { runCommand, runCommandOrThrow, type CommandOptions, type CommandResult } from './run-command.ts';

// initdb, pg_ctl and postgres refuse to run as root, so as root we act through the
// unprivileged "postgres" OS user that Debian's package creates.
const postgresOsUser = 'postgres';

export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Thrown when the postgres OS user cannot reach the data folder, so the caller can pick another place. */
export class DataDirNotTraversableError extends Error {
  constructor(
    readonly dataDir: string,
    readonly blockingDir: string,
  ) {
    super(
      `the "${postgresOsUser}" OS user cannot enter ${blockingDir}, so PostgreSQL cannot use ${dataDir}; ` +
        'use a data folder outside it (or make every parent folder world-executable)',
    );
    this.name = 'DataDirNotTraversableError';
  }
}

/** Runs a PostgreSQL program as the postgres OS user when we are root, otherwise as ourselves. */
export function runAsPostgresUser(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  // cwd "/" keeps postgres from complaining that it cannot enter root's home or working folder.
  const withCwd = { cwd: '/', ...options };
  if (!runsAsRoot()) return runCommand(command, args, withCwd);
  return runCommand('runuser', ['-u', postgresOsUser, '--', command, ...args], withCwd);
}

export async function runAsPostgresUserOrThrow(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const withCwd = { cwd: '/', ...options };
  if (!runsAsRoot()) return runCommandOrThrow(command, args, withCwd);
  return runCommandOrThrow('runuser', ['-u', postgresOsUser, '--', command, ...args], withCwd);
}

export async function handToPostgresUser(path: string): Promise<void> {
  if (!runsAsRoot()) return;
  await runCommandOrThrow('chown', ['-R', `${postgresOsUser}:`, path]);
}

/**
 * Creates the missing folders of `dir` with mode 0755 regardless of umask: a root shell with
 * umask 077 would otherwise make folders the postgres user cannot enter.
 */
export function makeTraversableDir(dir: string): void {
  const missing: string[] = [];
  for (let current = resolve(dir); !existsSync(current); current = dirname(current)) missing.unshift(current);
  for (const folder of missing) {
    mkdirSync(folder, { recursive: true });
    chmodSync(folder, 0o755);
  }
}

/** The first folder from the filesystem root down to `dir` that the postgres user cannot enter. */
export async function findUntraversableDir(dir: string): Promise<string | undefined> {
  if (!runsAsRoot()) return undefined;
  const chain: string[] = [];
  const root = parse(resolve(dir)).root;
  for (let current = resolve(dir); ; current = dirname(current)) {
    chain.unshift(current);
    if (current === root) break;
  }
  // One runuser call for the whole chain, printing the first folder that fails.
  const script = 'for d in "$@"; do test -x "$d" || { printf "%s" "$d"; exit 1; }; done';
  const result = await runAsPostgresUser('sh', ['-c', script, 'sh', ...chain]);
  if (result.code === 0) return undefined;
  return result.stdout || dir;
}
