import t from 'tap'
import { KV_BUCKETS, RegistryEvent, STREAMS, eventSubject } from '@lienthong/contracts'
import { newKeyPair } from '@lienthong/crypto'
import { errorFactory, openBucket, openDirectoryBucket } from '@lienthong/platform'
import type { RegistryContext } from '../../src/context.ts'
import { changeAgency, changeStatus, createAgency, importDirectory } from '../../src/domain/directory-writes.ts'
import { addAgencyKey, addAgencyKeys, revokeAgencyKey } from '../../src/domain/agency-keys.ts'
import { authenticateClient, createApiClient, revokeApiClient } from '../../src/domain/api-clients.ts'
import { recordTokenRefusal } from '../../src/domain/token-refusals.ts'
import { RegistryOutbox } from '../../src/domain/event-outbox.ts'
import { validateSubmittedKey } from '../../src/domain/public-key.ts'
import { eventsNats } from '../../../../test/harness/test-nats.ts'
import { eventually } from '../../../../test/harness/http.ts'
import { migratedDatabase, quietLog, recordingOutbox } from '../fixtures/db.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const COMMUNE = '000.01.31.H38'
const fail = errorFactory('registry')

const { nats, nc, js } = await eventsNats(t)
const directoryBucket = await openDirectoryBucket(nc)

type Db = Awaited<ReturnType<typeof migratedDatabase>>
async function told ({ sql }: Db): Promise<any[]> {
  const rows = (await sql`select agency, body from registry.events order by created_at, id`).map((r) => r.body)
  for (const r of rows) RegistryEvent.parse(r)
  return rows
}

function contextOf (db: Db['db']): RegistryContext {
  return { config: { LEVELS: ['province', 'district', 'commune', 'village'] }, db, directoryBucket, events: recordingOutbox(db), fail } as unknown as RegistryContext
}

const province = { code: PROVINCE, name: 'UBND tỉnh Lào Cai', level: 'province', kind: 'people_committee' } as const
const district = { code: DISTRICT, name: 'UBND thành phố Lào Cai', level: 'district', kind: 'people_committee' } as const
const commune = { code: COMMUNE, name: 'UBND phường Duyên Hải', level: 'commune', kind: 'people_committee' } as const

t.test('directory changes are told in their transaction, and only when something changed', async (t) => {
  const d = await migratedDatabase(t)
  const ctx = contextOf(d.db)
  await createAgency(ctx, province, {})
  await createAgency(ctx, district, { mailAddress: 'vp@laocai.gov.vn' })
  t.match(await told(d), [
    { type: 'agency.created', agency: PROVINCE, level: 'province', via: 'api', agencyFacts: { level: 'province', status: 'active', parent: null } },
    { type: 'agency.created', agency: DISTRICT, level: 'district', agencyFacts: { parent: PROVINCE, mailAddress: 'vp@laocai.gov.vn' } }
  ])
  await t.rejects(createAgency(ctx, district, {}), { code: 'REG_AGENCY_EXISTS' })
  await t.rejects(createAgency(ctx, { ...commune, code: '000.01.39.H38' }, {}), { code: 'REG_INVALID_PLACEMENT' })
  t.equal((await told(d)).length, 2, 'a refused creation tells nothing')
  await d.sql`delete from registry.events`

  await changeAgency(ctx, DISTRICT, { name: 'UBND TP Lào Cai', mailAddress: null })
  await changeStatus(ctx, DISTRICT, 'suspend')
  await changeStatus(ctx, DISTRICT, 'suspend')
  await createAgency(ctx, commune, {})
  await t.rejects(changeStatus(ctx, DISTRICT, 'retire'), { code: 'REG_HAS_LIVE_CHILDREN' })
  const [renamed, suspended, created, ...more] = await told(d)
  t.match(renamed, { type: 'agency.changed', agency: DISTRICT, via: 'api', before: { name: 'UBND thành phố Lào Cai', mailAddress: 'vp@laocai.gov.vn' }, after: { name: 'UBND TP Lào Cai', mailAddress: null } })
  t.same(Object.keys(renamed.after).sort(), ['mailAddress', 'name'], 'only what changed')
  t.match(suspended, { type: 'agency.changed', before: { status: 'active' }, after: { status: 'suspended' }, version: 3 })
  t.match(created, { type: 'agency.created', agency: COMMUNE })
  t.same(more, [], 'a status set to what it was, and a refused retirement, tell nothing')
  await d.sql`delete from registry.events`

  // An import: new rows created, changed rows changed (a level change among them), the same rows nothing.
  const rows = (list: object[]): any[] => list.map((value, i) => ({ line: i + 1, value }))
  await importDirectory(ctx, rows([{ ...commune, name: 'UBND xã Duyên Hải' }, { ...commune, code: '000.02.31.H38', name: 'UBND xã Cam Đường' }]))
  t.match(await told(d), [
    { type: 'agency.changed', agency: COMMUNE, via: 'import', before: { name: 'UBND phường Duyên Hải' }, after: { name: 'UBND xã Duyên Hải' } },
    { type: 'agency.created', agency: '000.02.31.H38', via: 'import', level: 'commune' }
  ])
  await d.sql`delete from registry.events`
  await importDirectory(ctx, rows([{ ...commune, name: 'UBND xã Duyên Hải' }]))
  await t.rejects(importDirectory(ctx, rows([{ ...commune, code: '000.03.31.H38' }, { ...commune, code: '000.01.99.H38' }])), { code: 'REG_IMPORT_INVALID' })
  t.same(await told(d), [], 'the same import again, or a refused one, tells nothing')
  await changeAgency(ctx, DISTRICT, { level: 'province', kind: 'department' })
  t.match(await told(d), [{ type: 'agency.changed', level: 'province', before: { level: 'district', kind: 'people_committee' }, after: { level: 'province', kind: 'department' } }], 'a level change carries the new level')
})

