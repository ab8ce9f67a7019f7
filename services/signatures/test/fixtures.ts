// Shared set-up for the signatures service's integration tests: a database and a nats-server of the
// test file's own, the directory, auth-keys and agency-keys buckets filled directly (as registry
// would), and the app started in-process with buildApp.
import { createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import postgres, { type Sql } from 'postgres'
import {
  KV_BUCKETS, OPERATOR_SUBJECT, SCOPES, TOKEN_AUDIENCE, TOKEN_ISSUER, agencyKeyBucketKey, buildEnvelope,
  parentCode, type AgencyKeyEntry, type AgencyStatus, type DirectoryEntry, type Envelope, type KeyRole, type Receipt
} from '@lienthong/contracts'
import { sha256Hex, canonicalJsonBytes, verifyDetachedBytes, type VerifiedSignature } from '@lienthong/crypto'
import { connectNats, directoryKey, loadConfig, openBucket, type ServiceApp } from '@lienthong/platform'
import { createTestDatabase } from '../../../test/harness/test-database.ts'
import { createTestNats } from '../../../test/harness/test-nats.ts'
import { buildApp } from '../src/app.ts'
import { SignaturesConfig } from '../src/config.ts'

export interface Teardown { teardown: (fn: () => Promise<void> | void) => void }

/** A custody key as the HTTP API answers it. */
export interface KeyView {
  agency: string
  role: KeyRole
  kid: string
  alg: string
  jwk: Record<string, unknown>
  registered: boolean
  retired: boolean
  createdAt: string
  retiredAt: string | null
  signing?: boolean
}

export const DISTRICT = '000.00.31.H38'
export const COMMUNE = '000.05.31.H38'
export const OTHER_COMMUNE = '000.06.31.H38'
export const SUSPENDED_COMMUNE = '000.07.31.H38'
export const PROVINCE = '000.00.00.H38'
export const ALL_AGENCIES: Array<{ code: string, status?: AgencyStatus }> = [
  { code: PROVINCE }, { code: DISTRICT }, { code: COMMUNE }, { code: OTHER_COMMUNE }, { code: SUSPENDED_COMMUNE, status: 'suspended' }
]

export function masterKeysText (...ids: string[]): string {
  return ids.map((id) => `${id}:${randomBytes(32).toString('base64')}`).join(',')
}

export interface Backends {
  databaseUrl: string
  natsUrl: string
  /** the test's own connection */
  nc: NatsConnection
  sql: Sql
  directory: KV
  agencyKeys: KV
  /** an access token as registry would issue it */
  token: (sub: string, scopes: string[]) => string
  operatorToken: string
  putAgency: (code: string, status?: AgencyStatus) => Promise<void>
  /** registers a custody key with the registry's bucket, as the operator's CLI would through registry */
  register: (key: Pick<KeyView, 'agency' | 'kid' | 'alg' | 'jwk' | 'role'>, change?: Partial<AgencyKeyEntry>) => Promise<void>
}

let version = 0

/** A database, a nats-server, the token key and the directory, all dropped at the test's end. */
export async function startBackends (t: Teardown, agencies = ALL_AGENCIES): Promise<Backends> {
  const db = await createTestDatabase()
  const nats = await createTestNats()
  const nc = await connectNats(nats.url, 'signatures-test')
  const sql = postgres(db.url, { max: 2, onnotice: () => {} })
  t.teardown(async () => {
    await nc.close()
    await sql.end({ timeout: 1 })
    await nats.dispose()
    await db.drop()
  })
  const [directory, agencyKeys, authKeys] = await Promise.all([
    openBucket(nc, KV_BUCKETS.directory), openBucket(nc, KV_BUCKETS.agencyKeys), openBucket(nc, KV_BUCKETS.authKeys)
  ])
  const tokenKey = generateKeyPairSync('ed25519')
  const kid = 'test-token-key'
  await authKeys.put(kid, JSON.stringify({ kid, alg: 'EdDSA', publicKeyPem: tokenKey.publicKey.export({ format: 'pem', type: 'spki' }) }))
  const token = (sub: string, scopes: string[]): string => jwt(tokenKey.privateKey, kid, sub, scopes)
  const putAgency = async (code: string, status: AgencyStatus = 'active'): Promise<void> => {
    const entry: DirectoryEntry = {
      code,
      name: `Agency ${code}`,
      level: code.startsWith('000.00.00') ? 'province' : code.startsWith('000.00') ? 'district' : 'commune',
      kind: 'people_committee',
      parent: parentCode(code),
      status,
      statusSince: new Date().toISOString(),
      endpoints: { webhookUrl: null, mailAddress: null },
      version: ++version
    }
    await directory.put(directoryKey(code), JSON.stringify(entry))
  }
  for (const a of agencies) await putAgency(a.code, a.status)
  const register = async (key: Pick<KeyView, 'agency' | 'kid' | 'alg' | 'jwk' | 'role'>, change: Partial<AgencyKeyEntry> = {}): Promise<void> => {
    const entry: AgencyKeyEntry = {
      agency: key.agency,
      kid: key.kid,
      alg: key.alg as 'EdDSA',
      role: key.role,
      holder: key.role === 'signer' ? 'Nguyễn Văn A, Chủ tịch' : null,
      jwk: key.jwk,
      certificate: null,
      notBefore: new Date(Date.now() - 60_000).toISOString(),
      notAfter: null,
      revokedAt: null,
      ...change
    }
    await agencyKeys.put(agencyKeyBucketKey(key.agency, key.kid), JSON.stringify(entry))
  }
  return {
    databaseUrl: db.url,
    natsUrl: nats.url,
    nc,
    sql,
    directory,
    agencyKeys,
    token,
    operatorToken: token(OPERATOR_SUBJECT, [SCOPES.registryAdmin]),
    putAgency,
    register
  }
}

/** The service's environment for these backends. */
export function serviceEnv (b: Backends, masterKeys: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: b.databaseUrl, NATS_URL: b.natsUrl, LOG_LEVEL: 'silent', MASTER_KEYS: masterKeys, ...extra }
}

