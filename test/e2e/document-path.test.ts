import t from 'tap'
import { laocaiAboveVillages, startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { openEventStream, type EventStream } from '../harness/event-stream.ts'
import { connect } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { InboxEvent, STREAMS } from '@lienthong/contracts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'

const smallest = {
  to: [DISTRICT],
  document: { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc triển khai chuyển đổi số năm 2026', issuedAt: '2026-11-26' }
}

// One stack for the file: each test looks only at its own documents.
const stack = await startStack(t, { agencies: laocaiAboveVillages() })

t.test('a province document reaches the district, is accepted, and the province sees it', async (t) => {
  const province = await stack.tokenFor(PROVINCE)
  const district = await stack.tokenFor(DISTRICT)

  const sent = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: smallest })
  t.equal(sent.status, 202)
  t.equal(sent.body.id, '000.00.00.H38,2026/11/26,12/UBND-VP')
  t.same(sent.body.recipients, [DISTRICT])
  t.equal(sent.body.sender, PROVINCE)

  const inbox = await eventually(async () => {
    const list = await request('GET', `${stack.inbox.url}/v1/inbox`, { token: district })
    return list.body.items?.length > 0 ? list.body : undefined
  }, 15_000, 'the document in the district inbox')
  t.equal(inbox.items.length, 1)
  const item = inbox.items[0]
  t.equal(item.documentId, sent.body.id)
  t.equal(item.sender, PROVINCE)
  t.equal(item.state, '01')
  t.equal(item.subject, smallest.document.subject)

  const detail = await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: district })
  t.equal(detail.status, 200)
  t.equal(detail.body.document.notation, 'UBND-VP')
  t.same(detail.body.steps.map((s: { code: string }) => s.code), ['01'])

  const docUrl = `${stack.routing.url}/v1/documents/${encodeURIComponent(sent.body.id)}`
  await eventually(async () => {
    const view = await request('GET', docUrl, { token: province })
    return view.body.recipients?.[0]?.status === '01' ? view : undefined
  }, 15_000, 'status 01 at the sender')

  const accepted = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, {
    token: district, json: { code: '03', channel: 'online', official: { name: 'Nguyễn Văn A' }, note: 'Đã tiếp nhận' }
  })
  t.equal(accepted.status, 200)
  t.equal(accepted.body.state, '03')

  const view = await eventually(async () => {
    const v = await request('GET', docUrl, { token: province })
    return v.body.recipients?.[0]?.status === '03' ? v.body : undefined
  }, 15_000, 'status 03 at the sender')
  t.equal(view.recipients[0].recipient, DISTRICT)
  t.same(view.recipients[0].history.map((h: { code: string }) => h.code), ['01', '03'])
  t.equal(view.recipients[0].history[1].note, 'Đã tiếp nhận')

  // The recipient's own view follows the step, and the sender cannot read the recipient's inbox.
  const after = await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: district })
  t.same(after.body.steps.map((s: { code: string }) => s.code), ['01', '03'])
  const notMine = await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: province })
  t.equal(notMine.status, 404)
  t.equal(notMine.body.code, 'INB_ITEM_NOT_FOUND')
  const notTheirs = await request('GET', docUrl, { token: district })
  t.equal(notTheirs.status, 404)
  t.equal(notTheirs.body.code, 'RTE_DOCUMENT_NOT_FOUND')

  // A step the state machine does not allow is refused with the allowed ones.
  const skip = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: district, json: { code: '03' } })
  t.equal(skip.status, 409)
  t.equal(skip.body.code, 'INB_TRANSITION_NOT_ALLOWED')
  t.same(skip.body.allowed, ['04', '05', '06'])
})

