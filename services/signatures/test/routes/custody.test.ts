import t from 'tap'
import { DMS_SCOPES, SCOPES } from '@lienthong/contracts'
import {
  COMMUNE, DISTRICT, OTHER_COMMUNE, PROVINCE, SUSPENDED_COMMUNE,
  enroll, eventually, listKeys, masterKeysText, registerAndWait, startApp, startBackends, type KeyView
} from '../fixtures/backends.ts'

const b = await startBackends(t)
const app = await startApp(t, b, masterKeysText('mk1'))
const admin = { authorization: `Bearer ${b.operatorToken}` }

async function rowCount (): Promise<number> {
  const [row] = await b.sql`select count(*)::int as n from signatures.custody_keys`
  return row!.n as number
}

t.test('enrol: one key per role for each agency, public halves only, not yet registered', async (t) => {
  const keys = await enroll(app, b.operatorToken, [COMMUNE, DISTRICT])
  t.same(keys.map((k) => [k.agency, k.role]), [[COMMUNE, 'agency'], [COMMUNE, 'signer'], [DISTRICT, 'agency'], [DISTRICT, 'signer']])
  for (const k of keys) {
    t.equal(k.alg, 'EdDSA')
    t.same(Object.keys(k.jwk).sort(), ['crv', 'kty', 'x'], 'no private member in the JWK')
    t.equal(k.registered, false)
    t.equal(k.retired, false)
    t.match(k.kid, /^[A-Za-z0-9_-]{43}$/, 'the RFC 7638 thumbprint')
  }
  t.equal(new Set(keys.map((k) => k.kid)).size, 4)
  t.equal(await rowCount(), 4)
})

t.test('enrol again: the same keys, nothing new (also with repeated codes and at once)', async (t) => {
  const first = await listKeys(app, b.operatorToken, COMMUNE)
  const [again, parallel] = await Promise.all([
    enroll(app, b.operatorToken, [COMMUNE, COMMUNE]),
    enroll(app, b.operatorToken, [COMMUNE, OTHER_COMMUNE])
  ])
  t.same(again.map((k) => k.kid), first.map((k) => k.kid))
  t.same(parallel.filter((k) => k.agency === COMMUNE).map((k) => k.kid), first.map((k) => k.kid))
  // Two enrolments of a new agency at once end with one key per role.
  const [x, y] = await Promise.all([enroll(app, b.operatorToken, [PROVINCE]), enroll(app, b.operatorToken, [PROVINCE])])
  t.same(x.map((k) => k.kid), y.map((k) => k.kid))
  t.equal(await rowCount(), 8)
})

t.test('an unknown agency: 404 SIG_AGENCY_NOT_FOUND naming it, and nothing is made for the others', async (t) => {
  const before = await rowCount()
  const unknown = '000.09.39.H38'
  const res = await app.inject({ method: 'POST', url: '/v1/custody/enroll', headers: admin, payload: { agencies: [SUSPENDED_COMMUNE, unknown] } })
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], /application\/problem\+json/)
  const problem = res.json()
  t.equal(problem.code, 'SIG_AGENCY_NOT_FOUND')
  t.same(problem.agencies, [unknown])
  t.match(problem.detail, unknown)
  t.equal(await rowCount(), before)
  t.same(await listKeys(app, b.operatorToken, SUSPENDED_COMMUNE), [], 'a suspended agency may be enrolled, but was not here')
})

t.test('a retired agency cannot be enrolled', async (t) => {
  const retired = '000.08.31.H38'
  await b.putAgency(retired, 'retired')
  const res = await eventually('the retired agency in the mirror', async () => {
    const r = await app.inject({ method: 'POST', url: '/v1/custody/enroll', headers: admin, payload: { agencies: [retired] } })
    return r.json().agencies?.[0] === retired ? r : undefined
  })
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'SIG_AGENCY_NOT_FOUND')
})

t.test('a bad body: 400 problem', async (t) => {
  for (const payload of [{ agencies: [] }, { agencies: ['not-a-code'] }, { agencies: Array.from({ length: 5001 }, () => COMMUNE) }, {}]) {
    const res = await app.inject({ method: 'POST', url: '/v1/custody/enroll', headers: admin, payload })
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'SIG_VALIDATION_FAILED')
  }
})

t.test('without the operator scope: 401 without a token, 403 with an agency\u2019s token', async (t) => {
  const before = await rowCount()
  const agencyToken = b.token(COMMUNE, DMS_SCOPES)
  for (const [method, url, payload] of [
    ['POST', '/v1/custody/enroll', { agencies: [OTHER_COMMUNE, SUSPENDED_COMMUNE] }],
    ['POST', `/v1/custody/${COMMUNE}/rotate`, {}],
    ['GET', `/v1/custody/${COMMUNE}/keys`, undefined]
  ] as const) {
    const none = await app.inject({ method, url, ...(payload !== undefined ? { payload } : {}) })
    t.equal(none.statusCode, 401, `${method} ${url} without a token`)
    t.equal(none.json().code, 'SIG_UNAUTHORIZED')
    const dms = await app.inject({ method, url, headers: { authorization: `Bearer ${agencyToken}` }, ...(payload !== undefined ? { payload } : {}) })
    t.equal(dms.statusCode, 403, `${method} ${url} with a DMS token`)
    t.equal(dms.json().code, 'SIG_FORBIDDEN')
    const garbage = await app.inject({ method, url, headers: { authorization: 'Bearer x.y.z' }, ...(payload !== undefined ? { payload } : {}) })
    t.equal(garbage.statusCode, 401)
  }
  const reader = await app.inject({ method: 'GET', url: `/v1/custody/${COMMUNE}/keys`, headers: { authorization: `Bearer ${b.token('operator', [SCOPES.auditRead])}` } })
  t.equal(reader.statusCode, 403)
  t.equal(await rowCount(), before)
})

