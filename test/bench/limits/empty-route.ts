// How many requests a second a Fastify service process answers when its route does nothing: the
// ceiling of every HTTP figure of the exchange. The server is a child process (as services run);
// the load comes from this one through the benches' own HTTP client (kept-alive node:http), as
// the exchange's load does.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { call } from '../http-client.ts'
import { summary } from '../latency.ts'
import { closedLoop, warmUpSeconds } from './closed-loop.ts'

export interface HttpEmptyRouteLimit { requests: number, concurrency: number, perSecond: number, p50Ms: number, p99Ms: number }

const SERVER = fileURLToPath(new URL('./empty-route-server.mjs', import.meta.url))

export async function measureEmptyRoute (opts: { seconds: number, concurrency?: number }): Promise<HttpEmptyRouteLimit> {
  const concurrency = opts.concurrency ?? 32
  const server = spawn(process.execPath, ['--enable-source-maps', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const url = `http://127.0.0.1:${await portOf(server)}/`
    const times: number[] = []
    const get = async (): Promise<void> => {
      const t0 = performance.now()
      const { status } = await call('GET', url, undefined)
      if (status !== 200) throw new Error(`the empty route answered ${status}`)
      times.push(performance.now() - t0)
    }
    await closedLoop(warmUpSeconds(opts.seconds), concurrency, get)
    times.length = 0
    const elapsed = await closedLoop(opts.seconds, concurrency, get)
    const { p50, p99 } = summary(times)
    return { requests: times.length, concurrency, perSecond: times.length / elapsed, p50Ms: p50, p99Ms: p99 }
  } finally {
    await stop(server)
  }
}

/** The port the server says it listens on, once it does; its exit before that is an error. */
async function portOf (server: ChildProcess): Promise<number> {
  return await new Promise((resolve, reject) => {
    let said = ''
    const timer = setTimeout(() => { reject(new Error('the empty-route server did not say its port within 30 s')) }, 30_000)
    server.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`the empty-route server exited (${signal ?? code}) before listening`)) })
    server.once('error', (err) => { clearTimeout(timer); reject(err) })
    server.stdout!.on('data', (chunk: Buffer) => {
      said += chunk.toString('utf8')
      const line = /^(\d+)\n/.exec(said)
      if (line !== null) { clearTimeout(timer); resolve(Number(line[1])) }
    })
  })
}

async function stop (server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return
  const exited = new Promise<void>((resolve) => { server.once('exit', () => { resolve() }) })
  server.kill('SIGKILL')
  await exited
}
