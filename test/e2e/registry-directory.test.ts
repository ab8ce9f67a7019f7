import t from 'tap'
import { startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'

// The first three tests share a stack: the second counts agencies before and after, and imports
// codes the first never touches; the third, which slows down guessing (hence the registry's
// settings here: the first two make no failed logins), suspends agencies, and takes NATS and the
// registry away, comes last.
const shared = await startStack(t, { env: { registry: { LOGIN_LOCK_AFTER: '6', LOGIN_MAX_DELAY_MS: '200' } } })

t.test('the directory: subtree, children, ancestors, changes with versions and dates', async (t) => {
  const stack = shared
  const reg = stack.registry.url
  const admin = await stack.adminToken()

  const under = await request('GET', `${reg}/v1/agencies?under=${DISTRICT}&limit=1000`)
  t.ok(under.body.items.length > 100, 'communes and villages of district 31')
  t.ok(under.body.items.every((a: { code: string }) => /\.31\.H38$/.test(a.code) && a.code !== DISTRICT), 'all inside, the district itself not')
  const communes = await request('GET', `${reg}/v1/agencies?under=${DISTRICT}&level=commune&limit=1000`)
  const children = await request('GET', `${reg}/v1/agencies/${DISTRICT}/children`)
  t.same(children.body.items.map((a: { code: string }) => a.code), communes.body.items.map((a: { code: string }) => a.code), 'a district\u2019s children are its communes')
  const ancestors = await request('GET', `${reg}/v1/agencies/007.05.31.H38/ancestors`)
  t.same(ancestors.body.items.map((a: { code: string }) => a.code), ['000.05.31.H38', DISTRICT, PROVINCE])
  t.equal((await request('GET', `${reg}/v1/agencies/000.00.01.H38`)).body.level, 'province', 'a department is province level')

  // Create, in NFD on purpose: stored NFC, found without diacritics.
  const name = 'Ban Quản lý dự án Lào Cai'.normalize('NFD')
  const created = await request('POST', `${reg}/v1/agencies`, { token: admin, json: { code: '000.00.25.H38', name, level: 'province', kind: 'unit', endpoints: { mailAddress: 'bqlda@laocai.gov.vn' } } })
  t.equal(created.status, 201)
  t.equal(created.body.name, name.normalize('NFC'))
  t.equal(created.body.version, 1)
  t.equal(created.body.endpoints.mailAddress, 'bqlda@laocai.gov.vn')
  const found = await request('GET', `${reg}/v1/agencies?q=ban%20quan%20ly%20du%20an`)
  t.same(found.body.items.map((a: { code: string }) => a.code), ['000.00.25.H38'])

  const renamed = await request('PATCH', `${reg}/v1/agencies/000.00.25.H38`, { token: admin, json: { name: 'Ban Quản lý các dự án', endpoints: { webhookUrl: 'https://dms.example.vn/hook' } } })
  t.equal(renamed.body.version, 2)
  t.equal(renamed.body.endpoints.webhookUrl, 'https://dms.example.vn/hook')
  t.equal(renamed.body.endpoints.mailAddress, 'bqlda@laocai.gov.vn', 'untouched endpoints stay')
  const publicView = await request('GET', `${reg}/v1/agencies/000.00.25.H38`)
  t.equal(publicView.body.endpoints.webhookUrl, null, 'a webhook URL is not shown to everyone')
  t.equal(publicView.body.endpoints.mailAddress, 'bqlda@laocai.gov.vn')

  const suspended = await request('POST', `${reg}/v1/agencies/000.00.25.H38/suspend`, { token: admin })
  t.equal(suspended.body.status, 'suspended')
  t.equal(suspended.body.version, 3)
  t.ok(Date.parse(suspended.body.statusSince) >= Date.parse(created.body.statusSince))
  t.equal((await request('POST', `${reg}/v1/agencies/000.00.25.H38/reactivate`, { token: admin })).body.status, 'active')
  const retired = await request('POST', `${reg}/v1/agencies/000.00.25.H38/retire`, { token: admin })
  t.equal(retired.body.status, 'retired')
  const again = await request('POST', `${reg}/v1/agencies/000.00.25.H38/reactivate`, { token: admin })
  t.equal(again.status, 409)
  t.equal(again.body.code, 'REG_AGENCY_RETIRED')
  const busy = await request('POST', `${reg}/v1/agencies/${DISTRICT}/retire`, { token: admin })
  t.equal(busy.status, 409)
  t.equal(busy.body.code, 'REG_HAS_LIVE_CHILDREN')
  const retiredList = await request('GET', `${reg}/v1/agencies?status=retired`)
  t.same(retiredList.body.items.map((a: { code: string }) => a.code), ['000.00.25.H38'])

  // Bad single writes.
  const dup = await request('POST', `${reg}/v1/agencies`, { token: admin, json: { code: DISTRICT, name: 'X', level: 'district', kind: 'people_committee' } })
  t.equal(dup.body.code, 'REG_AGENCY_EXISTS')
  const orphan = await request('POST', `${reg}/v1/agencies`, { token: admin, json: { code: '000.01.40.H38', name: 'X', level: 'commune', kind: 'people_committee' } })
  t.equal(orphan.body.code, 'REG_INVALID_PLACEMENT')
  t.match(orphan.body.detail, /parent 000.00.40.H38 does not exist/)
  const wrongLevel = await request('PATCH', `${reg}/v1/agencies/000.05.31.H38`, { token: admin, json: { level: 'district' } })
  t.equal(wrongLevel.body.code, 'REG_INVALID_PLACEMENT')
  const badCode = await request('GET', `${reg}/v1/agencies/31.H38`)
  t.equal(badCode.body.code, 'REG_VALIDATION_FAILED')
})

t.test('imports: every bad row with its line, nothing written; CSV and JSON', async (t) => {
  const stack = shared
  const reg = stack.registry.url
  const admin = await stack.adminToken()
  const [before] = await stack.sql`select count(*)::int as n, max(version)::int as v from registry.agencies`

  const bad = [
    'code,name,level,kind',
    '000.00.40.H38,Ủy ban nhân dân huyện Mới,district,people_committee',
    '000.01.40.H38,Ủy ban nhân dân xã Một,commune,people_committee',
    '000.02.41.H38,Xã không có huyện,commune,people_committee',
    '000.01.40.H38,Lặp lại,commune,people_committee',
    '0.01.40.H38,Mã sai,commune,people_committee',
    '000.03.40.H38,Sai cấp,district,people_committee',
    `000.04.40.H38,${'Dài'.repeat(120)},commune,people_committee`
  ].join('\n')
  const refused = await request('POST', `${reg}/v1/agencies/import`, { token: admin, raw: bad, headers: { 'content-type': 'text/csv' } })
  t.equal(refused.status, 422)
  t.equal(refused.body.code, 'REG_IMPORT_INVALID')
  t.same(refused.body.problems.map((p: { line: number }) => p.line), [4, 5, 6, 7, 8])
  const [after] = await stack.sql`select count(*)::int as n, max(version)::int as v from registry.agencies`
  t.same(after, before, 'nothing written, not even the good rows')

  const good = bad.split('\n').slice(0, 3).join('\n')
  const accepted = await request('POST', `${reg}/v1/agencies/import`, { token: admin, raw: good, headers: { 'content-type': 'text/csv' } })
  t.same(accepted.body, { received: 2, changed: 2 })
  const json = await request('POST', `${reg}/v1/agencies/import`, { token: admin, json: { agencies: [{ code: '000.01.40.H38', name: 'Ủy ban nhân dân xã Một', level: 'commune', kind: 'people_committee' }] } })
  t.same(json.body, { received: 1, changed: 0 }, 'the same data again changes nothing')
  const jsonBad = await request('POST', `${reg}/v1/agencies/import`, { token: admin, json: { agencies: [{ code: '000.02.40.H38', name: 'X', level: 'commune', kind: 'people_committee' }, { code: 'x' }] } })
  t.equal(jsonBad.body.code, 'REG_IMPORT_INVALID')
  t.same([...new Set(jsonBad.body.problems.map((p: { line: number }) => p.line))], [2])
  t.equal((await request('GET', `${reg}/v1/agencies/000.02.40.H38`)).status, 404)

  // Routing sees the new district within a second: a document to it is accepted.
  const token = await stack.tokenFor(PROVINCE)
  const sent = await eventually(async () => {
    const r = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: { to: ['000.01.40.H38'], document: { number: '1', notation: 'UBND', type: 'Công văn', subject: 'Chào xã mới', issuedAt: '2026-11-26' } } })
    return r.status === 202 ? r : undefined
  }, 1_000, 'the new commune in routing\u2019s directory')
  t.equal(sent.status, 202)
})

