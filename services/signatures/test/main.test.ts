// The service as it runs in production: its own process, started by main.ts, logging at trace level
// to a file. Checks what the in-process tests cannot: that no private key and no master key reaches
// a log line or an answer, that a master-key rotation re-seals at start without changing any kid,
// and that a missing or lost master key stops the start with a clear message.
import { randomBytes } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { CUSTODY_SIGN_SUBJECT, type KeyRole } from '@lienthong/contracts'
import { CustodySigner } from '@lienthong/platform'
import { ServiceProcess, freePort, repoRoot } from '../../../infra/src/index.ts'
import { openPrivateKey } from '../src/domain/key-sealing.ts'
import { parseMasterKeys } from '../src/domain/master-keys.ts'
import { COMMUNE, DISTRICT, envelopeOf, receiptOf, startBackends, verifyWith, type KeyView } from './fixtures/backends.ts'

const b = await startBackends(t)
const logFile = join(repoRoot, '.data', 'test', 'logs', `signatures-main-${process.pid}-${randomBytes(3).toString('hex')}.log`)
t.teardown(() => { rmSync(logFile, { force: true }) })
const port = await freePort()
const oldKey = `mk-old:${randomBytes(32).toString('base64')}`
const newKey = `mk-new:${randomBytes(32).toString('base64')}`
/** every body the service answered, to search for secrets at the end */
const answered: string[] = []
const signer = new CustodySigner(b.nc)

async function start (env: Record<string, string>): Promise<ServiceProcess> {
  const service = new ServiceProcess({
    name: 'signatures',
    port,
    env: { DATABASE_URL: b.databaseUrl, NATS_URL: b.natsUrl, LOG_LEVEL: 'trace', ...env },
    logFile
  })
  t.teardown(async () => { await service.stop('SIGKILL') })
  await service.start()
  await service.waitReady()
  return service
}

async function call (service: ServiceProcess, method: string, path: string, body?: unknown): Promise<{ status: number, json: any }> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${b.operatorToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
  const text = await res.text()
  answered.push(text)
  return { status: res.status, json: JSON.parse(text) }
}

async function signBoth (): Promise<{ signer: string, agency: string, envelope: unknown }> {
  const envelope = envelopeOf(COMMUNE)
  const result = await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelope })
  answered.push(JSON.stringify(result))
  if (!result.ok) throw new Error(`refused: ${result.detail}`)
  return { signer: result.signatures.signer!, agency: result.signatures.agency!, envelope }
}

async function waitRegistered (service: ServiceProcess, code: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const { json } = await call(service, 'GET', `/v1/custody/${code}/keys`)
    if ((json.keys as KeyView[]).every((k) => k.registered)) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`${code}'s keys never became registered`)
}

let keys: KeyView[] = []

t.test('runs from main.ts: enrol, register, sign, with every kind of answer logged at trace level', async (t) => {
  const service = await start({ MASTER_KEYS: oldKey })
  const enrolled = await call(service, 'POST', '/v1/custody/enroll', { agencies: [COMMUNE, DISTRICT] })
  t.equal(enrolled.status, 200)
  keys = enrolled.json.keys
  for (const k of keys) await b.register(k)
  await waitRegistered(service, COMMUNE)
  await waitRegistered(service, DISTRICT)
  const sigs = await signBoth()
  t.equal((await verifyWith(sigs.signer, sigs.envelope, keys)).kid, keys[1]!.kid)
  const receipt = await signer.sign({ kind: 'receipt', agency: DISTRICT, value: receiptOf(DISTRICT, COMMUNE) })
  answered.push(JSON.stringify(receipt))
  t.ok(receipt.ok)
  // Refusals, errors and a rotation, so that every path that might log has run.
  t.equal((await call(service, 'POST', '/v1/custody/enroll', { agencies: ['000.09.39.H38'] })).status, 404)
  t.equal((await call(service, 'POST', '/v1/custody/enroll', { agencies: 'nope' })).status, 400)
  const rotated = await call(service, 'POST', `/v1/custody/${DISTRICT}/rotate`, { role: 'signer' })
  t.equal(rotated.status, 200)
  const refused = await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelopeOf(DISTRICT) })
  t.equal(refused.ok, false)
  const garbage = await b.nc.request(CUSTODY_SIGN_SUBJECT, '{"items":', { timeout: 2_000 })
  answered.push(garbage.string())
  t.match(garbage.string(), /not JSON/)
  await service.stop()
})

