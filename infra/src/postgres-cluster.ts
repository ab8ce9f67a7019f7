import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportProgress } from './progress.ts';
import { CommandFailedError } from './run-command.ts';
import { handToPostgresUser, runAsPostgresUser } from './postgres-os-user.ts';

export const postgresSuperuser = 'lienthong';

// Our settings live in their own file, included from postgresql.conf, so a port change only
// rewrites this file and initdb's defaults stay untouched for comparison.
const settingsFileName = 'lienthong.conf';

export function clusterExists(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

function emptyFolder(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** initdb into an existing, postgres-owned, empty folder. */
export async function initCluster(binDir: string, dataDir: string): Promise<void> {
  reportProgress(`initialising PostgreSQL cluster in ${dataDir}`);
  const initdb = join(binDir, 'initdb');
  const common = ['-D', dataDir, '-U', postgresSuperuser, '--auth=trust', '--encoding=UTF8'];
  let result = await runAsPostgresUser(initdb, [...common, '--locale=C.UTF-8']);
  if (result.code !== 0) {
    // Older glibc or minimal images lack the C.UTF-8 locale; plain C with UTF8 encoding still works.
    reportProgress('initdb with locale C.UTF-8 failed; retrying with locale C');
    emptyFolder(dataDir);
    result = await runAsPostgresUser(initdb, [...common, '--locale=C']);
  }
  if (result.code !== 0) throw new CommandFailedError(`${initdb} ${common.join(' ')} --locale=C`, result);
}

export async function writeClusterSettings(dataDir: string, port: number, throwaway = false): Promise<void> {
  const settings = [
    '# Written by infra/src/postgres-cluster.ts on every start; edits here are overwritten.',
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    // No Unix socket: deep project paths overflow the 107-byte socket path limit, and TCP is all we use.
    "unix_socket_directories = ''",
    'max_connections = 200',
    // A throwaway cluster (tests) does not wait for the disk: a crash may lose it, nothing else.
    ...(throwaway ? ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'] : []),
    '',
  ].join('\n');
  const settingsFile = join(dataDir, settingsFileName);
  writeFileSync(settingsFile, settings);

  const mainConf = join(dataDir, 'postgresql.conf');
  const includeLine = `include_if_exists = '${settingsFileName}'`;
  if (!readFileSync(mainConf, 'utf8').includes(includeLine)) appendFileSync(mainConf, `\n${includeLine}\n`);
  await handToPostgresUser(settingsFile);
}