t.test('keys registered and revoked are told without their material; a refused key tells nothing', async (t) => {
  const d = await migratedDatabase(t)
  const outbox = recordingOutbox(d.db, { [DISTRICT]: 'district' })
  const agencyKeysBucket = await openBucket(nc, KV_BUCKETS.agencyKeys)
  const key = (kid: string, role: 'agency' | 'signer' = 'agency'): any => validateSubmittedKey({ kid, role, jwk: newKeyPair().publicJwk as Record<string, unknown>, ...(role === 'signer' ? { holder: 'Nguyễn Văn A, Chủ tịch' } : {}) }, fail)
  const seal = key('seal-1')
  await addAgencyKey(d.db, agencyKeysBucket, outbox, DISTRICT, seal, fail)
  await t.rejects(addAgencyKey(d.db, agencyKeysBucket, outbox, DISTRICT, seal, fail), { code: 'REG_KEY_EXISTS' })
  await t.rejects(addAgencyKey(d.db, agencyKeysBucket, outbox, DISTRICT, { ...seal, kid: 'seal-2', role: 'signer' }, fail), { code: 'REG_INVALID_KEY' })
  await addAgencyKeys(d.db, agencyKeysBucket, outbox, [{ agency: DISTRICT, key: key('chair', 'signer') }, { agency: DISTRICT, key: seal }], fail)
  await revokeAgencyKey(d.db, agencyKeysBucket, outbox, DISTRICT, 'seal-1', fail)
  await revokeAgencyKey(d.db, agencyKeysBucket, outbox, DISTRICT, 'seal-1', fail)
  await t.rejects(revokeAgencyKey(d.db, agencyKeysBucket, outbox, DISTRICT, 'nope', fail), { code: 'REG_KEY_NOT_FOUND' })
  const events = await told(d)
  t.match(events, [
    { type: 'agency-key.registered', agency: DISTRICT, level: 'district', kid: 'seal-1', role: 'agency', alg: 'EdDSA', holder: null, certificateSubject: null },
    { type: 'agency-key.registered', kid: 'chair', role: 'signer', holder: 'Nguyễn Văn A, Chủ tịch' },
    { type: 'agency-key.revoked', kid: 'seal-1', role: 'agency', revokedAt: String }
  ])
  t.equal(events.length, 3, 'a key already there, or revoked again, tells nothing new')
  t.notOk(JSON.stringify(events).includes(seal.publicJwk.x as string), 'no key material')
})