t.test('credentials: inactive agencies, rotation, JWKS, auditors, guessing slowed, registry down', async (t) => {
  const stack = shared
  const reg = stack.registry.url
  const admin = await stack.adminToken()
  const district = await stack.tokenFor(DISTRICT)
  const inboxOk = async (token: string): Promise<number> => (await request('GET', `${stack.inbox.url}/v1/inbox`, { token })).status
  t.equal(await inboxOk(district), 200)

  // Suspension: no new token, and the live one stops working in the other services.
  const client = (await request('POST', `${reg}/v1/agencies/${DISTRICT}/clients`, { token: admin, json: {} })).body
  await request('POST', `${reg}/v1/agencies/${DISTRICT}/suspend`, { token: admin })
  const refused = await request('POST', `${reg}/v1/auth/token`, { json: { clientId: client.clientId, clientSecret: client.clientSecret } })
  t.equal(refused.status, 403)
  t.equal(refused.body.code, 'REG_AGENCY_INACTIVE')
  await eventually(async () => await inboxOk(district) === 401 ? true : undefined, 5_000, 'the live token refused')
  const routingAnswer = await request('GET', `${stack.routing.url}/v1/documents/x`, { token: district })
  t.equal(routingAnswer.body.code, 'RTE_UNAUTHORIZED')
  t.match(routingAnswer.body.detail, /suspended/)
  await request('POST', `${reg}/v1/agencies/${DISTRICT}/reactivate`, { token: admin })
  await eventually(async () => await inboxOk(district) === 200 ? true : undefined, 5_000, 'the token works again')

  // Rotation: the new key signs, the old tokens still verify, JWKS lists both.
  const oldKid = JSON.parse(Buffer.from(district.split('.')[0]!, 'base64url').toString()).kid
  const rotated = await request('POST', `${reg}/v1/auth/keys/rotate`, { token: admin })
  t.equal(rotated.status, 200)
  t.not(rotated.body.kid, oldKid)
  const fresh = await stack.tokenFor(DISTRICT)
  t.equal(JSON.parse(Buffer.from(fresh.split('.')[0]!, 'base64url').toString()).kid, rotated.body.kid)
  const jwks = await request('GET', `${reg}/.well-known/jwks.json`)
  t.same(jwks.body.keys.map((k: { kid: string }) => k.kid).sort(), [oldKid, rotated.body.kid].sort())
  t.ok(jwks.body.keys.every((k: { kty: string, crv: string, d?: string }) => k.kty === 'OKP' && k.crv === 'Ed25519' && k.d === undefined), 'public Ed25519 keys only')
  await eventually(async () => await inboxOk(fresh) === 200 ? true : undefined, 2_000, 'the new key verifies')
  t.equal(await inboxOk(district), 200, 'the old token still verifies')

  // An auditor's token carries its subtree.
  const auditor = await stack.tokenFor(DISTRICT, ['audit:read'])
  const claims = JSON.parse(Buffer.from(auditor.split('.')[1]!, 'base64url').toString())
  t.equal(claims.under, DISTRICT)
  const outside = await request('POST', `${reg}/v1/agencies/${DISTRICT}/clients`, { token: admin, json: { scopes: ['audit:read'], under: '000.00.32.H38' } })
  t.equal(outside.body.code, 'REG_VALIDATION_FAILED')

  // Guessing: the same answer for a wrong id and a wrong secret, slower and slower, then refusal.
  const answers = []
  const took: number[] = []
  for (let i = 0; i < 7; i++) {
    const started = performance.now()
    answers.push(await request('POST', `${reg}/v1/auth/token`, { json: { clientId: client.clientId, clientSecret: `guess-${i}` } }))
    took.push(performance.now() - started)
  }
  t.same(answers.slice(0, 6).map((a) => a.body.code), Array(6).fill('REG_INVALID_CLIENT'))
  t.ok(took[3]! >= 100 && took[4]! >= 200, `the 4th and 5th failures are held back (${took.map((x) => Math.round(x)).join(', ')} ms)`)
  t.equal(answers[6]!.status, 429)
  t.equal(answers[6]!.body.code, 'REG_RATE_LIMITED')
  t.ok(Number(answers[6]!.headers.get('retry-after')) > 0)

  // The token route keeps the small body limit, whatever the import route allows.
  const huge = await request('POST', `${reg}/v1/auth/token`, { raw: JSON.stringify({ clientId: 'x', clientSecret: 'y'.repeat(2_000_000) }) })
  t.equal(huge.status, 413)
  t.equal(huge.body.code, 'REG_BODY_TOO_LARGE')

  // NATS away while registry writes: the change is stored, and published once NATS is back.
  await stack.nats.stop()
  const during = await request('POST', `${reg}/v1/agencies/000.00.32.H38/suspend`, { token: admin })
  t.ok(during.status >= 500, `registry says it could not finish (${during.status})`)
  await stack.nats.start()
  const other = await stack.tokenFor('000.00.33.H38')
  const [row] = await stack.sql`select status from registry.agencies where code = '000.00.32.H38'`
  t.equal(row!.status, 'suspended', 'the change itself was stored')
  let attempt = 100
  await eventually(async () => {
    // a new number each time: a repeat of a stored document would be answered from the store
    const r = await request('POST', `${stack.routing.url}/v1/documents`, { token: other, json: { to: ['000.00.32.H38'], document: { number: String(attempt++), notation: 'UBND', type: 'Công văn', subject: 'Sau sự cố', issuedAt: '2026-11-26' } } })
    return r.status === 422 && r.body.code === 'RTE_INACTIVE_RECIPIENT' ? true : undefined
  }, 20_000, 'routing learns of the suspension without a retry')

  // Registry down: the others go on with what they mirrored.
  await stack.registry.stop()
  const sent = await request('POST', `${stack.routing.url}/v1/documents`, { token: fresh, json: { to: [PROVINCE], document: { number: '3', notation: 'UBND', type: 'Báo cáo', subject: 'Khi registry ngừng', issuedAt: '2026-11-26' } } })
  t.equal(sent.status, 202, 'routing checks tokens and recipients without registry')
  // …even when they start while registry is away: the directory and keys come from the buckets.
  await stack.routing.stop()
  await stack.routing.start()
  await stack.routing.waitReady()
  const afterRestart = await request('POST', `${stack.routing.url}/v1/documents`, { token: fresh, json: { to: [PROVINCE], document: { number: '4', notation: 'UBND', type: 'Báo cáo', subject: 'Khởi động khi registry ngừng', issuedAt: '2026-11-26' } } })
  t.equal(afterRestart.status, 202, 'a routing started without registry works')
})

