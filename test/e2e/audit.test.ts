// The audit service on a whole stack: documents and steps through the public APIs end up in the
// ledger and the report; auditors read only their subtree; verify finds a row altered in Postgres.
// Last, on the same stack, what the audit reads: routing's and registry's events in the stream.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { connect } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { ExchangeEvent, STREAMS, eventSubject } from '@lienthong/contracts'
import { repoRoot } from '@lienthong/infra'
import { startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { lienthong } from '../harness/cli.ts'
import { dmsKey, registerKey } from '../harness/dms-keys.ts'

const PROVINCE = '000.00.00.H38'
const DEPARTMENT = '000.00.01.H38'
const DISTRICT = '000.00.31.H38'
const OTHER_DISTRICT = '000.00.32.H38'
const COMMUNE = '000.01.31.H38'

const stack = await startStack(t, { audit: true })
const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10)
const year = today.slice(0, 4)
const report = (token: string, query: string): Promise<any> => request('GET', `${stack.audit.url}/v1/reports/online-share?from=${year}-01-01&to=${year}-12-31&${query}`, { token })

async function arrive (from: string, to: string[], number: string): Promise<Record<string, string>> {
  const sent = await request('POST', `${stack.routing.url}/v1/documents`, {
    token: await stack.tokenFor(from),
    json: { to, document: { number, notation: 'UBND-VP', type: 'Công văn', subject: `Kiểm tra số hóa ${number}`, issuedAt: today } }
  })
  if (sent.status !== 202) throw new Error(`send: ${sent.status} ${JSON.stringify(sent.body)}`)
  const items: Record<string, string> = {}
  for (const agency of to) {
    items[agency] = await eventually(async () => {
      const list = await request('GET', `${stack.inbox.url}/v1/inbox`, { token: await stack.tokenFor(agency) })
      return list.body.items?.find((i: { documentId: string }) => i.documentId === sent.body.id)?.id
    }, 20_000, `the document in ${agency}'s inbox`)
  }
  return items
}

async function steps (agency: string, path: string, codes: Array<[string, 'online' | 'paper']>): Promise<void> {
  for (const [code, channel] of codes) {
    const r = await request('POST', `${stack.inbox.url}${path}/status`, { token: await stack.tokenFor(agency), json: { code, channel, official: { name: 'Lò Văn Minh' } } })
    if (r.status !== 200) throw new Error(`step ${code}: ${r.status} ${JSON.stringify(r.body)}`)
  }
}

const ONLINE: Array<[string, 'online']> = [['03', 'online'], ['04', 'online'], ['05', 'online'], ['06', 'online']]

