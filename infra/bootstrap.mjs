#!/usr/bin/env node
// The root npm scripts (`npm start`, `npm stop`, `npm test`) on a machine that may have only
// Node.js and npm: install the pinned pnpm and the packages, then hand over to the TypeScript
// tools. No dependencies of its own, since it runs before any are installed.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager // pnpm@x.y.z
const pnpmVersion = pinned.split('@')[1]
const localTools = join(root, '.data', 'tools')

function run (cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts })
  if (r.error) throw r.error
  return r.status ?? 1
}

function pnpmAt (bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.trim() === pnpmVersion
}

/**
 * The pinned pnpm: already on the PATH, else installed globally with npm (so the README's
 * `pnpm lienthong …` works in the user's shell), else — where the global folder is not writable —
 * into .data/tools, with a hint for the PATH.
 */
function ensurePnpm () {
  if (pnpmAt('pnpm')) return 'pnpm'
  const local = join(localTools, 'bin', 'pnpm')
  if (existsSync(local) && pnpmAt(local)) return local
  // corepack's signature check fails against this registry, so npm installs the pinned pnpm.
  process.stderr.write(`[bootstrap] installing pnpm ${pnpmVersion} with npm\n`)
  if (run('npm', ['install', '--global', '--no-audit', '--no-fund', `pnpm@${pnpmVersion}`]) === 0 && pnpmAt('pnpm')) return 'pnpm'
  process.stderr.write('[bootstrap] the global npm folder is not writable; installing pnpm into .data/tools\n')
  mkdirSync(localTools, { recursive: true })
  if (run('npm', ['install', '--global', '--prefix', localTools, '--no-audit', '--no-fund', `pnpm@${pnpmVersion}`]) !== 0) {
    throw new Error('could not install pnpm with npm')
  }
  process.stderr.write(`[bootstrap] for \`pnpm\` in your shell: export PATH="${join(localTools, 'bin')}:$PATH"\n`)
  return local
}

function main () {
  const command = process.argv[2]
  const pnpm = ensurePnpm()
  const env = { ...process.env, PATH: [join(localTools, 'bin'), process.env.PATH].join(delimiter) }
  const install = run(pnpm, ['install', '--frozen-lockfile', '--reporter=append-only'], { env })
  if (install !== 0) process.exit(install)
  const tool = {
    start: ['lienthong', 'up'],
    stop: ['lienthong', 'down'],
    test: ['exec', 'node', '--import', 'tsx', 'test/run-all.ts']
  }[command]
  if (tool === undefined) {
    process.stderr.write('usage: node infra/bootstrap.mjs start|stop|test\n')
    process.exit(2)
  }
  const child = spawn(pnpm, [...tool, ...process.argv.slice(3)], { cwd: root, stdio: 'inherit', env })
  // Ctrl-C reaches the child through the terminal's process group; a SIGTERM is passed on.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  child.on('exit', (code, signal) => process.exit(code ?? (signal !== null ? 1 : 0)))
}

main()
