import { randomBytes } from 'node:crypto'
import t from 'tap'
import { loadConfig, type ServiceApp } from '@lienthong/platform'
import { buildApp } from '../../src/app.ts'
import { RegistryConfig } from '../../src/config.ts'
import { createTestDatabase } from '../../../../test/harness/test-database.ts'
import { createTestNats } from '../../../../test/harness/test-nats.ts'

// The registry itself, in-process on a database and a nats-server of this file's own.
const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const OTHER = '000.00.32.H38'
const SUSPENDED = '000.00.33.H38'

const db = await createTestDatabase()
const nats = await createTestNats()
t.teardown(async () => { await nats.dispose(); await db.drop() })
const operator = { clientId: 'test-operator', clientSecret: randomBytes(18).toString('base64url') }
const app: ServiceApp = await buildApp(loadConfig(RegistryConfig, {
  DATABASE_URL: db.url, NATS_URL: nats.url, LOG_LEVEL: 'silent', OPERATOR_CLIENT_ID: operator.clientId, OPERATOR_CLIENT_SECRET: operator.clientSecret
}))
t.teardown(async () => { await app.close() })

interface Answer { status: number, body: any }
async function call (method: 'GET' | 'POST' | 'PATCH', url: string, opts: { token?: string, json?: unknown } = {}): Promise<Answer> {
  const res = await app.inject({
    method, url, ...(opts.json !== undefined ? { payload: opts.json as object } : {}), ...(opts.token !== undefined ? { headers: { authorization: `Bearer ${opts.token}` } } : {})
  })
  return { status: res.statusCode, body: res.body === '' ? undefined : res.json() }
}
const tokenFor = async (clientId: string, clientSecret: string): Promise<Answer> => await call('POST', '/v1/auth/token', { json: { clientId, clientSecret } })
const claimsOf = (accessToken: string): Record<string, unknown> => JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString())

const admin = (await tokenFor(operator.clientId, operator.clientSecret)).body.accessToken as string
for (const [code, name, level] of [[PROVINCE, 'UBND tỉnh Lào Cai', 'province'], [DISTRICT, 'UBND thành phố Lào Cai', 'district'], [OTHER, 'UBND huyện Bát Xát', 'district'], [SUSPENDED, 'UBND huyện Mường Khương', 'district']]) {
  const made = await call('POST', '/v1/agencies', { token: admin, json: { code, name, level, kind: 'people_committee' } })
  if (made.status !== 201) throw new Error(`agency ${code} → ${made.status} ${JSON.stringify(made.body)}`)
}
await call('POST', `/v1/agencies/${SUSPENDED}/suspend`, { token: admin })

const issue = async (code: string, json: unknown, token = admin): Promise<Answer> => await call('POST', `/v1/agencies/${code}/mail-credentials`, { token, json })
const revoke = async (clientId: string): Promise<Answer> => await call('POST', `/v1/clients/${encodeURIComponent(clientId)}/revoke`, { token: admin })

t.test('issued: 201 with the password once; the password gets a DMS token of the agency naming the official', async (t) => {
  const issued = await issue(DISTRICT, { address: 'Nguyen.Van.A@LaoCai.gov.vn', name: 'Nguyễn Văn A' })
  t.equal(issued.status, 201)
  t.same(Object.keys(issued.body).sort(), ['agency', 'clientId', 'name', 'password', 'username'])
  t.match(issued.body, { username: 'nguyen.van.a@laocai.gov.vn', clientId: 'mail:nguyen.van.a@laocai.gov.vn', agency: DISTRICT, name: 'Nguyễn Văn A' })

  // as the mail gateway asks: the client id made of the address as the official typed it, lowercased
  const token = await tokenFor(`mail:${'Nguyen.Van.A@LaoCai.gov.vn'.toLowerCase()}`, issued.body.password)
  t.equal(token.status, 200)
  const claims = claimsOf(token.body.accessToken)
  t.match(claims, { sub: DISTRICT, cid: 'mail:nguyen.van.a@laocai.gov.vn', name: 'Nguyễn Văn A' })
  t.same((claims.scope as string).split(' ').sort(), ['documents:read', 'documents:send', 'inbox:read', 'inbox:write'])
  t.notOk('under' in claims)

  const dms = (await call('POST', `/v1/agencies/${DISTRICT}/clients`, { token: admin, json: {} })).body
  t.notOk('name' in claimsOf((await tokenFor(dms.clientId, dms.clientSecret)).body.accessToken), 'a DMS client\u2019s token names nobody')
})

