import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { builtProgram, repoRoot } from '@lienthong/infra'

const run = promisify(execFile)

/**
 * `pnpm lienthong …` as a user types it, but the CLI built once for the suite and run by node:
 * pnpm and tsx cost about a second and a half of CPU on every call, and the tests make dozens.
 * (One test still goes through `pnpm lienthong`, for the script itself.) Rejects as execFile
 * does when the CLI exits with an error: `code`, `stdout` and `stderr` on the error.
 */
export async function lienthong (args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string, stderr: string }> {
  return await run(process.execPath, ['--enable-source-maps', await builtProgram('cli'), ...args], { cwd: repoRoot, env })
}
