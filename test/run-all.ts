// `npm test`: Debian's chromium for the dashboard's browser test (installed when missing, like the
// servers), the project's own PostgreSQL for tests (unless DATABASE_URL names one), then every
// tap test. NATS is started per test file by the harness (unless NATS_URL names a server, and then
// the files run one at a time, since they share its streams).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PROGRAMS_BUILT_IN, SERVICE_NAMES, buildPrograms, ensureDebianPackages, ensureServers, repoRoot, stopServers } from '@lienthong/infra'

await ensureDebianPackages({ postgres: false, nats: false, chromium: true })
const { databaseUrl } = await ensureServers('test', process.env, { nats: false })
// The services and the CLI built once for the whole run: otherwise each file that starts them builds them again.
const built = mkdtempSync(join(tmpdir(), 'lienthong-programs-'))
await buildPrograms([...SERVICE_NAMES, 'cli'], built)
const shared = process.env.NATS_URL !== undefined && process.env.NATS_URL !== ''
const args = [...(shared ? ['--jobs=1'] : []), ...process.argv.slice(2)]
const child = spawn('tap', args, {
  cwd: repoRoot,
  stdio: 'inherit',
  env: {
    // tap's ts-node transpiles with esbuild (see test/harness/esbuild-transpiler.cjs)
    TS_NODE_PROJECT: join(repoRoot, 'test', 'harness', 'tsconfig.tap.json'),
    ...process.env,
    DATABASE_URL: databaseUrl,
    [PROGRAMS_BUILT_IN]: built
  }
})
child.on('exit', (code) => {
  rmSync(built, { recursive: true, force: true })
  // Unless DATABASE_URL named a server, npm test leaves no server of its own running.
  const stop = process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === '' ? stopServers('test') : Promise.resolve()
  void stop.finally(() => process.exit(code ?? 1))
})