t.test('a new master key first in MASTER_KEYS: keys are re-sealed at start, kids unchanged, signing goes on', async (t) => {
  const service = await start({ MASTER_KEYS: `${newKey},${oldKey}` })
  const rows = await b.sql`select master_key_id, count(*)::int as n from signatures.custody_keys group by master_key_id`
  t.same(rows.map((r) => [r.master_key_id, r.n]), [['mk-new', 5]])
  const sigs = await signBoth()
  t.equal((await verifyWith(sigs.agency, sigs.envelope, keys)).kid, keys[0]!.kid, 'the same key signs')
  await service.stop()
})

t.test('the old master key can then go', async (t) => {
  const service = await start({ MASTER_KEYS: newKey })
  const sigs = await signBoth()
  t.equal((await verifyWith(sigs.signer, sigs.envelope, keys)).kid, keys[1]!.kid)
  await service.stop()
})

t.test('a start without the master key that sealed the keys stops with a clear message', async (t) => {
  const lost = `mk-other:${randomBytes(32).toString('base64')}`
  await t.rejects(start({ MASTER_KEYS: lost }), /exited with 1 while starting/)
  t.match(readFileSync(logFile, 'utf8'), /sealed under master keys that are not configured: mk-new \(5 keys\)/)
})

t.test('a start without MASTER_KEYS, or with a short key, stops with a clear message', async (t) => {
  await t.rejects(start({ MASTER_KEYS: '' }), /exited with 1 while starting/)
  t.match(readFileSync(logFile, 'utf8'), /MASTER_KEYS: required/)
  await t.rejects(start({ MASTER_KEYS: `mk:${randomBytes(24).toString('base64')}` }), /exited with 1 while starting/)
  t.match(readFileSync(logFile, 'utf8'), /MASTER_KEYS: master key mk is 24 bytes; it must be 32/)
})

t.test('no private key and no master key in any log line or answer', async (t) => {
  const log = readFileSync(logFile, 'utf8')
  t.ok(log.split('\n').length > 20, 'the service did log')
  t.match(log, /custody keys sealed under the current master key/)
  t.match(log, /custody keys rotated/)
  const masters = parseMasterKeys(`${newKey},${oldKey}`)
  const secrets: string[] = []
  for (const id of masters.ids) {
    const key = masters.key(id)!
    secrets.push(key.toString('base64'), key.toString('base64url'), key.toString('hex'))
  }
  const rows = await b.sql`select agency, role, kid, master_key_id, iv, auth_tag, ciphertext from signatures.custody_keys`
  for (const r of rows) {
    const privateKey = openPrivateKey({ masterKeyId: r.master_key_id, iv: r.iv, authTag: r.auth_tag, ciphertext: r.ciphertext }, { agency: r.agency, role: r.role as KeyRole, kid: r.kid }, masters)
    const der = privateKey.export({ format: 'der', type: 'pkcs8' })
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().split('\n')[1]!
    const seed = der.subarray(16)
    secrets.push(privateKey.export({ format: 'jwk' }).d!, seed.toString('base64'), seed.toString('hex'), pem)
  }
  t.equal(secrets.length, 6 + 5 * 4)
  const everything = [log, ...answered].join('\n')
  for (const secret of secrets) t.notOk(everything.includes(secret), 'this secret is in no log line and no answer')
  t.notMatch(everything, /"d":/, 'no private JWK member anywhere')
})