t.test('a group: every commune of a district gets one copy', async (t) => {
  const district = await stack.tokenFor(DISTRICT)
  const sent = await request('POST', `${stack.routing.url}/v1/documents`, {
    token: district,
    json: { to: { group: 'children', level: 'commune' }, document: { ...smallest.document, number: '7', notation: 'UBND' } }
  })
  t.equal(sent.status, 202)
  t.ok(sent.body.recipients.length > 10, 'the district has many communes')
  t.ok(sent.body.recipients.every((c: string) => /^000\.\d\d\.31\.H38$/.test(c) && c !== DISTRICT), 'only communes of district 31')
  const rows = await eventually(async () => {
    const r = await stack.sql`select recipient from inbox.items where document_id = ${sent.body.id}`
    return r.length === sent.body.recipients.length ? r : undefined
  }, 20_000, 'every commune inbox')
  t.same(rows.map((r) => r.recipient).sort(), [...sent.body.recipients].sort())
})

const eventsUrl = (): string => `${stack.inbox.url}/v1/inbox/events`
const streams: EventStream[] = []
t.teardown(() => { for (const s of streams) s.close() })
async function events (token: string, lastEventId?: string): Promise<EventStream> {
  const s = await openEventStream(eventsUrl(), token, lastEventId)
  streams.push(s)
  return s
}

t.test('a work file from arrival to completion, told as events to the recipient and to the sender', async (t) => {
  const province = await stack.tokenFor(PROVINCE)
  const district = await stack.tokenFor(DISTRICT)
  const districtSees = await events(district)
  const provinceSees = await events(province)
  t.equal(districtSees.status, 200)

  const sent = await request('POST', `${stack.routing.url}/v1/documents`, {
    token: province, json: { to: [DISTRICT], document: { ...smallest.document, number: '31', dueDate: '2026-12-31' } }
  })
  t.equal(sent.status, 202)
  const id: string = sent.body.id
  const arrived = await districtSees.next((e) => e.event === 'item.arrived' && e.data.documentId === id, 15_000, 'the arrival event')
  t.match(arrived.data, { type: 'item.arrived', agency: DISTRICT, level: 'district', sender: PROVINCE, signaturesValid: true, dueAt: '2026-12-31T16:59:59.999Z' })
  t.equal(arrived.data.workFileId, arrived.data.itemId, 'the arrival opened a work file with the item\u2019s id')
  t.ok(InboxEvent.safeParse(arrived.data).success, 'the event matches the contract')
  const told = await provinceSees.next((e) => e.event === 'document.status' && e.data.documentId === id && e.data.code === '01', 15_000, '01 for the sender')
  t.match(told.data, { agency: PROVINCE, level: 'province', recipient: DISTRICT, channel: 'online' })

  const fileUrl = `${stack.inbox.url}/v1/work-files/${arrived.data.workFileId}`
  const opened = await request('GET', fileUrl, { token: district })
  t.equal(opened.status, 200)
  t.match(opened.body, { origin: 'exchange', itemId: arrived.data.itemId, state: '01', allowedNext: ['02', '03'], dueAt: '2026-12-31T16:59:59.999Z', overdue: false, closedAt: null, paper: false })
  t.same(opened.body.documents.map((d: { documentId: string, role: string }) => [d.documentId, d.role]), [[id, 'incoming']])

  const skipped = await request('POST', `${fileUrl}/status`, { token: district, json: { code: '05' } })
  t.equal(skipped.status, 409)
  t.equal(skipped.body.code, 'INB_TRANSITION_NOT_ALLOWED')
  t.same(skipped.body.allowed, ['02', '03'], 'the refusal lists the allowed moves')

  const official = { id: 'cb-07', name: 'Trần Thị B' }
  t.equal((await request('POST', `${fileUrl}/status`, { token: district, json: { code: '03', official } })).status, 200, '03 through the work file')
  t.equal((await request('POST', `${stack.inbox.url}/v1/inbox/${arrived.data.itemId}/status`, { token: district, json: { code: '04', official, note: 'Giao phòng Nội vụ' } })).status, 200, '04 through the item')
  t.equal((await request('POST', `${fileUrl}/status`, { token: district, json: { code: '05', channel: 'paper', official } })).status, 200, '05 on paper')
  const done = await request('POST', `${fileUrl}/status`, { token: district, json: { code: '06', official } })
  t.equal(done.status, 200)
  t.match(done.body, { state: '06', paper: true, allowedNext: [], overdue: false, closedLate: false })
  t.not(done.body.closedAt, null, 'completed closes the file')
  t.same(done.body.steps.map((s: { code: string, channel: string }) => `${s.code}/${s.channel}`), ['01/online', '03/online', '04/online', '05/paper', '06/online'])
  t.same(done.body.steps[2].official, official)
  t.ok(done.body.steps.every((s: { signature: string | null, awaitingSignature: boolean }) => typeof s.signature === 'string' && !s.awaitingSignature), 'each step signed for the sender, as the item shows it')

  const closed = await districtSees.next((e) => e.event === 'work-file.step' && e.data.workFileId === arrived.data.workFileId && e.data.code === '06', 15_000, 'the 06 event')
  t.match(closed.data, { agency: DISTRICT, level: 'district', origin: 'exchange', state: '06', closed: true, paper: true, channel: 'online', official, documentId: id })
  const steps = districtSees.received.filter((e) => e.event === 'work-file.step' && e.data.workFileId === arrived.data.workFileId)
  t.same(steps.map((e) => e.data.code), ['03', '04', '05', '06'], 'each step once, in order')
  t.ok(steps.every((e, n) => n === 0 || Number(e.id) > Number(steps[n - 1]!.id)), 'event ids are increasing stream sequences')
  await provinceSees.next((e) => e.event === 'document.status' && e.data.documentId === id && e.data.code === '06', 15_000, '06 for the sender')
  const senderView = await request('GET', `${stack.routing.url}/v1/documents/${encodeURIComponent(id)}`, { token: province })
  t.same(senderView.body.recipients[0].history.map((h: { code: string }) => h.code), ['01', '03', '04', '05', '06'], 'the sender\u2019s view has every status')

  const answer = await request('POST', `${stack.routing.url}/v1/documents`, {
    token: district, json: { to: [PROVINCE], document: { number: '88', notation: 'UBND-NV', type: 'Báo cáo', subject: 'Báo cáo kết quả', issuedAt: '2026-11-26', responseFor: id } }
  })
  t.equal(answer.status, 202)
  const joined = await districtSees.next((e) => e.event === 'work-file.document' && e.data.documentId === answer.body.id, 15_000, 'the answer joining the work file')
  t.match(joined.data, { workFileId: arrived.data.workFileId, role: 'response', channel: 'online', agency: DISTRICT })
  const withAnswer = await request('GET', fileUrl, { token: district })
  t.same(withAnswer.body.documents.map((d: { documentId: string, role: string }) => [d.documentId, d.role]), [[id, 'incoming'], [answer.body.id, 'response']])
})

