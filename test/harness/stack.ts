import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import postgres, { type Sql } from 'postgres'
import { DMS_SCOPES, type AgencyInput } from '@lienthong/contracts'
import { ServiceProcess, freePort, repoRoot, type ServiceName } from '@lienthong/infra'
// The CLI's and the platform's parts the harness uses, by file: their packages' indexes bring in
// the whole CLI and the whole service framework, which every test file would load for nothing.
import { createClient, importAgencies, issueToken } from '../../packages/cli/src/registry-admin.ts'
import { enrollCustody } from '../../packages/cli/src/custody-enrolment.ts'
import { laocaiDirectory } from '@lienthong/seeds'
import { createTestDatabase } from './test-database.ts'
import { createTestNats, type TestNats } from './test-nats.ts'

export interface TestStack {
  registry: ServiceProcess
  routing: ServiceProcess
  inbox: ServiceProcess
  signatures: ServiceProcess
  /** only when the stack was started with `audit: true` */
  audit: ServiceProcess
  /** only when the stack was started with `mail`; its SMTP door listens on `smtpPort` */
  mail: ServiceProcess
  smtpPort: number
  nats: TestNats
  databaseUrl: string
  /** the test's own connection, to look at what services stored */
  sql: Sql
  adminToken: () => Promise<string>
  tokenFor: (code: string, scopes?: string[]) => Promise<string>
}

interface Teardown { teardown: (fn: () => Promise<void> | void) => void, name: string }

export interface StackOptions {
  agencies?: AgencyInput[]
  env?: Partial<Record<ServiceName, Record<string, string>>>
  /**
   * The agencies the signatures service signs for: by default every agency above the villages
   * (no test sends to a village, and their 1,562 key pairs would slow every stack), `all`, or a list.
   */
  custody?: 'all' | 'above-villages' | string[]
  /**
   * Start the audit service too. Only the files about audit do: it records every event of the
   * stack (the whole directory's import among them), which the other thirty-odd stacks of the
   * suite would pay for on two cores without looking at it.
   */
  audit?: boolean
  /**
   * Start the mail gateway too, with these settings of its own (MAIL_RELAY_URL, say). Registry
   * then believes X-Forwarded-For from 127.0.0.1, as on the local stack: the gateway names each
   * official's address there when it asks for their token.
   */
  mail?: Record<string, string>
}

/**
 * The Lào Cai directory without its 1,562 villages, for a file that sends to none: a stack with a
 * ninth of the agencies to import, publish and mirror starts in about a second less of CPU.
 */
export function laocaiAboveVillages (): AgencyInput[] {
  return laocaiDirectory().filter((a) => a.level !== 'village')
}

/**
 * Registry, routing, inbox and signatures (and audit, when asked) as real processes on a database and a nats-server of
 * this test's own, with the Lào Cai directory loaded and (by default) every agency above the
 * villages in custody, as on the local stack. Everything is stopped and removed at the test's end.
 */
