import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Receipt } from '@lienthong/contracts'
import { startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { dmsKey, registerKey, signReceipt } from '../harness/dms-keys.ts'

const PROVINCE = '000.00.00.H38'
const DEPT = '000.00.01.H38'
const DISTRICT = '000.00.31.H38'
const OTHER = '000.00.32.H38'
/** not in the signatures service's custody: its DMS signs its own receipts */
const VILLAGE = '001.01.31.H38'
const DAY = 24 * 3600 * 1000

const vnDay = (days: number): string => new Date(Date.now() + days * DAY + 7 * 3600 * 1000).toISOString().slice(0, 10)

const stack = await startStack(t)
const tokens = new Map<string, string>()
for (const code of [PROVINCE, DEPT, DISTRICT, OTHER, VILLAGE]) tokens.set(code, await stack.tokenFor(code))
const tok = (code: string): string => tokens.get(code)!

let number = 0
async function send (from: string, to: string, subject: string, extra: Record<string, unknown> = {}): Promise<string> {
  const sent = await request('POST', `${stack.routing.url}/v1/documents`, {
    token: tok(from),
    json: { to: [to], document: { number: String(++number), notation: 'UBND-VP', type: 'Công văn', subject, issuedAt: vnDay(0), ...extra } }
  })
  if (sent.status !== 202) throw new Error(`send → ${sent.status} ${JSON.stringify(sent.body)}`)
  return sent.body.id
}

const inbox = async (code: string, query = ''): Promise<any> => await request('GET', `${stack.inbox.url}/v1/inbox${query}`, { token: tok(code) })
/** The inbox's item of each document, once all have arrived. */
async function itemsOf (code: string, documentIds: string[]): Promise<Map<string, any>> {
  return await eventually(async () => {
    const list = await inbox(code, '?limit=500')
    const found = new Map<string, any>(list.body.items.filter((i: any) => documentIds.includes(i.documentId)).map((i: any) => [i.documentId, i]))
    return found.size === documentIds.length ? found : undefined
  }, 20_000, `${documentIds.length} items in the inbox of ${code}`)
}

// The district's inbox: from the province and a department, of every priority, due or not.
const docs = {
  storm: await send(PROVINCE, DISTRICT, 'Về việc phòng chống bão số 3', { priority: 3, dueDate: vnDay(1) }),
  report: await send(DEPT, DISTRICT, 'Báo cáo kết quả công tác quý III', { dueDate: vnDay(-3) }),
  plan: await send(PROVINCE, DISTRICT, 'Kế hoạch chuyển đổi số năm 2027', { priority: 1 }),
  recalled: await send(PROVINCE, DISTRICT, 'Lịch tiếp công dân tháng 12'),
  invitation: await send(DEPT, DISTRICT, 'Giấy mời họp giao ban', { dueDate: vnDay(-1) }),
  road: await send(PROVINCE, DISTRICT, 'Nâng cấp đường giao thông nông thôn')
}
const other = await send(PROVINCE, OTHER, 'Về việc phòng chống bão số 3', { priority: 3 })
const items = await itemsOf(DISTRICT, Object.values(docs))
const [otherItem] = [...(await itemsOf(OTHER, [other])).values()]
const id = (doc: keyof typeof docs): string => items.get(docs[doc])!.id

// the recalled document is withdrawn at once (not accepted yet)
const recall = await request('POST', `${stack.routing.url}/v1/documents/${encodeURIComponent(docs.recalled)}/recall`, { token: tok(PROVINCE), json: {} })
if (recall.status !== 202) throw new Error(`recall → ${recall.status}`)
await eventually(async () => (await inbox(DISTRICT, '?withdrawn=true')).body.items.length === 1 ? true : undefined, 15_000, 'the recall agreed')

const documentsOf = (list: any): string[] => list.body.items.map((i: any) => i.documentId)
const byKey = Object.fromEntries(Object.entries(docs).map(([k, v]) => [v, k]))
const keysOf = (list: any): string[] => documentsOf(list).map((d) => byKey[d] ?? d)
type Doc = keyof typeof docs
/** Deliveries travel in priority lanes and may be stored together, so the order is the ids', whatever it is. */
const newestFirst = (...keys: Doc[]): string[] => [...keys].sort((x, y) => id(x) < id(y) ? 1 : -1)

t.test('the list, narrowed by the query string', async (t) => {
  const all = newestFirst('road', 'invitation', 'recalled', 'plan', 'report', 'storm')
  t.same(keysOf(await inbox(DISTRICT)), all, 'newest first')
  t.same(keysOf(await inbox(DISTRICT, '?priority=3')), ['storm'])
  t.same(keysOf(await inbox(DISTRICT, '?priority=1,3')), newestFirst('plan', 'storm'))
  t.same(keysOf(await inbox(DISTRICT, `?sender=${DEPT}`)), newestFirst('invitation', 'report'))
  t.same(keysOf(await inbox(DISTRICT, '?q=bao')), newestFirst('report', 'storm'), '"bao" finds bão and báo')
  t.same(keysOf(await inbox(DISTRICT, `?q=${encodeURIComponent('bão')}`)), ['storm'], '"bão" finds only bão')
  t.same(keysOf(await inbox(DISTRICT, '?q=duong')), ['road'], 'đ is found as d')
  t.same(keysOf(await inbox(DISTRICT, '?overdue=true')), newestFirst('invitation', 'report'))
  t.same(keysOf(await inbox(DISTRICT, '?withdrawn=true')), ['recalled'])
  t.same(keysOf(await inbox(DISTRICT, `?dueFrom=${new Date().toISOString()}`)), ['storm'])
  t.same(keysOf(await inbox(DISTRICT, `?dueTo=${encodeURIComponent(new Date().toISOString())}&sender=${DEPT}&priority=0`)), newestFirst('invitation', 'report'))
  const from = items.get(docs.plan)!.receivedAt
  const to = items.get(docs.road)!.receivedAt
  const between = (Object.keys(docs) as Doc[]).filter((k) => items.get(docs[k])!.receivedAt >= from && items.get(docs[k])!.receivedAt < to)
  t.ok(between.includes('plan'), 'from is inclusive')
  t.same(keysOf(await inbox(DISTRICT, `?receivedFrom=${encodeURIComponent(from)}&receivedTo=${encodeURIComponent(to)}`)), newestFirst(...between))
  t.same(keysOf(await inbox(DISTRICT, '?state=01&withdrawn=false&overdue=false')), newestFirst('road', 'plan', 'storm'))
  t.same(keysOf(await inbox(OTHER, '?q=bao')), [other], 'another agency\u2019s inbox is its own')
  t.same(keysOf(await inbox(DISTRICT, `?document=${encodeURIComponent(docs.plan)}`)), ['plan'], 'a document\u2019s item, by its id')
  t.same(keysOf(await inbox(OTHER, `?document=${encodeURIComponent(docs.plan)}`)), [], 'none in an inbox it was not sent to')

  const storm = items.get(docs.storm)!
  t.equal(storm.dueAt, new Date(`${vnDay(1)}T23:59:59.999+07:00`).toISOString(), 'the due date ends the day in Viet Nam')
  t.match(storm, { overdue: false, closedAt: null })
  t.match(items.get(docs.report), { overdue: true, closedAt: null })
  t.match(items.get(docs.plan), { dueAt: null, overdue: false })
  const recalled = (await inbox(DISTRICT, '?withdrawn=true')).body.items[0]
  t.match(recalled, { withdrawn: true, overdue: false })
  t.ok(recalled.closedAt !== null, 'a withdrawn item\u2019s work file is closed')

  const first = await inbox(DISTRICT, '?limit=4')
  t.same(keysOf(first), all.slice(0, 4))
  t.equal(first.body.next, first.body.items[3].id)
  const second = await inbox(DISTRICT, `?limit=4&cursor=${first.body.next}`)
  t.same(keysOf(second), all.slice(4))
  t.equal(second.body.next, null)

  for (const bad of ['?state=07', '?state=01,', '?priority=5', '?sender=H38', '?overdue=yes', '?receivedFrom=yesterday', '?q=%20%21', '?cursor=abc', '?limit=0', '?document=']) {
    const answer = await inbox(DISTRICT, bad)
    t.equal(answer.status, 400, `${bad} refused`)
    t.equal(answer.body.code, 'INB_VALIDATION_FAILED')
  }
})

t.test('counts', async (t) => {
  const counts = await request('GET', `${stack.inbox.url}/v1/inbox/counts`, { token: tok(DISTRICT) })
  t.equal(counts.status, 200)
  t.same(counts.body, { total: 6, byState: { '01': 6, '02': 0, '03': 0, '04': 0, '05': 0, '06': 0 }, overdue: 2, withdrawn: 1 })
  const theirs = await request('GET', `${stack.inbox.url}/v1/inbox/counts`, { token: tok(OTHER) })
  t.match(theirs.body, { total: 1, byState: { '01': 1 }, overdue: 0, withdrawn: 0 })
})

t.test('acknowledging many at once: each item answered in the order asked, one failure stopping none', async (t) => {
  // one already accepted on its own, so it is no longer at 01
  t.equal((await request('POST', `${stack.inbox.url}/v1/inbox/${id('plan')}/status`, { token: tok(DISTRICT), json: { code: '03' } })).status, 200)
  const unknown = randomUUID()
  const answer = await request('POST', `${stack.inbox.url}/v1/inbox/acknowledge`, {
    token: tok(DISTRICT),
    json: { ids: [id('storm'), otherItem.id, id('report'), unknown, id('plan'), id('recalled'), id('invitation')], official: { name: 'Nguyễn Văn A' }, note: 'Đã vào sổ' }
  })
  t.equal(answer.status, 200)
  t.same(answer.body.results.map((r: any) => r.id), [id('storm'), otherItem.id, id('report'), unknown, id('plan'), id('recalled'), id('invitation')], 'in the order asked')
  t.same(answer.body.results.map((r: any) => r.ok ? r.state : r.code), [
    '03', 'INB_ITEM_NOT_FOUND', '03', 'INB_ITEM_NOT_FOUND', 'INB_TRANSITION_NOT_ALLOWED', 'INB_ITEM_WITHDRAWN', '03'
  ])
  t.ok(answer.body.results.filter((r: any) => !r.ok).every((r: any) => typeof r.detail === 'string' && r.detail.length > 0), 'each failure says why')

  const theirs = await request('GET', `${stack.inbox.url}/v1/inbox/${otherItem.id}`, { token: tok(OTHER) })
  t.match(theirs.body, { state: '01' }, 'another agency\u2019s item is left as it was')
  t.same(theirs.body.steps.map((s: any) => s.code), ['01'])

  const storm = await request('GET', `${stack.inbox.url}/v1/inbox/${id('storm')}`, { token: tok(DISTRICT) })
  t.match(storm.body.steps[1], { code: '03', channel: 'online', note: 'Đã vào sổ', official: { name: 'Nguyễn Văn A' } })
  t.ok(storm.body.steps[1].signature, 'its receipt signed for the district')

  for (const doc of ['storm', 'report', 'invitation'] as const) {
    const seen = await eventually(async () => {
      const view = await request('GET', `${stack.routing.url}/v1/documents/${encodeURIComponent(docs[doc])}`, { token: tok(doc === 'storm' ? PROVINCE : DEPT) })
      const r = view.body.recipients?.find((x: any) => x.recipient === DISTRICT)
      return r?.status === '03' ? r : undefined
    }, 15_000, `the sender sees ${doc} at 03`)
    t.same(seen.history.map((h: any) => h.code), ['01', '03'], `the sender of ${doc} sees 01 then 03`)
  }
  const counts = await request('GET', `${stack.inbox.url}/v1/inbox/counts`, { token: tok(DISTRICT) })
  t.same(counts.body.byState, { '01': 2, '02': 0, '03': 4, '04': 0, '05': 0, '06': 0 })
  t.same(keysOf(await inbox(DISTRICT, '?state=01')), newestFirst('road', 'recalled'))
})

t.test('acknowledging many: what the request may not be', async (t) => {
  const post = async (json: unknown): Promise<any> => await request('POST', `${stack.inbox.url}/v1/inbox/acknowledge`, { token: tok(DISTRICT), json })
  for (const [what, body] of [
    ['no ids', { ids: [] }],
    ['neither ids nor items', {}],
    ['both', { ids: [id('road')], items: [{ id: id('road'), at: new Date().toISOString(), signature: 'a..b' }] }],
    ['an id twice', { ids: [id('road'), id('road')] }],
    ['not a uuid', { ids: ['abc'] }],
    ['more than 500', { ids: Array.from({ length: 501 }, () => randomUUID()) }]
  ] as const) {
    const answer = await post(body)
    t.equal(answer.status, 400, what)
    t.equal(answer.body.code, 'INB_VALIDATION_FAILED')
  }
  t.same((await inbox(DISTRICT, `?state=01&q=${encodeURIComponent('đường')}`)).body.items.length, 1, 'nothing was recorded')
})

t.test('the same step asked for twice at once is recorded once', async (t) => {
  const post = async (): Promise<any> => await request('POST', `${stack.inbox.url}/v1/inbox/${id('road')}/status`, { token: tok(DISTRICT), json: { code: '03' } })
  const answers = await Promise.all([post(), post(), post()])
  t.same(answers.map((a) => a.status).sort(), [200, 409, 409])
  t.ok(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'INB_TRANSITION_NOT_ALLOWED'))
  const steps = (await request('GET', `${stack.inbox.url}/v1/inbox/${id('road')}`, { token: tok(DISTRICT) })).body.steps
  t.same(steps.map((s: any) => s.code), ['01', '03'])
})