t.test('clients created and revoked are told without their secret; refused token requests each tell why', async (t) => {
  const d = await migratedDatabase(t)
  const outbox = recordingOutbox(d.db)
  const issued = await createApiClient(d.db, outbox, DISTRICT, ['documents:send'], null)
  await revokeApiClient(d.db, outbox, issued.clientId)
  await revokeApiClient(d.db, outbox, issued.clientId)
  const events = await told(d)
  t.match(events, [
    { type: 'api-client.created', agency: DISTRICT, clientId: issued.clientId, scopes: ['documents:send'], under: null },
    { type: 'api-client.revoked', agency: DISTRICT, clientId: issued.clientId }
  ])
  t.equal(events.length, 2, 'revoked once')
  t.notOk(JSON.stringify(events).includes(issued.clientSecret), 'never the secret')
  await d.sql`delete from registry.events`

  const live = await createApiClient(d.db, outbox, DISTRICT, ['documents:send'], null)
  t.match(await authenticateClient(d.db, live.clientId, live.clientSecret), { ok: true, agency: DISTRICT })
  t.same(await authenticateClient(d.db, live.clientId, 'wrong'), { ok: false, reason: 'wrong_secret', agency: DISTRICT })
  t.same(await authenticateClient(d.db, issued.clientId, issued.clientSecret), { ok: false, reason: 'client_revoked', agency: DISTRICT })
  t.same(await authenticateClient(d.db, 'no-such-client', 'x'), { ok: false, reason: 'unknown_client', agency: null })
  await d.sql`delete from registry.events`

  t.ok(await recordTokenRefusal(d.db, outbox, { clientId: 'no-such-client', agency: null, reason: 'unknown_client' }, 3))
  t.ok(await recordTokenRefusal(d.db, outbox, { clientId: live.clientId, agency: DISTRICT, reason: 'wrong_secret' }, 3))
  t.match(await told(d), [
    { type: 'token.refused', agency: null, level: null, clientId: 'no-such-client', reason: 'unknown_client' },
    { type: 'token.refused', agency: DISTRICT, clientId: live.clientId, reason: 'wrong_secret' }
  ])
  t.ok(await recordTokenRefusal(d.db, outbox, { clientId: 'x', agency: null, reason: 'rate_limited' }, 3))
  t.notOk(await recordTokenRefusal(d.db, outbox, { clientId: 'x', agency: null, reason: 'rate_limited' }, 3), 'a flood while JetStream is away stops at the bound')
  t.equal((await told(d)).length, 3)
  await createApiClient(d.db, outbox, DISTRICT, ['documents:send'], null)
  t.equal((await told(d)).length, 4, 'the bound is on refusals only: changes are always told')
  await outbox.sweep(0)
  t.equal((await told(d)).length, 4, 'an outbox without JetStream keeps them')
})

t.test('published on the agency\u2019s registry subject, or events.system.registry, deleted once published; the sweeper sends what was left', async (t) => {
  const d = await migratedDatabase(t)
  const outbox = new RegistryOutbox(d.db, js, () => 'district', quietLog)
  t.equal(eventSubject(null, 'registry'), 'events.system.registry')
  const fetch = async (subject: string): Promise<any[]> => {
    const consumer = await js.consumers.get(STREAMS.events.name, { filter_subjects: subject })
    const pending = (await consumer.info(true)).num_pending
    const out: any[] = []
    if (pending === 0) return out
    for await (const m of await consumer.fetch({ max_messages: pending, expires: 2_000 })) out.push(m.json())
    return out
  }
  await recordTokenRefusal(d.db, outbox, { clientId: 'who', agency: null, reason: 'unknown_client' }, 100)
  const issued = await createApiClient(d.db, outbox, DISTRICT, ['documents:send'], null)
  await eventually(async () => (await told(d)).length === 0 ? true : undefined, 10_000, 'published and deleted')
  t.match(await fetch('events.system.registry'), [{ type: 'token.refused', clientId: 'who', level: null }])
  t.match(await fetch(eventSubject(DISTRICT, 'registry')), [{ type: 'api-client.created', clientId: issued.clientId, level: 'district' }])

  // as if registry died between the commit and the publish
  await recordTokenRefusal(d.db, recordingOutbox(d.db), { clientId: 'again', agency: null, reason: 'unknown_client' }, 100)
  t.equal(await outbox.sweep(60_000), 0, 'too recent for the sweeper')
  t.equal(await outbox.sweep(0), 1)
  t.equal((await told(d)).length, 0)
  t.same((await fetch('events.system.registry')).map((e) => e.clientId), ['who', 'again'], 'each once')
})