export async function startStack (t: Teardown, opts: StackOptions = {}): Promise<TestStack> {
  const db = await createTestDatabase()
  const nats = await createTestNats()
  const operator = { clientId: 'test-operator', clientSecret: randomBytes(18).toString('base64url') }
  const logDir = join(repoRoot, '.data', 'test', 'logs')
  mkdirSync(logDir, { recursive: true })
  const tag = `${basename(process.argv[1] ?? 'test', '.ts')}-${process.pid}`
  const env = { DATABASE_URL: db.url, NATS_URL: nats.url, LOG_LEVEL: 'info', OUTBOX_SWEEP_MS: '500', ACK_WAIT_MS: '3000' }
  const make = async (name: ServiceName, extra: Record<string, string> = {}): Promise<ServiceProcess> => new ServiceProcess({
    name, port: await freePort(), env: { ...env, ...extra, ...opts.env?.[name] }, logFile: join(logDir, `${tag}-${name}.log`)
  })
  const registry = await make('registry', { DIRECTORY_SYNC_MS: '1000', OPERATOR_CLIENT_ID: operator.clientId, OPERATOR_CLIENT_SECRET: operator.clientSecret, ...(opts.mail !== undefined ? { TRUST_PROXY: '127.0.0.1' } : {}) })
  const routing = await make('routing')
  const inbox = await make('inbox')
  const signatures = await make('signatures', { MASTER_KEYS: `test:${randomBytes(32).toString('base64')}` })
  const audit = await make('audit', { CHECKPOINT_MS: '1000' })
  const smtpPort = await freePort()
  const mail = await make('mail-gateway', {
    REGISTRY_URL: registry.url, ROUTING_URL: routing.url, INBOX_URL: inbox.url, SMTP_PORT: String(smtpPort), ...opts.mail
  })
  const services = [registry, routing, inbox, signatures]
  if (opts.audit === true) services.push(audit)
  if (opts.mail !== undefined) services.push(mail)
  const sql = postgres(db.url, { max: 2, onnotice: () => {} })

  t.teardown(async () => {
    await Promise.all(services.map(async (s) => { await s.stop('SIGKILL') }))
    await sql.end({ timeout: 1 })
    await nats.dispose()
    await db.drop()
  })

  // When a stack is slow to come up, this says which stage took the time.
  const started = Date.now()
  const stage = (what: string): void => { appendFileSync(join(logDir, `${tag}-harness.log`), `${new Date().toISOString()} +${Date.now() - started} ms ${what}\n`) }
  stage('servers ready')
  // Two test files share two cores: a service that starts in 7 s alone can take far longer while
  // the other file is busy, and a slow start is not what a test is about.
  const startMs = 90_000
  // All at once: none needs another to start (each creates the buckets and streams it uses).
  await Promise.all(services.map(async (s) => { await s.start(startMs) }))
  const adminToken = async (): Promise<string> => await issueToken(registry.url, operator)
  const agencies = opts.agencies ?? laocaiDirectory()
  stage('services started')
  await importAgencies(registry.url, await adminToken(), agencies)
  await Promise.all(services.map(async (s) => { await s.waitReady(startMs) }))
  stage('directory imported, services ready')
  const custody = opts.custody ?? 'above-villages'
  const inCustody = custody === 'all'
    ? agencies.map((a) => a.code)
    : custody === 'above-villages' ? agencies.filter((a) => a.level !== 'village').map((a) => a.code) : custody
  if (inCustody.length > 0) {
    // The signatures service may not have the whole directory yet: enrolment refuses codes it does not know.
    const giveUpAt = Date.now() + 120_000
    for (let attempt = 1; ; attempt++) {
      try {
        await enrollCustody({ signaturesUrl: signatures.url, registryUrl: registry.url, token: await adminToken(), agencies: inCustody })
        break
      } catch (err) {
        stage(`custody enrolment attempt ${attempt}: ${(err as Error).message}`)
        if (Date.now() > giveUpAt) throw err
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
  }

  stage('custody enrolled')
  const clients = new Map<string, { clientId: string, clientSecret: string }>()
  const tokenFor = async (code: string, scopes: string[] = DMS_SCOPES): Promise<string> => {
    const key = `${code} ${scopes.join(' ')}`
    let client = clients.get(key)
    if (client === undefined) {
      client = await createClient(registry.url, await adminToken(), code, scopes)
      clients.set(key, client)
    }
    return await issueToken(registry.url, client)
  }
  return { registry, routing, inbox, signatures, audit, mail, smtpPort, nats, databaseUrl: db.url, sql, adminToken, tokenFor }
}

/**
 * One service of a stack stopped and started again with `env` added to its settings, on the same
 * port, database and NATS: a test of another setting then needs no stack of its own.
 */
export async function restartWith (service: ServiceProcess, env: Record<string, string>): Promise<void> {
  await service.stop()
  Object.assign(service.spec.env, env)
  await service.start(90_000)
  await service.waitReady(90_000)
}