t.test('acknowledging many for an agency whose DMS signs its own receipts', async (t) => {
  const seal = dmsKey(VILLAGE, 'agency', 'thon-seal')
  await registerKey(stack.registry.url, await stack.adminToken(), seal, { notBefore: new Date(Date.now() - 60_000).toISOString() })
  const a = await send(PROVINCE, VILLAGE, 'Về việc phòng chống bão số 3')
  const b = await send(PROVINCE, VILLAGE, 'Kế hoạch chuyển đổi số năm 2027')
  const villageItems = await itemsOf(VILLAGE, [a, b])
  const post = async (json: unknown): Promise<any> => await request('POST', `${stack.inbox.url}/v1/inbox/acknowledge`, { token: tok(VILLAGE), json })

  const unsigned = await post({ ids: [villageItems.get(a)!.id] })
  t.match(unsigned.body.results, [{ ok: false, code: 'INB_SIGNATURE_REQUIRED' }], 'without custody keys, ids alone cannot be signed')

  const at = new Date().toISOString()
  const receiptOf = async (documentId: string): Promise<Receipt> => {
    const detail = (await request('GET', `${stack.inbox.url}/v1/inbox/${villageItems.get(documentId)!.id}`, { token: tok(VILLAGE) })).body
    return { type: 'lienthong.receipt', v: 1, documentId, envelopeDigest: detail.signatures.envelopeDigest, sender: PROVINCE, recipient: VILLAGE, code: '03', channel: 'online', at, note: 'Đã nhận' }
  }
  const wrong = dmsKey(VILLAGE, 'agency', 'not-registered')
  // The inbox's key mirror may lag the registry by a moment: retried until the good one verifies.
  const answer = await eventually(async () => {
    const r = await post({
      note: 'Đã nhận',
      items: [
        { id: villageItems.get(b)!.id, at, signature: signReceipt(await receiptOf(b), wrong) },
        { id: villageItems.get(a)!.id, at, signature: signReceipt(await receiptOf(a), seal) }
      ]
    })
    return r.body.results?.[1]?.ok === true ? r : undefined
  }, 10_000, 'the village\u2019s signed acknowledgement')
  t.equal(answer.status, 200)
  t.match(answer.body.results, [{ id: villageItems.get(b)!.id, ok: false, code: 'INB_SIGNATURE_INVALID' }, { id: villageItems.get(a)!.id, ok: true, state: '03' }])
  const step = (await request('GET', `${stack.inbox.url}/v1/inbox/${villageItems.get(a)!.id}`, { token: tok(VILLAGE) })).body.steps.find((s: any) => s.code === '03')
  t.match(step, { at, note: 'Đã nhận', signature: signReceipt(await receiptOf(a), seal) }, 'the receipt as the DMS signed it')
  t.match((await inbox(VILLAGE, '?state=01')).body.items.map((i: any) => i.documentId), [b], 'the badly signed one stays at 01')
})
