import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import {
  DataDirNotTraversableError,
  ensureDebianPackages,
  ensureServers,
  repoRoot,
  startNats,
  startPostgres,
  stopNats,
  stopPostgres,
} from '../src/index.ts';
import { readNatsInfo } from '../src/nats-info.ts';
import { isPortOpen } from '../src/port-probe.ts';
import { runCommand } from '../src/run-command.ts';

// Starting a fresh cluster runs initdb, which takes a few seconds on a slow CI machine.
t.setTimeout(180_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPortClosed(port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (!(await isPortOpen(port))) return true;
    await sleep(100);
  }
  return false;
}

// Under the repo's git-ignored .data so the postgres OS user can usually enter it.
const projectBase = join(repoRoot, '.data', `tmp-infra-test-${process.pid}`);
const fallbackBase = join(tmpdir(), `lienthong-infra-test-${process.pid}`);

t.teardown(() => {
  rmSync(projectBase, { recursive: true, force: true });
  rmSync(fallbackBase, { recursive: true, force: true });
});

t.test('a URL given in the environment is used as is and nothing is started', async (t) => {
  const urls = await ensureServers('test', { DATABASE_URL: 'postgres://somebody@db.example/x', NATS_URL: 'nats://bus.example:4222' });
  t.same(urls, { databaseUrl: 'postgres://somebody@db.example/x', natsUrl: 'nats://bus.example:4222' });
});

const runsAsRoot = process.getuid?.() === 0;
const onlyAsRoot = { skip: runsAsRoot ? false : 'only root hands the cluster to the postgres OS user' };

t.test('a data folder the postgres OS user cannot enter is refused with DataDirNotTraversableError', onlyAsRoot, async (t) => {
  const closed = join(projectBase, 'closed');
  mkdirSync(closed, { recursive: true, mode: 0o700 });
  chmodSync(closed, 0o700);
  await t.rejects(startPostgres({ dataDir: join(closed, 'postgres', 'data'), port: await freePort() }), DataDirNotTraversableError);
});

t.test('starts, reuses and stops our own PostgreSQL and NATS', async (t) => {
  await ensureDebianPackages();
  const postgresPort = await freePort();
  const natsPort = await freePort();
  let base = projectBase;
  let postgres: { url: string };
  try {
    postgres = await startPostgres({ dataDir: join(base, 'postgres', 'data'), port: postgresPort });
  } catch (error) {
    if (!(error instanceof DataDirNotTraversableError)) throw error;
    base = fallbackBase;
    postgres = await startPostgres({ dataDir: join(base, 'postgres', 'data'), port: postgresPort });
  }
  const dataDir = join(base, 'postgres', 'data');
  const storeDir = join(base, 'nats', 'store');
  t.teardown(async () => {
    await stopPostgres({ dataDir });
    await stopNats({ storeDir });
  });

  t.equal(postgres.url, `postgres://lienthong@127.0.0.1:${postgresPort}/lienthong`);
  const answer = await runCommand('psql', [postgres.url, '-X', '-tAc', 'select 1']);
  t.equal(answer.stdout.trim(), '1', `psql select 1 (stderr: ${answer.stderr.trim()})`);

  const nats = await startNats({ storeDir, port: natsPort });
  t.equal(nats.url, `nats://127.0.0.1:${natsPort}`);
  const info = await readNatsInfo(natsPort);
  t.equal(info?.jetstream, true, 'NATS INFO says jetstream: true');

  const startedAt = (await runCommand('psql', [postgres.url, '-X', '-tAc', 'select pg_postmaster_start_time()'])).stdout.trim();
  const postgresAgain = await startPostgres({ dataDir, port: postgresPort });
  t.equal(postgresAgain.url, postgres.url);
  const startedAgainAt = (await runCommand('psql', [postgres.url, '-X', '-tAc', 'select pg_postmaster_start_time()'])).stdout.trim();
  t.equal(startedAgainAt, startedAt, 'starting PostgreSQL again reuses the running server');
  const infoBefore = info?.server_id;
  await startNats({ storeDir, port: natsPort });
  t.equal((await readNatsInfo(natsPort))?.server_id, infoBefore, 'starting NATS again reuses the same server');

  await stopPostgres({ dataDir });
  await stopNats({ storeDir });
  t.ok(await waitForPortClosed(postgresPort), 'PostgreSQL port closed after stop');
  t.ok(await waitForPortClosed(natsPort), 'NATS port closed after stop');

  // Stopping what is already stopped is a no-op.
  await stopPostgres({ dataDir });
  await stopNats({ storeDir });
});