t.test('documents and steps through the public APIs become the per-level report', async (t) => {
  const a = await arrive(PROVINCE, [DISTRICT, OTHER_DISTRICT, DEPARTMENT], '101')
  const b = await arrive(DISTRICT, [COMMUNE], '102')
  await steps(DISTRICT, `/v1/inbox/${a[DISTRICT]!}`, ONLINE)
  await steps(OTHER_DISTRICT, `/v1/inbox/${a[OTHER_DISTRICT]!}`, [['03', 'online'], ['04', 'paper'], ['05', 'online'], ['06', 'online']])
  await steps(DEPARTMENT, `/v1/inbox/${a[DEPARTMENT]!}`, ONLINE)
  await steps(COMMUNE, `/v1/inbox/${b[COMMUNE]!}`, [['03', 'online']])
  // A file the commune opened itself, not from an incoming document: never fully online.
  const opened = await request('POST', `${stack.inbox.url}/v1/work-files`, { token: await stack.tokenFor(COMMUNE), json: { title: 'Đơn đề nghị của công dân', channel: 'online', dueAt: new Date(Date.now() - 60_000).toISOString() } })
  t.equal(opened.status, 201)
  const dms = await request('POST', `${stack.inbox.url}/v1/work-files`, { token: await stack.tokenFor(COMMUNE), json: { title: 'Hồ sơ cấp phép', channel: 'online' } })
  await steps(COMMUNE, `/v1/work-files/${dms.body.id as string}`, [['04', 'online'], ['05', 'online'], ['06', 'online']])

  const auditor = await stack.tokenFor(PROVINCE, ['audit:read'])
  const levels = await eventually(async () => {
    const r = await report(auditor, 'by=agency')
    const closed = r.body.levels?.reduce((s: number, l: { closed: number }) => s + l.closed, 0)
    const open = r.body.levels?.reduce((s: number, l: { open: number }) => s + l.open, 0)
    // Events of different agencies are published side by side: wait for all of them, not the first four.
    return closed === 4 && open === 2 ? r.body : undefined
  }, 30_000, 'four completed files and two open ones in the report')
  const level = (name: string): any => levels.levels.find((l: { level: string }) => l.level === name)
  t.same(levels.levels.map((l: { level: string }) => l.level), ['province', 'district', 'commune', 'village'])
  t.match(level('province'), { closed: 1, online: 1, share: 1, open: 0 }, 'the department counts at province level')
  t.match(level('district'), { closed: 2, online: 1, share: 0.5, open: 0 }, 'one district file had a paper step')
  t.match(level('commune'), { closed: 1, online: 0, share: 0, open: 2, overdue: 1 }, 'the DMS file is not online; two open, one overdue')
  t.match(level('village'), { closed: 0, online: 0, share: null })
  const agency = (code: string): any => levels.agencies.find((a: { code: string }) => a.code === code)
  t.match(agency(OTHER_DISTRICT), { closed: 1, online: 0, level: 'district', parent: PROVINCE, hasChildren: true })
  t.match(agency(COMMUNE), { closed: 1, online: 0, open: 2, overdue: 1 })

  const csv = await report(auditor, 'format=csv')
  t.equal(csv.status, 200)
  t.match(csv.type, /^text\/csv/)
  // The byte-order mark that tells a spreadsheet the file is UTF-8 (fetch's text() drops it).
  const raw = Buffer.from(await (await fetch(`${stack.audit.url}/v1/reports/online-share?from=${year}-01-01&to=${year}-12-31&format=csv`, { headers: { authorization: `Bearer ${auditor}` } })).arrayBuffer())
  t.same([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf])
  t.match(csv.body, /^level,closed,online,share_percent,open,overdue\r\nprovince,1,1,100\.00,0,0\r\ndistrict,2,1,50\.00,0,0\r\ncommune,1,0,0\.00,2,1\r\nvillage,0,0,,0,0\r\n$/)

  const months = await report(auditor, 'by=month')
  const thisMonth = months.body.months.find((m: { month: string }) => m.month === today.slice(0, 7))
  t.match(thisMonth.levels.find((l: { level: string }) => l.level === 'district'), { closed: 2, online: 1 })
  t.equal(months.body.months.length, 12)
})

t.test('an auditor reads its own subtree only, and nothing else reads at all', async (t) => {
  const district = await stack.tokenFor(DISTRICT, ['audit:read'])
  const own = await report(district, '')
  t.equal(own.status, 200)
  t.equal(own.body.under, DISTRICT)
  t.same(own.body.levels.map((l: { level: string }) => l.level), ['district', 'commune', 'village'])
  t.match(own.body.levels[0], { closed: 1, online: 1 }, 'its own district only, not the other one')
  t.equal((await report(district, `under=${COMMUNE}`)).status, 200, 'a commune below it')
  for (const under of [PROVINCE, OTHER_DISTRICT, '000.01.32.H38']) {
    const r = await report(district, `under=${under}`)
    t.equal(r.status, 403, under)
    t.equal(r.body.code, 'AUD_OUTSIDE_SUBTREE')
    t.match(r.type, /application\/problem\+json/)
  }
  const dms = await report(await stack.tokenFor(DISTRICT), '')
  t.equal(dms.status, 403, 'a DMS token has no audit:read')
  t.equal(dms.body.code, 'AUD_FORBIDDEN')
  t.equal((await report('not-a-token', '')).body.code, 'AUD_UNAUTHORIZED')
  const province = await stack.tokenFor(PROVINCE, ['audit:read'])
  t.equal((await report(province, 'under=31.H38')).body.code, 'AUD_VALIDATION_FAILED', 'not an agency code')
  t.match(await report(province, 'under=000.00.39.H38&by=level'), { status: 200 }, 'a district of the seed')
  t.match((await report(province, 'under=999.99.99.H38')).body, { status: 404, code: 'AUD_UNKNOWN_AGENCY' })
  const reversed = await request('GET', `${stack.audit.url}/v1/reports/online-share?from=${year}-12-31&to=${year}-01-01`, { token: province })
  t.match(reversed.body, { status: 400, code: 'AUD_INVALID_PERIOD' })
  const post = await request('POST', `${stack.audit.url}/v1/reports/online-share`, { token: province, json: {} })
  t.equal(post.status, 404, 'nothing writes through the audit service')
})

