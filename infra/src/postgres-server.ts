import { appendFileSync, chmodSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findPostgresBinDir, requirePostgresBinDir } from './installed-binaries.ts';
import { logTail } from './log-tail.ts';
import { isPortOpen } from './port-probe.ts';
import { clusterExists, initCluster, postgresSuperuser, writeClusterSettings } from './postgres-cluster.ts';
import {
  DataDirNotTraversableError,
  findUntraversableDir,
  handToPostgresUser,
  makeTraversableDir,
  runAsPostgresUser,
  runAsPostgresUserOrThrow,
  runsAsRoot,
} from './postgres-os-user.ts';
import { ensureDatabase, servedDataDir } from './postgres-queries.ts';
import { reportProgress } from './progress.ts';

export interface PostgresLocation {
  dataDir: string;
  port: number;
  /**
   * A cluster whose data nobody needs after a crash (the test profile's): it skips the flushes to
   * disk that make a commit durable, which are most of what creating a database per test file,
   * migrating five schemas and dropping it again cost. Never for a cluster that holds documents.
   */
  throwaway?: boolean;
}

export const databaseName = 'lienthong';

export function postgresUrl(port: number): string {
  return `postgres://${postgresSuperuser}@127.0.0.1:${port}/${databaseName}`;
}

/** The log sits next to the data folder, not in it, so wiping a cluster need not lose why it died. */
export function postgresLogFile(dataDir: string): string {
  return join(dirname(resolve(dataDir)), 'postgres.log');
}

async function clusterRunning(binDir: string, dataDir: string): Promise<boolean> {
  // pg_ctl status: 0 running, 3 not running, 4 no usable data folder.
  const result = await runAsPostgresUser(join(binDir, 'pg_ctl'), ['-D', dataDir, 'status']);
  return result.code === 0;
}

async function answersFor(binDir: string, port: number, dataDir: string): Promise<boolean> {
  const served = await servedDataDir(binDir, port);
  if (served === undefined) return false;
  return served === dataDir || served === realpathSync(dataDir);
}

async function prepareDataDir(binDir: string, dataDir: string): Promise<void> {
  makeTraversableDir(dirname(dataDir));
  const blocking = await findUntraversableDir(dirname(dataDir));
  if (blocking) throw new DataDirNotTraversableError(dataDir, blocking);
  if (clusterExists(dataDir)) return;
  makeTraversableDir(dataDir);
  // initdb would tighten this itself, but only when it owns the folder; be explicit.
  chmodSync(dataDir, 0o700);
  await handToPostgresUser(dataDir);
  await initCluster(binDir, dataDir);
}

/** The port is held by another program (another checkout's server, say). */
export class PortTakenError extends Error {
  constructor(readonly port: number, dataDir: string) {
    super(`port ${port} is already taken by another program; PostgreSQL for ${dataDir} cannot listen there`);
  }
}

async function startCluster(binDir: string, dataDir: string, port: number, throwaway: boolean): Promise<void> {
  if (await isPortOpen(port)) throw new PortTakenError(port, dataDir);
  await writeClusterSettings(dataDir, port, throwaway);
  const logFile = postgresLogFile(dataDir);
  if (runsAsRoot()) {
    // pg_ctl opens the log as the postgres user, inside a folder root owns.
    appendFileSync(logFile, '');
    await handToPostgresUser(logFile);
  }
  reportProgress(`starting PostgreSQL on 127.0.0.1:${port} (data ${dataDir}, log ${logFile})`);
  const result = await runAsPostgresUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']);
  if (result.code !== 0) {
    throw new Error(`PostgreSQL did not start (pg_ctl exit ${result.code}); see ${logFile}:\n${logTail(logFile)}`);
  }
}

/**
 * Starts (or reuses) the project's own PostgreSQL cluster in `dataDir`, listening only on
 * 127.0.0.1:`port`, and makes sure database "lienthong" exists.
 */
export async function startPostgres(location: PostgresLocation): Promise<{ url: string }> {
  const binDir = requirePostgresBinDir();
  const dataDir = resolve(location.dataDir);
  const { port } = location;
  await prepareDataDir(binDir, dataDir);

  if (await clusterRunning(binDir, dataDir)) {
    if (await answersFor(binDir, port, dataDir)) {
      reportProgress(`PostgreSQL already running on 127.0.0.1:${port} (data ${dataDir})`);
    } else {
      // Running, but not where we expect it (the port changed): restart with the new settings.
      reportProgress(`PostgreSQL for ${dataDir} runs but does not answer on port ${port}; restarting it`);
      await stopPostgres({ dataDir });
      await startCluster(binDir, dataDir, port, location.throwaway === true);
    }
  } else {
    await startCluster(binDir, dataDir, port, location.throwaway === true);
  }
  await ensureDatabase(binDir, port, databaseName);
  return { url: postgresUrl(port) };
}

export async function postgresIsRunning({ dataDir }: { dataDir: string }): Promise<boolean> {
  const binDir = findPostgresBinDir();
  const dir = resolve(dataDir);
  if (!binDir || !clusterExists(dir)) return false;
  return clusterRunning(binDir, dir);
}

/** Stops the cluster in `dataDir` if it runs; does nothing when it does not exist or is stopped. */
export async function stopPostgres({ dataDir }: { dataDir: string }): Promise<void> {
  const binDir = findPostgresBinDir();
  const dir = resolve(dataDir);
  if (!binDir || !clusterExists(dir)) return;
  if (!(await clusterRunning(binDir, dir))) return;
  reportProgress(`stopping PostgreSQL (data ${dir})`);
  await runAsPostgresUserOrThrow(join(binDir, 'pg_ctl'), ['-D', dir, '-m', 'fast', '-w', '-t', '60', 'stop']);
}
