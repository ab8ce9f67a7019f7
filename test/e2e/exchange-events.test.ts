import t from 'tap'
import { connect } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { ExchangeEvent, STREAMS, eventSubject } from '@lienthong/contracts'
import { startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { dmsKey, registerKey } from '../harness/dms-keys.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const COMMUNE = '000.05.31.H38'

interface Seen { subject: string, event: any }

t.test('routing and registry tell the EVENTS stream what they did, each once, on the agency\u2019s subject', async (t) => {
  const stack = await startStack(t)
  const admin = await stack.adminToken()
  const province = await stack.tokenFor(PROVINCE)

  const sent = await request('POST', `${stack.routing.url}/v1/documents`, {
    token: province,
    json: { to: [DISTRICT, COMMUNE], document: { number: '77', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc kiểm tra sự kiện', issuedAt: '2026-11-26', priority: 2 } }
  })
  t.equal(sent.status, 202)
  const id: string = sent.body.id
  const recalled = await request('POST', `${stack.routing.url}/v1/documents/${encodeURIComponent(id)}/recall`, { token: province, json: { recipients: [COMMUNE], note: 'gửi nhầm' } })
  t.equal(recalled.status, 202)

  const key = dmsKey(DISTRICT, 'signer', 'chairman-2026')
  await registerKey(stack.registry.url, admin, key, { holder: 'Nguyễn Văn A, Chủ tịch' })
  const client = await request('POST', `${stack.registry.url}/v1/agencies/${DISTRICT}/clients`, { token: admin, json: { scopes: ['documents:send'] } })
  t.equal(client.status, 201)
  const wrong = await request('POST', `${stack.registry.url}/v1/auth/token`, { json: { clientId: client.body.clientId, clientSecret: 'not-the-secret' } })
  t.equal(wrong.body.code, 'REG_INVALID_CLIENT')
  const unknown = await request('POST', `${stack.registry.url}/v1/auth/token`, { json: { clientId: 'ltc_nobody', clientSecret: 'whatever' } })
  t.equal(unknown.body.code, 'REG_INVALID_CLIENT')

  const nc = await connect({ servers: stack.nats.url })
  t.teardown(async () => { await nc.close() })
  const js = jetstream(nc)
  const everything = async (): Promise<Seen[]> => {
    const consumer = await js.consumers.get(STREAMS.events.name, { filter_subjects: 'events.>' })
    const pending = (await consumer.info(true)).num_pending
    const out: Seen[] = []
    if (pending > 0) for await (const m of await consumer.fetch({ max_messages: pending, expires: 5_000 })) out.push({ subject: m.subject, event: m.json() })
    await consumer.delete()
    return out
  }
  const wanted: Record<string, { subject: string, match: (e: any) => boolean }> = {
    'document.sent': { subject: eventSubject(PROVINCE, 'routing'), match: (e) => e.type === 'document.sent' && e.documentId === id },
    'document.recalled': { subject: eventSubject(PROVINCE, 'routing'), match: (e) => e.type === 'document.recalled' && e.documentId === id },
    'agency-key.registered': { subject: eventSubject(DISTRICT, 'registry'), match: (e) => e.type === 'agency-key.registered' && e.kid === key.kid },
    'api-client.created': { subject: eventSubject(DISTRICT, 'registry'), match: (e) => e.type === 'api-client.created' && e.clientId === client.body.clientId },
    'token.refused (wrong secret)': { subject: eventSubject(DISTRICT, 'registry'), match: (e) => e.type === 'token.refused' && e.clientId === client.body.clientId },
    'token.refused (unknown client)': { subject: 'events.system.registry', match: (e) => e.type === 'token.refused' && e.clientId === 'ltc_nobody' }
  }
  const seen = await eventually(async () => {
    const all = await everything()
    return Object.values(wanted).every((w) => all.some((s) => w.match(s.event))) ? all : undefined
  }, 20_000, 'every event in the stream')
  for (const [what, w] of Object.entries(wanted)) {
    const found = seen.filter((s) => w.match(s.event))
    t.equal(found.length, 1, `${what}: once`)
    t.equal(found[0]!.subject, w.subject, `${what}: on ${w.subject}`)
    t.ok(ExchangeEvent.safeParse(found[0]!.event).success, `${what}: matches the contract`)
  }
  const pick = (what: string): any => seen.find((s) => wanted[what]!.match(s.event))!.event
  t.match(pick('document.sent'), {
    agency: PROVINCE, level: 'province', sender: PROVINCE, recipients: [DISTRICT, COMMUNE], priority: 2, number: '77', notation: 'UBND-VP',
    subject: 'Về việc kiểm tra sự kiện', attachments: 0, signedBy: 'custody', envelopeDigest: String
  })
  t.match(pick('document.recalled'), { agency: PROVINCE, recipients: [COMMUNE], note: 'gửi nhầm' })
  t.match(pick('agency-key.registered'), { agency: DISTRICT, level: 'district', role: 'signer', alg: 'EdDSA', holder: 'Nguyễn Văn A, Chủ tịch' })
  t.match(pick('api-client.created'), { agency: DISTRICT, level: 'district', scopes: ['documents:send'], under: null })
  t.notOk(JSON.stringify(pick('api-client.created')).includes(client.body.clientSecret), 'never the secret')
  t.match(pick('token.refused (wrong secret)'), { agency: DISTRICT, reason: 'wrong_secret' })
  t.match(pick('token.refused (unknown client)'), { agency: null, level: null, reason: 'unknown_client' })
  t.ok(seen.some((s) => s.event.type === 'agency.created' && s.event.agency === COMMUNE && s.subject === eventSubject(COMMUNE, 'registry')), 'the directory import told each agency created')

  const [left] = await stack.sql`select (select count(*) from routing.events)::int + (select count(*) from registry.events)::int as n`
  t.equal(left!.n, 0, 'published rows are deleted')
})