t.test('a work file the DMS opens: paper, due dates, moves and refusals', async (t) => {
  const district = await stack.tokenFor(DISTRICT)
  const other = await stack.tokenFor('000.00.32.H38')
  const districtSees = await events(district)
  const official = { name: 'Lê Văn C' }
  const created = await request('POST', `${stack.inbox.url}/v1/work-files`, {
    token: district, json: { title: 'Hồ sơ cấp giấy phép xây dựng', channel: 'paper', dueAt: '2026-01-05T17:00:00+07:00', official }
  })
  t.equal(created.status, 201)
  t.match(created.body, { origin: 'dms', itemId: null, state: '03', paper: true, overdue: true, allowedNext: ['04', '05', '06'], official })
  t.same(created.body.steps.map((s: { code: string, channel: string }) => `${s.code}/${s.channel}`), ['03/paper'])
  t.match(created.body.steps[0], { signature: null, awaitingSignature: false, sent: null }, 'no sender: nothing signed or sent')
  const fileUrl = `${stack.inbox.url}/v1/work-files/${created.body.id}`
  const opened = await districtSees.next((e) => e.event === 'work-file.opened' && e.data.workFileId === created.body.id, 15_000, 'the opening event')
  t.match(opened.data, { origin: 'dms', channel: 'paper', level: 'district', title: 'Hồ sơ cấp giấy phép xây dựng', dueAt: '2026-01-05T10:00:00.000Z' })

  const overdue = await request('GET', `${stack.inbox.url}/v1/work-files?overdue=true&origin=dms`, { token: district })
  t.ok(overdue.body.workFiles.some((f: { id: string }) => f.id === created.body.id), 'listed as overdue')

  const recall = await request('POST', `${fileUrl}/status`, { token: district, json: { code: '13' } })
  t.equal(recall.status, 409, 'a recall is the sender\u2019s, never a step: 409 as on the item route')
  const refused = await request('POST', `${fileUrl}/status`, { token: district, json: { code: '02' } })
  t.equal(refused.status, 409)
  t.same(refused.body.allowed, ['04', '05', '06'])
  const moved = await request('PATCH', fileUrl, { token: district, json: { dueAt: '2027-01-05T17:00:00+07:00' } })
  t.match(moved.body, { dueAt: '2027-01-05T10:00:00.000Z', overdue: false })
  await districtSees.next((e) => e.event === 'work-file.changed' && e.data.workFileId === created.body.id && e.data.dueAt === '2027-01-05T10:00:00.000Z', 15_000, 'the due date change')
  t.equal((await request('POST', `${fileUrl}/status`, { token: district, json: { code: '04', official } })).status, 200)
  const done = await request('POST', `${fileUrl}/status`, { token: district, json: { code: '06', official } })
  t.match(done.body, { state: '06', paper: true, allowedNext: [] })
  const closed = await districtSees.next((e) => e.event === 'work-file.step' && e.data.workFileId === created.body.id && e.data.code === '06', 15_000, 'the 06 event')
  t.match(closed.data, { origin: 'dms', itemId: null, closed: true, paper: true })

  for (const [method, url, json] of [['GET', fileUrl, undefined], ['POST', `${fileUrl}/status`, { code: '05' }], ['PATCH', fileUrl, { dueAt: null }]] as const) {
    const answer = await request(method, url, { token: other, json })
    t.equal(answer.status, 404, `${method} by another agency`)
    t.equal(answer.body.code, 'INB_WORK_FILE_NOT_FOUND')
  }
  t.equal((await request('GET', `${stack.inbox.url}/v1/work-files/not-a-uuid`, { token: district })).body.code, 'INB_WORK_FILE_NOT_FOUND')
  t.equal((await request('POST', `${stack.inbox.url}/v1/work-files`, { token: district, json: { title: '' } })).body.code, 'INB_VALIDATION_FAILED')
  const [rows] = await stack.sql`select count(*)::int as n from inbox.steps where work_file_id = ${created.body.id}`
  t.equal(rows!.n, 3, 'refusals stored nothing: 03, 04, 06')
})

