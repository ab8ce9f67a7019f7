import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { repoRoot } from './profiles.ts'
import { builtService } from './service-build.ts'

/** The services a document's way crosses (what the exchange benches measure). */
export const EXCHANGE_SERVICE_NAMES = ['registry', 'routing', 'inbox', 'signatures', 'audit'] as const
export type ExchangeServiceName = typeof EXCHANGE_SERVICE_NAMES[number]
/** Those, and the mail gateway at the edge beside them. */
export const SERVICE_NAMES = [...EXCHANGE_SERVICE_NAMES, 'mail-gateway'] as const
export type ServiceName = typeof SERVICE_NAMES[number]

export interface ServiceSpec {
  name: ServiceName
  port: number
  env: Record<string, string>
  /** where the service's log lines go */
  logFile: string
}

/**
 * How every service's Node.js runs (docs/performance.md, "Memory"). A young generation of 4 MB
 * semi-spaces instead of V8's 16 MB keeps each service about 30 MB smaller for no CPU that the
 * exchange bench can tell apart; the services' garbage is short-lived messages and rows.
 */
export const SERVICE_NODE_FLAGS = ['--enable-source-maps', '--max-semi-space-size=4'] as const

/**
 * glibc raises its mmap threshold to the largest block freed, so after one 16 MB scrypt or a
 * large batch every later block of that size comes from the heap and stays resident when freed.
 * A fixed threshold hands such blocks back to the system. (An environment variable of the
 * deployment's own wins over this.)
 */
export const SERVICE_MEMORY_ENV = { MALLOC_MMAP_THRESHOLD_: String(128 * 1024) }

/** A service running as its own Node.js process, as in production. */
export class ServiceProcess {
  readonly spec: ServiceSpec
  readonly url: string
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  readonly #exitListeners: Array<(code: number | null) => void> = []

  constructor (spec: ServiceSpec) {
    this.spec = spec
    this.url = `http://127.0.0.1:${spec.port}`
  }

  get pid (): number | undefined {
    return this.#child?.pid
  }

  /** Called whenever the process ends, asked to or not. */
  onExit (listener: (code: number | null) => void): void {
    this.#exitListeners.push(listener)
  }

  /** Starts the process and waits until `/healthz` answers. */
  async start (timeoutMs = 30_000): Promise<void> {
    mkdirSync(dirname(this.spec.logFile), { recursive: true })
    const log = createWriteStream(this.spec.logFile, { flags: 'a' })
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, await builtService(this.spec.name)], {
      cwd: repoRoot,
      env: { ...SERVICE_MEMORY_ENV, ...process.env, ...this.spec.env, PORT: String(this.spec.port), HOST: '127.0.0.1' },
      // the IPC channel is how the service knows this process is gone (see runService)
      stdio: ['ignore', 'pipe', 'pipe', 'ipc']
    })
    // it does not keep this process alive: when this process ends, its services stop with it
    child.channel?.unref()
    child.stdout?.pipe(log)
    child.stderr?.pipe(log)
    this.#child = child
    this.#exited = new Promise((resolve) => child.once('exit', () => { resolve() }))
    child.once('exit', (code) => { for (const listener of this.#exitListeners) listener(code) })
    let exitCode: number | null = null
    child.once('exit', (code) => { exitCode = code ?? -1 })
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (exitCode !== null) throw new Error(`${this.spec.name} exited with ${String(exitCode)} while starting; see ${this.spec.logFile}`)
      if (await answers(`${this.url}/healthz`)) return
      await sleep(100)
    }
    throw new Error(`${this.spec.name} did not answer within ${timeoutMs} ms; see ${this.spec.logFile}`)
  }

  /** Waits until `/readyz` is 200: its database, NATS and (for routing) the directory are there. */
  async waitReady (timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (await answers(`${this.url}/readyz`)) return
      await sleep(100)
    }
    throw new Error(`${this.spec.name} not ready within ${timeoutMs} ms; see ${this.spec.logFile}`)
  }

  /** SIGTERM lets the service finish what it holds; SIGKILL is a crash. */
  async stop (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await this.#exited
    clearTimeout(killer)
  }
}

async function answers (url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) })
    await res.body?.cancel()
    return res.ok
  } catch {
    return false
  }
}

/**
 * A TCP port nobody listens on right now, below the kernel's range of ephemeral ports. A port the
 * kernel hands out for `listen(0)` is in that range, so any outgoing connection on the machine
 * (to Postgres, to NATS: a test suite makes thousands) can take it as its local port before the
 * service that was given it listens, and the service then fails with EADDRINUSE.
 */
export async function freePort (): Promise<number> {
  const [low, high] = ephemeralRange()
  // Above the ports most installed software is configured on, under the ephemeral ones.
  const from = low > 21_000 ? 20_000 : 1_025
  const to = low
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from))
    if (port >= low && port <= high) continue
    if (await canListen(port)) return port
  }
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0) })
    })
  })
}

function ephemeralRange (): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (low !== undefined && high !== undefined && low > 1_024) return [low, high]
  } catch {}
  return [32_768, 60_999]
}

async function canListen (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => { resolve(false) })
    server.listen(port, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
  })
}
