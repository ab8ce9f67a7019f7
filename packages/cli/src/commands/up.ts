import { join } from 'node:path'
import { ServiceProcess, ensureServers, stopServers, type ServiceName } from '@lienthong/infra'
import { issueToken } from '../registry-admin.ts'
import { operatorCredentials, readStack, stackDir, writeStack, type LocalStack } from '../local-stack.ts'
import { portInUse } from '../port-in-use.ts'
import { seed } from './seed.ts'

const PORTS: Record<ServiceName, number> = { registry: 7101, routing: 7102, inbox: 7103, signatures: 7104 }

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch { return false }
}

/**
 * The whole stack in the foreground: servers, services, the Lào Cai directory. Ctrl-C stops all
 * of it; `lienthong down` does the same from another terminal. A service that dies stops the rest
 * and `up` exits with an error, so a broken stack never looks like a running one.
 */
export async function upCommand (): Promise<void> {
  const running = readStack()
  if (running?.pids?.up !== undefined && running.pids.up !== process.pid && alive(running.pids.up)) {
    throw new Error(`a stack is already up here (pid ${running.pids.up}); stop it with \`npm stop\` first`)
  }
  const ports = Object.fromEntries(Object.entries(PORTS).map(([name, port]) => [name, Number(process.env[`${name.toUpperCase()}_PORT`] ?? port)])) as Record<ServiceName, number>
  for (const [name, port] of Object.entries(ports)) {
    if (await portInUse(port)) throw new Error(`port ${port} for ${name} is taken by another program; free it or set ${name.toUpperCase()}_PORT`)
  }

  const startedServers = process.env.DATABASE_URL === undefined || process.env.NATS_URL === undefined
  const stack: LocalStack = { urls: { registry: '', routing: '', inbox: '' }, pids: { up: process.pid, services: [] }, startedServers }
  const services: ServiceProcess[] = []
  let stopping = false
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true
      process.stderr.write('\nstopping services…\n')
      await Promise.all(services.map(async (s) => { await s.stop() }))
      if (startedServers) await stopServers('dev')
      writeStack(undefined)
    }
    process.exit(code)
  }
  // Set before anything starts, so Ctrl-C or `npm stop` during start-up stop what has started.
  process.on('SIGINT', () => { void stop(0) })
  process.on('SIGTERM', () => { void stop(0) })
  writeStack(stack)

  try {
    const { databaseUrl, natsUrl } = await ensureServers('dev')
    const operator = operatorCredentials()
    const env = { DATABASE_URL: databaseUrl, NATS_URL: natsUrl, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' }
    const service = (name: ServiceName, extra: Record<string, string> = {}): ServiceProcess => {
      const s = new ServiceProcess({ name, port: ports[name], env: { ...env, ...extra }, logFile: join(stackDir, 'logs', `${name}.log`) })
      s.onExit((code) => {
        if (stopping) return
        process.stderr.write(`${name} stopped unexpectedly (exit ${String(code)}); see ${s.spec.logFile}\n`)
        void stop(1)
      })
      services.push(s)
      return s
    }
    const registry = service('registry', { OPERATOR_CLIENT_ID: operator.clientId, OPERATOR_CLIENT_SECRET: operator.clientSecret })
    await registry.start()
    const routing = service('routing')
    const inbox = service('inbox')
    await Promise.all([routing.start(), inbox.start()])
    stack.pids.services = services.map((s) => s.pid ?? 0)
    stack.urls = { registry: registry.url, routing: routing.url, inbox: inbox.url }
    writeStack(stack)
    const admin = await issueToken(registry.url, operator)
    const seeded = await seed(registry.url, admin, 'laocai')
    await Promise.all(services.map(async (s) => { await s.waitReady() }))
    const lines = [
      '',
      'lienthong is up (Ctrl-C stops it):',
      `  registry  ${registry.url}   docs ${registry.url}/docs`,
      `  routing   ${routing.url}   docs ${routing.url}/docs`,
      `  inbox     ${inbox.url}   docs ${inbox.url}/docs`,
      `  postgres  ${databaseUrl}`,
      `  nats      ${natsUrl}`,
      `  directory Lào Cai, ${seeded.received} agencies`,
      `  logs      ${join(stackDir, 'logs')}`,
      '',
      'a token for an agency: pnpm lienthong token 000.00.31.H38',
      ''
    ]
    process.stdout.write(lines.join('\n'))
  } catch (err) {
    process.stderr.write(`could not bring the stack up: ${(err as Error).message}\n`)
    await stop(1)
  }
}