t.test('registered turns true once the registry publishes this very key for this role', async (t) => {
  const keys = await enroll(app, b.operatorToken, [DISTRICT])
  const [agencyKey, signerKey] = keys as [KeyView, KeyView]
  // The signer key registered as the agency role: not this key's registration.
  await b.register({ ...signerKey, role: 'agency' })
  await b.register({ ...agencyKey, jwk: { ...agencyKey.jwk, x: signerKey.jwk.x } })
  // The bucket's watch delivers in order: once a later put is seen, so are these.
  await registerAndWait(app, b, (await listKeys(app, b.operatorToken, PROVINCE)).slice(0, 1))
  t.same((await listKeys(app, b.operatorToken, DISTRICT)).map((k) => k.registered), [false, false])
  await registerAndWait(app, b, keys)
  const listed = await listKeys(app, b.operatorToken, DISTRICT)
  t.same(listed.map((k) => [k.role, k.registered, k.signing]), [['agency', true, true], ['signer', true, true]])
  const again = await enroll(app, b.operatorToken, [DISTRICT])
  t.same(again.map((k) => k.registered), [true, true])
  await b.register(agencyKey, { revokedAt: new Date().toISOString() })
  await eventually('the revocation seen', async () => (await listKeys(app, b.operatorToken, DISTRICT))[0]!.registered ? undefined : true)
  t.pass('a revoked key is not registered')
})

t.test('rotate: a new key per role, the old one retired and kept', async (t) => {
  const before = await listKeys(app, b.operatorToken, COMMUNE)
  const res = await app.inject({ method: 'POST', url: `/v1/custody/${COMMUNE}/rotate`, headers: admin, payload: { role: 'signer' } })
  t.equal(res.statusCode, 200)
  const rotated = (res.json() as { keys: KeyView[] }).keys
  t.same(rotated.map((k) => [k.agency, k.role, k.registered, k.retired]), [[COMMUNE, 'signer', false, false]])
  t.notOk(before.some((k) => k.kid === rotated[0]!.kid))
  const after = await listKeys(app, b.operatorToken, COMMUNE)
  t.equal(after.length, 3)
  t.same(after.map((k) => [k.role, k.retired]), [['agency', false], ['signer', true], ['signer', false]])
  t.ok(after[1]!.retiredAt !== null)
  // Enrolling now answers the live keys: the agency key and the new signer key.
  t.same((await enroll(app, b.operatorToken, [COMMUNE])).map((k) => k.kid), [after[0]!.kid, rotated[0]!.kid])

  const both = await app.inject({ method: 'POST', url: `/v1/custody/${COMMUNE}/rotate`, headers: admin })
  t.equal(both.statusCode, 200, both.body)
  t.same((both.json() as { keys: KeyView[] }).keys.map((k) => k.role), ['agency', 'signer'])
  t.equal((await listKeys(app, b.operatorToken, COMMUNE)).length, 5)
})

t.test('rotate: an agency not enrolled or not in the directory', async (t) => {
  const notEnrolled = await app.inject({ method: 'POST', url: `/v1/custody/${SUSPENDED_COMMUNE}/rotate`, headers: admin, payload: {} })
  t.equal(notEnrolled.statusCode, 404)
  t.equal(notEnrolled.json().code, 'SIG_NOT_IN_CUSTODY')
  const unknown = await app.inject({ method: 'POST', url: '/v1/custody/000.01.39.H38/rotate', headers: admin, payload: {} })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'SIG_AGENCY_NOT_FOUND')
  const badRole = await app.inject({ method: 'POST', url: `/v1/custody/${COMMUNE}/rotate`, headers: admin, payload: { role: 'chairman' } })
  t.equal(badRole.statusCode, 400)
})

t.test('keys of an agency: empty when not enrolled, 404 when not in the directory', async (t) => {
  t.same(await listKeys(app, b.operatorToken, SUSPENDED_COMMUNE), [])
  const res = await app.inject({ method: 'GET', url: '/v1/custody/000.01.39.H38/keys', headers: admin })
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'SIG_AGENCY_NOT_FOUND')
})

t.test('health, readiness, metrics and OpenAPI come with the app', async (t) => {
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200)
  t.same(Object.keys(ready.json().checks).sort(), ['directory', 'nats', 'postgres'])
  t.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /custody_sign_batch_seconds/)
  const spec = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(spec.statusCode, 200)
  t.ok(spec.json().paths['/v1/custody/enroll'])
})