t.test('two tiers: a province → commune directory by configuration only', async (t) => {
  const agencies = [
    { code: '000.00.00.H38', name: 'Ủy ban nhân dân tỉnh Lào Cai', level: 'province', kind: 'people_committee' },
    { code: '000.00.01.H38', name: 'Sở Nội vụ tỉnh Lào Cai', level: 'province', kind: 'department' },
    { code: '000.00.05.H38', name: 'Ủy ban nhân dân xã Bát Xát', level: 'commune', kind: 'people_committee' }
  ] as const
  const stack = await startStack(t, { agencies: [...agencies], env: { registry: { LEVELS: 'province,commune' } } })
  const admin = await stack.adminToken()
  const district = await request('POST', `${stack.registry.url}/v1/agencies`, { token: admin, json: { code: '000.00.31.H38', name: 'Huyện', level: 'district', kind: 'people_committee' } })
  t.equal(district.body.code, 'REG_INVALID_PLACEMENT')
  t.match(district.body.detail, /not used by this directory/)
  const sent = await request('POST', `${stack.routing.url}/v1/documents`, { token: await stack.tokenFor('000.00.00.H38'), json: { to: { group: 'children', level: 'commune' }, document: { number: '1', notation: 'UBND', type: 'Công văn', subject: 'Hai cấp', issuedAt: '2026-11-26' } } })
  t.same(sent.body.recipients, ['000.00.05.H38'])
})
