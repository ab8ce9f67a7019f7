import t from 'tap'
import { startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'

const smallest = {
  to: [DISTRICT],
  document: { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc triển khai chuyển đổi số năm 2026', issuedAt: '2026-11-26' }
}

// One stack for the file: each test looks only at its own documents.
const stack = await startStack(t)

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
