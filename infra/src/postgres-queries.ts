import { join } from 'node:path';
import { postgresSuperuser } from './postgres-cluster.ts';
import { runCommand, runCommandOrThrow, type CommandResult } from './run-command.ts';

// PG* variables from the caller's shell (PGHOST, PGSERVICE, PGOPTIONS…) must not redirect our checks.
function cleanPostgresEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PG')) env[key] = value;
  env.PGCONNECT_TIMEOUT = '5';
  return env;
}

function psqlArgs(port: number, database: string, sql: string): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), '-U', postgresSuperuser, '-d', database, '-X', '-tAc', sql];
}

export function queryPostgres(binDir: string, port: number, database: string, sql: string): Promise<CommandResult> {
  return runCommand(join(binDir, 'psql'), psqlArgs(port, database, sql), { env: cleanPostgresEnv() });
}

/** The data folder of the server answering on `port`, or undefined when none answers as our superuser. */
export async function servedDataDir(binDir: string, port: number): Promise<string | undefined> {
  const result = await queryPostgres(binDir, port, 'postgres', 'show data_directory');
  return result.code === 0 ? result.stdout.trim() : undefined;
}

export async function ensureDatabase(binDir: string, port: number, name: string): Promise<void> {
  const found = await runCommandOrThrow(join(binDir, 'psql'), psqlArgs(port, 'postgres', `select 1 from pg_database where datname = '${name}'`), {
    env: cleanPostgresEnv(),
  });
  if (found.stdout.trim() === '1') return;
  const created = await queryPostgres(binDir, port, 'postgres', `create database "${name}"`);
  // A concurrent start may have created it between our check and our create.
  if (created.code !== 0 && !created.stderr.includes('already exists')) {
    throw new Error(`could not create database ${name}: ${created.stderr.trim()}`);
  }
}
