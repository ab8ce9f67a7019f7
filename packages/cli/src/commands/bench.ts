import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '@lienthong/infra'

const BENCH_DIR = join(repoRoot, 'test', 'bench')
const SUFFIX = '.bench.ts'

export function availableBenches (): string[] {
  if (!existsSync(BENCH_DIR)) return []
  return readdirSync(BENCH_DIR).filter((f) => f.endsWith(SUFFIX)).map((f) => f.slice(0, -SUFFIX.length)).sort()
}

/**
 * Runs test/bench/<name>.bench.ts in a process of its own, as the services it measures run:
 * a benchmark then never shares an event loop or a JIT warm-up with the CLI.
 */
export async function benchCommand (args: string[]): Promise<void> {
  // `lienthong bench` alone, or with only options, is the whole exchange's bench
  const [name = 'exchange', ...rest] = args[0] === undefined || args[0].startsWith('--') ? ['exchange', ...args] : args
  const known = availableBenches()
  if (!known.includes(name)) throw new Error(`unknown bench "${name}"; available: ${known.join(', ') || 'none'}`)
  const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, `${name}${SUFFIX}`), ...rest], { cwd: repoRoot, stdio: 'inherit' })
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (exitCode, signal) => { resolve(exitCode ?? (signal !== null ? 128 : 1)) })
  })
  if (code !== 0) throw new Error(`bench ${name} exited with ${code}`)
}