/** The app in-process, closed at the test's end (or earlier by the test). */
export async function startApp (t: Teardown, b: Backends, masterKeys: string, extra: Record<string, string> = {}): Promise<ServiceApp> {
  const app = await buildApp(loadConfig(SignaturesConfig, serviceEnv(b, masterKeys, extra)))
  t.teardown(async () => { await app.close() })
  return app
}

function jwt (key: KeyObject, kid: string, sub: string, scopes: string[]): string {
  const now = Math.floor(Date.now() / 1000)
  const head = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid })).toString('base64url')
  const body = Buffer.from(JSON.stringify({ sub, scope: scopes.join(' '), cid: 'test', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat: now, exp: now + 3600 })).toString('base64url')
  return `${head}.${body}.${sign(null, Buffer.from(`${head}.${body}`), key).toString('base64url')}`
}

/** Calls `check` until it returns something other than undefined, or fails after `ms`. */
export async function eventually<T> (what: string, check: () => Promise<T | undefined> | T | undefined, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

export async function enroll (app: ServiceApp, token: string, agencies: string[]): Promise<KeyView[]> {
  const res = await app.inject({ method: 'POST', url: '/v1/custody/enroll', headers: { authorization: `Bearer ${token}` }, payload: { agencies } })
  if (res.statusCode !== 200) throw new Error(`enroll → ${res.statusCode} ${res.body}`)
  return (res.json() as { keys: KeyView[] }).keys
}

export async function listKeys (app: ServiceApp, token: string, code: string): Promise<KeyView[]> {
  const res = await app.inject({ method: 'GET', url: `/v1/custody/${code}/keys`, headers: { authorization: `Bearer ${token}` } })
  if (res.statusCode !== 200) throw new Error(`keys → ${res.statusCode} ${res.body}`)
  return (res.json() as { keys: KeyView[] }).keys
}

/** Registers keys and waits until the service sees them as registered. */
export async function registerAndWait (app: ServiceApp, b: Backends, keys: KeyView[]): Promise<void> {
  for (const key of keys) await b.register(key)
  for (const agency of new Set(keys.map((k) => k.agency))) {
    await eventually(`${agency}'s keys registered`, async () => {
      const listed = await listKeys(app, b.operatorToken, agency)
      return keys.filter((k) => k.agency === agency).every((k) => listed.find((l) => l.kid === k.kid)?.registered === true) ? true : undefined
    })
  }
}

export function envelopeOf (sender: string, number = '12'): Envelope {
  return buildEnvelope({
    sender,
    to: [DISTRICT],
    document: { number, notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc báo cáo kết quả xử lý hồ sơ trực tuyến', issuedAt: '2026-11-26' },
    signedAt: new Date().toISOString()
  })
}

export function receiptOf (recipient: string, sender = DISTRICT): Receipt {
  const envelope = envelopeOf(sender)
  return {
    type: 'lienthong.receipt',
    v: 1,
    documentId: envelope.id,
    envelopeDigest: sha256Hex(canonicalJsonBytes(envelope)),
    sender,
    recipient,
    code: '01',
    channel: 'online',
    at: new Date().toISOString()
  }
}

/** Checks a signature made by the service with the public JWK it answered, as any verifier would. */
export async function verifyWith (jws: string, value: unknown, keys: KeyView[]): Promise<VerifiedSignature> {
  return await verifyDetachedBytes(jws, canonicalJsonBytes(value), ({ kid }) => {
    const key = keys.find((k) => k.kid === kid)
    return key === undefined ? undefined : createPublicKey({ key: key.jwk as never, format: 'jwk' })
  })
}