t.test('the ledger verifies, with signed checkpoints; a row altered in Postgres is named', async (t) => {
  const province = await stack.tokenFor(PROVINCE, ['audit:read'])
  const verified = await eventually(async () => {
    const v = await request('GET', `${stack.audit.url}/v1/ledger/verify`, { token: province })
    return v.body.checkpoints > 0 && v.body.entries > 10 ? v.body : undefined
  }, 30_000, 'a signed checkpoint')
  t.match(verified, { ok: true, firstBroken: null })
  t.equal(verified.lastSeq, verified.entries)
  // Every kind of event of the exchange is in the ledger: routing's, registry's (a refused token request too) and the inbox's.
  const refused = await request('POST', `${stack.registry.url}/v1/auth/token`, { json: { clientId: 'nobody', clientSecret: 'wrong-secret-of-nobody' } })
  t.equal(refused.status, 401)
  const types = await eventually(async () => {
    const rows = await stack.sql<Array<{ type: string }>>`select distinct type from audit.ledger order by type`
    return rows.some((r) => r.type === 'token.refused') ? rows.map((r) => r.type) : undefined
  }, 20_000, 'the refused token request in the ledger')
  for (const type of ['document.sent', 'agency.created', 'api-client.created', 'token.refused', 'item.arrived', 'work-file.opened', 'work-file.step', 'document.status']) t.ok(types.includes(type), type)

  // `lienthong ledger verify` on a local stack says the same, in words.
  const home = mkdtempSync(join(repoRoot, '.data', 'test', 'cli-'))
  t.teardown(() => { rmSync(home, { recursive: true, force: true }) })
  writeFileSync(join(home, 'stack.json'), JSON.stringify({ urls: { registry: stack.registry.url, routing: stack.routing.url, inbox: stack.inbox.url, audit: stack.audit.url }, pids: { up: 0, services: [] }, startedServers: false }))
  writeFileSync(join(home, 'operator.json'), JSON.stringify({ clientId: stack.registry.spec.env.OPERATOR_CLIENT_ID, clientSecret: stack.registry.spec.env.OPERATOR_CLIENT_SECRET }))
  const cli = async (): Promise<{ code: number, stdout: string }> => await lienthong(['ledger', 'verify'], { ...process.env, LIENTHONG_HOME: home })
    .then((r) => ({ code: 0, stdout: r.stdout }), (err: { code: number, stdout: string }) => ({ code: err.code, stdout: err.stdout }))
  const holds = await cli()
  t.equal(holds.code, 0)
  t.match(holds.stdout, /^the ledger holds: \d+ entries, [1-9]\d* signed checkpoints/)

  const [victim] = await stack.sql<[{ seq: string, event_id: string }]>`select seq, event_id from audit.ledger where type = 'work-file.step' and body like '%"channel":"paper"%' order by seq limit 1`
  // Someone turns a paper step into an online one, straight in Postgres.
  await stack.sql`update audit.ledger set body = replace(body, '"channel":"paper"', '"channel":"online"') || ' ' where seq = ${victim!.seq}`
  const broken = await request('GET', `${stack.audit.url}/v1/ledger/verify`, { token: province })
  t.equal(broken.status, 200)
  t.match(broken.body, { ok: false, firstBroken: { seq: Number(victim!.seq), eventId: victim!.event_id, reason: 'entry_altered' } })
  const said = await cli()
  t.equal(said.code, 1, 'exit 1 when the ledger is broken')
  t.match(said.stdout, new RegExp(`^the ledger is BROKEN at entry ${victim!.seq} \\(event ${victim!.event_id}\\): entry_altered`))
})

interface Seen { subject: string, event: any }

t.test('routing and registry tell the EVENTS stream what they did, each once, on the agency\u2019s subject', async (t) => {
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
