import { join } from 'node:path'
import { ServiceProcess, ensureServers, stopServers, type ServiceName } from '@lienthong/infra'
import { issueToken } from '../registry-admin.ts'
import { operatorCredentials, stackDir, writeStack } from '../local-stack.ts'
import { seed } from './seed.ts'

const PORTS: Record<ServiceName, number> = { registry: 7101, routing: 7102, inbox: 7103 }

/**
 * The whole stack in the foreground: servers, services, the Lào Cai directory. Ctrl-C stops all
 * of it; `lienthong down` does the same from another terminal.
 */
export async function upCommand (): Promise<void> {
  const startedServers = process.env.DATABASE_URL === undefined || process.env.NATS_URL === undefined
  const { databaseUrl, natsUrl } = await ensureServers('dev')
  const operator = operatorCredentials()
  const env = { DATABASE_URL: databaseUrl, NATS_URL: natsUrl, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' }
  const service = (name: ServiceName, extra: Record<string, string> = {}): ServiceProcess => new ServiceProcess({
    name, port: Number(process.env[`${name.toUpperCase()}_PORT`] ?? PORTS[name]), env: { ...env, ...extra }, logFile: join(stackDir, 'logs', `${name}.log`)
  })
  const registry = service('registry', { OPERATOR_CLIENT_ID: operator.clientId, OPERATOR_CLIENT_SECRET: operator.clientSecret })
  const routing = service('routing')
  const inbox = service('inbox')
  const services = [registry, routing, inbox]

  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    process.stderr.write('\nstopping services…\n')
    await Promise.all(services.map(async (s) => { await s.stop() }))
    if (startedServers) await stopServers('dev')
    writeStack(undefined)
    process.exit(0)
  }
  process.on('SIGINT', () => { void stop() })
  process.on('SIGTERM', () => { void stop() })

  try {
    await registry.start()
    await Promise.all([routing.start(), inbox.start()])
    const admin = await issueToken(registry.url, operator)
    const seeded = await seed(registry.url, admin, 'laocai')
    await Promise.all(services.map(async (s) => { await s.waitReady() }))
    writeStack({
      urls: { registry: registry.url, routing: routing.url, inbox: inbox.url },
      pids: { up: process.pid, services: services.map((s) => s.pid ?? 0) },
      startedServers
    })
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
    await stop()
  }
}