t.test('every arrival and step is in the EVENTS stream, with what the measure needs', async (t) => {
  const nc = await connect({ servers: stack.nats.url })
  t.teardown(async () => { await nc.close() })
  const consumer = await jetstream(nc).consumers.get(STREAMS.events.name, { filter_subjects: 'events.>' })
  const info = await consumer.info(true)
  const seen: InboxEvent[] = []
  const messages = await consumer.fetch({ max_messages: info.num_pending, expires: 5_000 })
  // Routing's and registry's events share the stream; this test is about the inbox's.
  for await (const m of messages) if (m.subject.endsWith('.inbox')) seen.push(InboxEvent.parse(m.json()))
  await consumer.delete()
  const steps = await stack.sql`select s.work_file_id, s.code, s.channel from inbox.steps s where s.code <> '01'`
  const items = await stack.sql`select id from inbox.items`
  const stepEvents = seen.filter((e) => e.type === 'work-file.step' || e.type === 'work-file.opened')
  t.equal(seen.filter((e) => e.type === 'item.arrived').length, items.length, 'one arrival event per item')
  for (const s of steps) {
    const found = stepEvents.filter((e) => e.workFileId === s.work_file_id && (e.type === 'work-file.opened' ? s.code === '03' : e.code === s.code))
    if (found.length !== 1) t.fail(`step ${s.code} of ${s.work_file_id as string}: ${found.length} events`)
    else t.equal(found[0]!.channel, s.channel)
  }
  t.ok(seen.every((e) => e.level !== null && typeof e.at === 'string'), 'each event has the agency\u2019s level and its time')
})

