import t from 'tap'
import { DMS_SCOPES, RegistryEvent } from '@lienthong/contracts'
import { errorFactory } from '@lienthong/platform'
import { authenticateClient, revokeApiClient } from '../../src/domain/api-clients.ts'
import { issueMailCredentials, mailClientId } from '../../src/domain/mail-credentials.ts'
import { migratedDatabase, recordingOutbox } from '../fixtures/db.ts'

const DISTRICT = '000.00.31.H38'
const OTHER = '000.00.32.H38'
const fail = errorFactory('registry')

type Db = Awaited<ReturnType<typeof migratedDatabase>>
async function told ({ sql }: Db): Promise<RegistryEvent[]> {
  return (await sql`select body from registry.events order by created_at, id`).map((r) => RegistryEvent.parse(r.body))
}
async function clientRow ({ sql }: Db, clientId: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await sql`select agency_code, scopes, under, official_name, revoked_at from registry.api_clients where client_id = ${clientId}`
  return row
}

t.test('the client id is the address lowercased behind mail:', async (t) => {
  t.equal(mailClientId('VanThu.HuyenBX@LaoCai.gov.vn'), 'mail:vanthu.huyenbx@laocai.gov.vn')
})

t.test('issued: a DMS client of the agency with the official\u2019s name, told without the password', async (t) => {
  const d = await migratedDatabase(t)
  const ctx = { db: d.db, events: recordingOutbox(d.db), fail }
  const issued = await issueMailCredentials(ctx, DISTRICT, { address: 'Nguyen.Van.A@LaoCai.gov.vn', name: 'Nguyễn Văn A' })
  t.match(issued, { username: 'nguyen.van.a@laocai.gov.vn', clientId: 'mail:nguyen.van.a@laocai.gov.vn', agency: DISTRICT, name: 'Nguyễn Văn A' })
  t.match(issued.password, /^[\w-]{43}$/)
  t.same(await clientRow(d, issued.clientId), { agency_code: DISTRICT, scopes: DMS_SCOPES.join(' '), under: null, official_name: 'Nguyễn Văn A', revoked_at: null })
  t.match(await authenticateClient(d.db, issued.clientId, issued.password), { ok: true, agency: DISTRICT, officialName: 'Nguyễn Văn A' })
  const events = await told(d)
  t.equal(events.length, 1)
  t.match(events[0], { type: 'api-client.created', agency: DISTRICT, clientId: issued.clientId, scopes: DMS_SCOPES, under: null })
  t.notOk(JSON.stringify(events).includes(issued.password), 'the password is in no event')
})

t.test('issued again: a new password, the old one refused at once, the new name, revoked no more', async (t) => {
  const d = await migratedDatabase(t)
  const ctx = { db: d.db, events: recordingOutbox(d.db), fail }
  const first = await issueMailCredentials(ctx, DISTRICT, { address: 'vanthu@laocai.gov.vn', name: 'Nguyễn Văn A' })
  const second = await issueMailCredentials(ctx, DISTRICT, { address: 'VANTHU@laocai.gov.vn', name: 'Nguyễn Văn Ánh' })
  t.equal(second.clientId, first.clientId, 'the same client, however the address is cased')
  t.not(second.password, first.password)
  t.match(await authenticateClient(d.db, first.clientId, first.password), { ok: false, reason: 'wrong_secret' })
  t.match(await authenticateClient(d.db, second.clientId, second.password), { ok: true, officialName: 'Nguyễn Văn Ánh' })

  await revokeApiClient(d.db, ctx.events, first.clientId)
  t.match(await authenticateClient(d.db, second.clientId, second.password), { ok: false, reason: 'client_revoked' })
  const third = await issueMailCredentials(ctx, DISTRICT, { address: 'vanthu@laocai.gov.vn', name: 'Nguyễn Văn Ánh' })
  t.match(await authenticateClient(d.db, third.clientId, third.password), { ok: true, agency: DISTRICT })
  t.same((await told(d)).map((e) => e.type), ['api-client.created', 'api-client.created', 'api-client.revoked', 'api-client.created'])
})

t.test('an address live at another agency is refused; revoked there, it moves', async (t) => {
  const d = await migratedDatabase(t)
  const ctx = { db: d.db, events: recordingOutbox(d.db), fail }
  const theirs = await issueMailCredentials(ctx, OTHER, { address: 'vanthu@laocai.gov.vn', name: 'Trần Thị B' })
  await t.rejects(issueMailCredentials(ctx, DISTRICT, { address: 'vanthu@laocai.gov.vn', name: 'Nguyễn Văn A' }),
    { code: 'REG_MAILBOX_TAKEN', status: 409, message: /has live mail credentials of 000\.00\.32\.H38/ })
  t.match(await authenticateClient(d.db, theirs.clientId, theirs.password), { ok: true, agency: OTHER, officialName: 'Trần Thị B' }, 'the refusal changed nothing')
  t.equal((await told(d)).length, 1, 'and told nothing')

  await revokeApiClient(d.db, ctx.events, theirs.clientId)
  const ours = await issueMailCredentials(ctx, DISTRICT, { address: 'vanthu@laocai.gov.vn', name: 'Nguyễn Văn A' })
  t.match(await authenticateClient(d.db, ours.clientId, ours.password), { ok: true, agency: DISTRICT, officialName: 'Nguyễn Văn A' })
  t.match(await authenticateClient(d.db, ours.clientId, theirs.password), { ok: false }, 'the other agency\u2019s password is not this one\u2019s')
  t.match((await told(d)).at(-1), { type: 'api-client.created', agency: DISTRICT, clientId: ours.clientId })
})

t.test('two agencies issuing the same new address at once: one has it, the other is refused', async (t) => {
  const d = await migratedDatabase(t)
  const ctx = { db: d.db, events: recordingOutbox(d.db), fail }
  const results = await Promise.allSettled([DISTRICT, OTHER].map(async (agency) => await issueMailCredentials(ctx, agency, { address: 'chung@laocai.gov.vn', name: 'Lê Văn C' })))
  const won = results.filter((r) => r.status === 'fulfilled')
  const lost = results.filter((r) => r.status === 'rejected')
  t.equal(won.length, 1)
  t.match(lost, [{ reason: { code: 'REG_MAILBOX_TAKEN' } }])
  t.equal((await clientRow(d, 'mail:chung@laocai.gov.vn'))?.agency_code, won[0]!.value.agency)
})
