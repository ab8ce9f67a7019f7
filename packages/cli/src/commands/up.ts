import { join } from 'node:path'
import { ServiceProcess, ensureServers, stopServers, type ServiceName } from '@lienthong/infra'
import { laocaiDirectory } from '@lienthong/seeds'
import { issueToken } from '../registry-admin.ts'
import { enrollCustody } from '../custody-enrolment.ts'
import { ensureDevCa, issueAgencyCertificate } from '../dev-ca.ts'
import { masterKeys, operatorCredentials, readStack, stackDir, writeStack, type LocalStack } from '../local-stack.ts'
import { portInUse } from '../port-in-use.ts'
import { seed } from './seed.ts'

const PORTS: Record<ServiceName, number> = { registry: 7101, routing: 7102, inbox: 7103, signatures: 7104, audit: 7105, 'mail-gateway': 7106 }
/** where officials' mail clients connect */
const SMTP_PORT = Number(process.env.MAIL_SMTP_PORT ?? 2525)

function portVariable (name: string): string {
  return `${name.toUpperCase().replaceAll('-', '_')}_PORT`
}

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
  const ports = Object.fromEntries(Object.entries(PORTS).map(([name, port]) => [name, Number(process.env[portVariable(name)] ?? port)])) as Record<ServiceName, number>
  for (const [name, port] of Object.entries(ports)) {
    if (await portInUse(port)) throw new Error(`port ${port} for ${name} is taken by another program; free it or set ${portVariable(name)}`)
  }
  if (await portInUse(SMTP_PORT)) throw new Error(`port ${SMTP_PORT} for the mail gateway's SMTP is taken by another program; free it or set MAIL_SMTP_PORT`)

  const startedServers = process.env.DATABASE_URL === undefined || process.env.NATS_URL === undefined
  const stack: LocalStack = { urls: { registry: '', routing: '', inbox: '', signatures: '' }, pids: { up: process.pid, services: [] }, startedServers }
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
    // Every agency key on the local stack is certified by the development CA, and every service trusts it.
    const ca = await ensureDevCa(join(stackDir, 'ca'))
    const env = { DATABASE_URL: databaseUrl, NATS_URL: natsUrl, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', TRUST_ANCHORS: ca.certificatePath }
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
    // The mail gateway asks for officials' tokens on their behalf and names their address in
    // X-Forwarded-For, so that failed logins are counted per official's machine, not all as the gateway's.
    const registry = service('registry', { OPERATOR_CLIENT_ID: operator.clientId, OPERATOR_CLIENT_SECRET: operator.clientSecret, TRUST_PROXY: '127.0.0.1' })
    await registry.start()
    const routing = service('routing')
    const inbox = service('inbox')
    const signatures = service('signatures', { MASTER_KEYS: masterKeys() })
    const audit = service('audit')
    const mail = service('mail-gateway', {
      REGISTRY_URL: registry.url,
      ROUTING_URL: `http://127.0.0.1:${ports.routing}`,
      INBOX_URL: `http://127.0.0.1:${ports.inbox}`,
      SMTP_PORT: String(SMTP_PORT),
      ...(process.env.MAIL_RELAY_URL !== undefined ? { MAIL_RELAY_URL: process.env.MAIL_RELAY_URL } : {})
    })
    await Promise.all([routing.start(), inbox.start(), signatures.start(), audit.start(), mail.start()])
    stack.pids.services = services.map((s) => s.pid ?? 0)
    stack.urls = { registry: registry.url, routing: routing.url, inbox: inbox.url, signatures: signatures.url, audit: audit.url, mail: mail.url }
    writeStack(stack)
    const admin = await issueToken(registry.url, operator)
    const seeded = await seed(registry.url, admin, 'laocai')
    await Promise.all(services.map(async (s) => { await s.waitReady() }))
    // The seed agencies let the signatures service sign for them, so the smallest request works unsigned.
    const names = new Map(laocaiDirectory().map((a) => [a.code, a.name]))
    const custody = await enrollLocalCustody(() => enrollCustody({
      signaturesUrl: signatures.url,
      registryUrl: registry.url,
      token: admin,
      agencies: [...names.keys()],
      // The custody signer key stands for the head of the agency, who signs for it.
      holder: (key) => `Thủ trưởng ${names.get(key.agency) ?? key.agency}`,
      certify: async (key, holder) => await issueAgencyCertificate(ca, {
        publicJwk: key.jwk, agencyCode: key.agency, agencyName: names.get(key.agency) ?? key.agency, role: key.role, ...(holder !== undefined ? { holder } : {})
      })
    }))
    const lines = [
      '',
      'lienthong is up (Ctrl-C stops it):',
      `  registry  ${registry.url}   docs ${registry.url}/docs`,
      `  routing   ${routing.url}   docs ${routing.url}/docs`,
      `  inbox     ${inbox.url}   docs ${inbox.url}/docs`,
      `  signatures ${signatures.url}  docs ${signatures.url}/docs`,
      `  audit     ${audit.url}   docs ${audit.url}/docs   dashboard ${audit.url}/`,
      `  mail      smtp://127.0.0.1:${SMTP_PORT} (STARTTLS, AUTH)   ${mail.url}/docs   outbound ${process.env.MAIL_RELAY_URL ?? 'waits: set MAIL_RELAY_URL'}`,
      `  postgres  ${databaseUrl}`,
      `  nats      ${natsUrl}`,
      `  directory Lào Cai, ${seeded.received} agencies, signed for by custody (${custody.keys} keys, certified by ${ca.certificatePath})`,
      `  logs      ${join(stackDir, 'logs')}`,
      '',
      'a token for an agency: pnpm lienthong token 000.00.31.H38',
      'an auditor\'s token:    pnpm lienthong token 000.00.00.H38 --scope audit:read',
      ''
    ]
    process.stdout.write(lines.join('\n'))
  } catch (err) {
    process.stderr.write(`could not bring the stack up: ${(err as Error).message}\n`)
    await stop(1)
  }
}

/** The signatures service may still be loading the directory it was just given: try for a while. */
async function enrollLocalCustody (enroll: () => Promise<{ keys: number, registered: number }>): Promise<{ keys: number, registered: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await enroll()
    } catch (err) {
      if (attempt >= 50) throw err
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}