t.test('issued again: the old password stops at once, the new one carries the new name', async (t) => {
  const first = (await issue(DISTRICT, { address: 'vanthu@laocai.gov.vn', name: 'Nguyễn Văn A' })).body
  const second = await issue(DISTRICT, { address: 'VanThu@laocai.gov.vn', name: 'Nguyễn Văn Ánh' })
  t.equal(second.status, 201)
  t.equal(second.body.clientId, first.clientId)
  t.not(second.body.password, first.password)
  const old = await tokenFor(first.clientId, first.password)
  t.equal(old.status, 401)
  t.equal(old.body.code, 'REG_INVALID_CLIENT')
  t.equal(claimsOf((await tokenFor(second.body.clientId, second.body.password)).body.accessToken).name, 'Nguyễn Văn Ánh')
})

t.test('revoked through /v1/clients/{clientId}/revoke: the password gets no token; issued again it works', async (t) => {
  const issued = (await issue(DISTRICT, { address: 'ketoan@laocai.gov.vn', name: 'Phạm Thị D' })).body
  t.equal((await tokenFor(issued.clientId, issued.password)).status, 200)
  const revoked = await revoke('mail:ketoan@laocai.gov.vn')
  t.equal(revoked.status, 200)
  t.match(revoked.body, { clientId: 'mail:ketoan@laocai.gov.vn', agency: DISTRICT })
  const refused = await tokenFor(issued.clientId, issued.password)
  t.equal(refused.status, 401)
  t.equal(refused.body.code, 'REG_INVALID_CLIENT')

  const again = (await issue(DISTRICT, { address: 'ketoan@laocai.gov.vn', name: 'Phạm Thị D' })).body
  t.match(claimsOf((await tokenFor(again.clientId, again.password)).body.accessToken), { sub: DISTRICT, name: 'Phạm Thị D' })
})

t.test('an address live at another agency: 409 REG_MAILBOX_TAKEN; once revoked there, it may be issued here', async (t) => {
  const theirs = (await issue(OTHER, { address: 'chanhvanphong@laocai.gov.vn', name: 'Trần Thị B' })).body
  const taken = await issue(DISTRICT, { address: 'ChanhVanPhong@laocai.gov.vn', name: 'Nguyễn Văn A' })
  t.equal(taken.status, 409)
  t.equal(taken.body.code, 'REG_MAILBOX_TAKEN')
  t.match(taken.body.detail, OTHER)
  t.notOk(JSON.stringify(taken.body).includes(theirs.password))
  t.equal(claimsOf((await tokenFor(theirs.clientId, theirs.password)).body.accessToken).sub, OTHER, 'the other agency\u2019s official still logs in')

  t.equal((await revoke(theirs.clientId)).status, 200)
  const ours = await issue(DISTRICT, { address: 'chanhvanphong@laocai.gov.vn', name: 'Nguyễn Văn A' })
  t.equal(ours.status, 201)
  t.match(claimsOf((await tokenFor(ours.body.clientId, ours.body.password)).body.accessToken), { sub: DISTRICT, name: 'Nguyễn Văn A' })
})

t.test('refusals: unknown or inactive agency, a bad body, no operator', async (t) => {
  const official = { address: 'a@laocai.gov.vn', name: 'Nguyễn Văn A' }
  t.match(await issue('000.00.39.H38', official), { status: 404, body: { code: 'REG_AGENCY_NOT_FOUND' } })
  t.match(await issue(SUSPENDED, official), { status: 403, body: { code: 'REG_AGENCY_INACTIVE' } })
  for (const bad of [
    {}, { address: 'a@laocai.gov.vn' }, { name: 'Nguyễn Văn A' }, { ...official, name: '' }, { ...official, name: '   ' },
    { ...official, name: 'x'.repeat(201) }, { ...official, address: 'not an address' },
    { ...official, address: `${'a'.repeat(182)}@laocai.gov.vn` }, { ...official, scopes: ['registry:admin'] }
  ]) {
    t.match(await issue(DISTRICT, bad), { status: 400, body: { code: 'REG_VALIDATION_FAILED' } }, JSON.stringify(bad).slice(0, 80))
  }
  t.equal((await issue(DISTRICT, { ...official, name: 'x'.repeat(200) })).status, 201, '200 characters of name are enough')
  // 195 characters of address, so that `mail:` and it fit the 200 characters of a token request's client id
  const longest = (await issue(DISTRICT, { ...official, address: `${'a'.repeat(181)}@laocai.gov.vn` })).body
  t.equal((await tokenFor(longest.clientId, longest.password)).status, 200, 'the longest address still logs in')
  t.match(await call('POST', `/v1/agencies/${DISTRICT}/mail-credentials`, { json: official }), { status: 401, body: { code: 'REG_UNAUTHORIZED' } })
  const dms = (await call('POST', `/v1/agencies/${DISTRICT}/clients`, { token: admin, json: {} })).body
  const agencyToken = (await tokenFor(dms.clientId, dms.clientSecret)).body.accessToken
  t.match(await issue(DISTRICT, official, agencyToken), { status: 403, body: { code: 'REG_FORBIDDEN' } })
})
