import { setTimeout as sleep } from 'node:timers/promises'
import { stopServers } from '@lienthong/infra'
import { readStack, writeStack } from '../local-stack.ts'

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch { return false }
}

/** Stops whatever `lienthong up` left running: the foreground process, its services, the servers. */
export async function downCommand (): Promise<void> {
  const stack = readStack()
  const pids = stack?.pids !== undefined ? [stack.pids.up, ...stack.pids.services].filter((p) => p > 0) : []
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + 20_000
  while (pids.some(alive) && Date.now() < deadline) await sleep(100)
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL')
  if (stack?.startedServers !== false) await stopServers('dev')
  writeStack(undefined)
  process.stderr.write('lienthong stopped\n')
}