t.test('the event stream resumes after Last-Event-ID, and events recorded while NATS is away still come', async (t) => {
  const district = await stack.tokenFor(DISTRICT)
  const bad = await request('GET', eventsUrl(), { token: district, headers: { 'last-event-id': 'abc' } })
  t.equal(bad.status, 400)
  t.equal(bad.body.code, 'INB_EVENT_ID_INVALID')
  const beyond = await request('GET', eventsUrl(), { token: district, headers: { 'last-event-id': '999999999' } })
  t.equal(beyond.status, 400, 'an id past the end of the stream is not one it sent')
  t.equal(beyond.body.code, 'INB_EVENT_ID_INVALID')

  const first = await events(district)
  const created = await request('POST', `${stack.inbox.url}/v1/work-files`, { token: district, json: { title: 'Hồ sơ tiếp dân' } })
  const fileUrl = `${stack.inbox.url}/v1/work-files/${created.body.id}`
  const opened = await first.next((e) => e.data.workFileId === created.body.id, 15_000, 'the opening')
  first.close()
  t.equal((await request('POST', `${fileUrl}/status`, { token: district, json: { code: '04' } })).status, 200, 'a step while nobody listens')
  const resumed = await events(district, opened.id)
  const missed = await resumed.next((e) => e.data.workFileId === created.body.id, 15_000, 'the missed step')
  t.equal(missed.data.code, '04', 'the first event after the last one received, not the last one again')

  await stack.nats.stop()
  t.equal((await request('POST', `${fileUrl}/status`, { token: district, json: { code: '05' } })).status, 200, 'a step while NATS is down')
  const [waiting] = await stack.sql`select count(*)::int as n from inbox.events where body->>'workFileId' = ${created.body.id}`
  t.equal(waiting!.n, 1, 'its event waits in the outbox')
  await stack.nats.start()
  // A client reconnects until the inbox has its connection back, as a DMS's would.
  const late = await eventually(async () => {
    const s = await events(district, missed.id)
    if (s.status === 200) return s
    t.equal(s.status, 503, 'not yet: 503, try again')
    s.close()
    return undefined
  }, 30_000, 'the event stream back')
  const after = await late.next((e) => e.data.workFileId === created.body.id, 30_000, 'the step recorded during the outage')
  t.equal(after.data.code, '05')
  await eventually(async () => {
    const [left] = await stack.sql`select count(*)::int as n from inbox.events`
    return left!.n === 0 ? true : undefined
  }, 15_000, 'the outbox emptied')
  t.equal(late.received.filter((e) => e.data.workFileId === created.body.id).length, 1, 'once')

  // Each stream reads through a consumer of its own on the server: closed with the connection.
  for (const s of streams) s.close()
  const nc = await connect({ servers: stack.nats.url })
  t.teardown(async () => { await nc.close() })
  const jsm = await jetstream(nc).jetstreamManager()
  const left = await eventually(async () => {
    const names: string[] = []
    for await (const c of jsm.consumers.list(STREAMS.events.name)) names.push(c.name)
    return names.length === 1 ? names : undefined
  }, 20_000, 'the streams\u2019 consumers gone')
  t.same(left, ['inbox-webhooks'], 'only the durable one of webhooks is left (this stack has no audit service)')

  const busy = await stack.tokenFor('000.00.33.H38')
  const ten = await Promise.all(Array.from({ length: 10 }, async () => await events(busy)))
  t.ok(ten.every((s) => s.status === 200), 'ten streams for one agency (SSE_MAX_PER_AGENCY)')
  const eleventh = await request('GET', eventsUrl(), { token: busy })
  t.equal(eleventh.status, 429, 'an eleventh is refused')
  t.equal(eleventh.body.code, 'INB_RATE_LIMITED')
  ten[0]!.close()
  const again = await eventually(async () => {
    const s = await events(busy)
    if (s.status === 200) return s
    s.close()
    return undefined
  }, 10_000, 'a stream once one was closed')
  t.equal(again.status, 200)
})
