import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true } catch { return false }
}

t.test('a service started over IPC stops when its supervisor is killed outright', async (t) => {
  const supervisor = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/supervisor.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] })
  let servicePid = 0
  t.teardown(() => {
    if (supervisor.exitCode === null) supervisor.kill('SIGKILL')
    if (servicePid !== 0 && alive(servicePid)) process.kill(servicePid, 'SIGKILL')
  })
  const [line] = await once(supervisor.stdout!, 'data') as [Buffer]
  servicePid = Number(line.toString().trim())
  t.ok(servicePid > 0 && alive(servicePid), 'the service runs')
  supervisor.kill('SIGKILL')
  await once(supervisor, 'exit')
  const deadline = Date.now() + 15_000
  while (alive(servicePid) && Date.now() < deadline) await sleep(50)
  t.notOk(alive(servicePid), 'the service stopped by itself once its supervisor was gone')
})
