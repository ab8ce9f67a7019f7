import t from 'tap'
import { UUID, uuidv7 } from 'uuidv7'
import { buildEnvelope, type DeliveryMessage, type Priority } from '@lienthong/contracts'
import { migratedDatabase, recordingOutbox } from '../fixtures/db.ts'
import { storeArrivals } from '../../src/domain/item-store.ts'
import { listInbox, uuidFloor, type InboxFilter, type InboxListPage } from '../../src/domain/inbox-query.ts'
import { inboxCounts } from '../../src/domain/inbox-counts.ts'

const { db, sql } = await migratedDatabase(t)
const outbox = recordingOutbox(db)

const A = '000.00.31.H38'
const B = '000.00.32.H38'
const PROVINCE = '000.00.00.H38'
const DEPT = '000.00.01.H38'
const COMMUNE = '000.01.31.H38'
const DAY = 24 * 3600 * 1000

/** A calendar day in Viet Nam, `days` from today. */
function vnDay (days: number): string {
  return new Date(Date.now() + days * DAY + 7 * 3600 * 1000).toISOString().slice(0, 10)
}

interface Spec {
  key: string
  subject: string
  sender: string
  priority: Priority
  state: string
  dueInDays?: number
  withdrawn?: boolean
  /** arrived this many days ago (the item's id and times moved back together) */
  daysAgo?: number
}

// A's inbox. a1…a9 arrive in this order, a9 and a8 moved back in time.
const SPECS: Spec[] = [
  { key: 'a9', subject: 'Dọn dẹp vệ sinh môi trường', sender: COMMUNE, priority: 0, state: '04', dueInDays: -8, daysAgo: 10 },
  { key: 'a8', subject: 'Về việc báo cáo tình hình bão lũ', sender: DEPT, priority: 1, state: '06', daysAgo: 3 },
  { key: 'a1', subject: 'Về việc phòng chống bão số 3', sender: PROVINCE, priority: 3, state: '01', dueInDays: 2 },
  { key: 'a2', subject: 'Báo cáo kết quả công tác quý III', sender: DEPT, priority: 0, state: '03' },
  { key: 'a3', subject: 'Bao bì hàng hóa xuất khẩu', sender: COMMUNE, priority: 1, state: '01', withdrawn: true },
  { key: 'a4', subject: 'Nâng cấp đường giao thông nông thôn', sender: PROVINCE, priority: 0, state: '03', dueInDays: -3 },
  { key: 'a5', subject: 'Khen thưởng ông Nguyễn Văn Dương', sender: DEPT, priority: 2, state: '06', dueInDays: -5 },
  { key: 'a6', subject: 'Kế hoạch chuyển đổi số năm 2027', sender: PROVINCE, priority: 0, state: '05', dueInDays: 10 },
  { key: 'a7', subject: 'Lịch tiếp công dân tháng 12', sender: COMMUNE, priority: 4, state: '02' }
]

/** What each search finds in A's inbox, by item. */
const SEARCHES: Record<string, string[]> = {
  bao: ['a1', 'a2', 'a3', 'a8'],
  'bão': ['a1', 'a8'],
  'BÃO': ['a1', 'a8'],
  'báo': ['a2', 'a8'],
  duong: ['a4', 'a5'],
  'đường': ['a4'],
  'dương': ['a5'],
  'bão số': ['a1'],
  'chuyen doi so': ['a6'],
  'bao cao': ['a2', 'a8'],
  khongcotu: []
}

let serial = 0
function delivery (recipient: string, spec: Pick<Spec, 'subject' | 'sender' | 'priority' | 'dueInDays'>, to = [recipient]): DeliveryMessage {
  serial++
  const signedAt = new Date().toISOString()
  const envelope = buildEnvelope({
    sender: spec.sender,
    to,
    document: {
      number: String(serial),
      notation: 'UBND-VP',
      type: 'Công văn',
      subject: spec.subject,
      issuedAt: vnDay(0),
      priority: spec.priority,
      ...(spec.dueInDays !== undefined ? { dueDate: vnDay(spec.dueInDays) } : {})
    },
    signedAt
  })
  return { documentId: envelope.id, recipient, recipients: to, recipientCount: to.length, sentAt: signedAt, envelope, signatures: { signer: 'a..b', agency: 'c..d' } }
}

async function arrive (recipient: string, spec: Pick<Spec, 'subject' | 'sender' | 'priority' | 'dueInDays'>): Promise<string> {
  const [stored] = await storeArrivals(db, outbox, [{ delivery: delivery(recipient, spec), check: { valid: true, digest: `digest-${serial}`, findings: [] } }])
  return stored!.item.id
}

/** Moves an item back in time as if it had arrived then: a new id of that time, and its work file and steps with it. */
async function moveBack (id: string, days: number): Promise<string> {
  const at = new Date(Date.now() - days * DAY)
  const moved = UUID.fromFieldsV7(at.getTime(), 0x123, 0x1234567, 0x89abcdef).toString()
  await sql.begin(async (tx) => {
    await tx`update inbox.items set id = ${moved}, received_at = ${at.toISOString()} where id = ${id}`
    // the file is copied under the new id before its steps move and the old one goes (steps must always have their file)
    await tx`insert into inbox.work_files (id, agency, origin, item_id, title, state, due_at, opened_at, closed_at, paper, official, note, updated_at, recall_pending)
      select ${moved}, agency, origin, null, title, state, due_at, ${at.toISOString()}, closed_at, paper, official, note, updated_at, recall_pending from inbox.work_files where id = ${id}`
    await tx`update inbox.steps set item_id = ${moved}, work_file_id = ${moved} where item_id = ${id}`
    await tx`delete from inbox.work_files where id = ${id}`
    await tx`update inbox.work_files set item_id = ${moved} where id = ${moved}`
  })
  return moved
}

/** Sets an item's work state (and its file's) as its steps would have. */
async function setState (id: string, spec: Spec): Promise<void> {
  const closes = spec.state === '02' || spec.state === '06' || spec.withdrawn === true
  await sql`update inbox.items set state = ${spec.state} where id = ${id}`
  await sql`update inbox.work_files set state = ${spec.state}, closed_at = ${closes ? sql`now()` : null} where id = ${id}`
  if (spec.withdrawn === true) {
    await sql`update inbox.items set recall_requested_at = now(), recall_answer = '15', recall_answered_at = now() where id = ${id}`
  }
}

interface Known extends Spec { id: string, documentId: string, receivedAt: Date, dueAt: Date | null, closedAt: Date | null }
const known: Known[] = []
for (const spec of SPECS) {
  let id = await arrive(A, spec)
  if (spec.daysAgo !== undefined) id = await moveBack(id, spec.daysAgo)
  await setState(id, spec)
  // B gets the same documents: none of them may ever show in A's inbox
  await setState(await arrive(B, spec), spec)
  const [row] = await sql`select i.document_id, i.received_at, f.due_at, f.closed_at from inbox.items i join inbox.work_files f on f.id = i.id where i.id = ${id}`
  const date = (s: string | null): Date | null => s === null ? null : new Date(s)
  known.push({ ...spec, id, documentId: row!.document_id, receivedAt: new Date(row!.received_at), dueAt: date(row!.due_at), closedAt: date(row!.closed_at) })
}
const keyOf = new Map(known.map((k) => [k.id, k.key]))
const now = new Date()

/** The keys A's inbox should list for a filter, newest first, from the specs alone. */
function expected (f: InboxFilter): string[] {
  return known.filter((k) =>
    (f.state === undefined || f.state.includes(k.state)) &&
    (f.priority === undefined || f.priority.includes(k.priority)) &&
    (f.sender === undefined || f.sender === k.sender) &&
    (f.document === undefined || f.document === k.documentId) &&
    (f.receivedFrom === undefined || k.receivedAt >= f.receivedFrom) &&
    (f.receivedTo === undefined || k.receivedAt < f.receivedTo) &&
    (f.dueFrom === undefined || (k.dueAt !== null && k.dueAt >= f.dueFrom)) &&
    (f.dueTo === undefined || (k.dueAt !== null && k.dueAt < f.dueTo)) &&
    (f.overdue === undefined || f.overdue === (k.closedAt === null && k.dueAt !== null && k.dueAt < now)) &&
    (f.withdrawn === undefined || f.withdrawn === (k.withdrawn === true)) &&
    (f.q === undefined || SEARCHES[f.q]!.includes(k.key))
  ).sort((x, y) => x.id < y.id ? 1 : -1).map((k) => k.key)
}

const keys = (page: InboxListPage): string[] => page.entries.map((e) => keyOf.get(e.item.id) ?? `unknown ${e.item.id}`)

/** Every page of a query, followed by its cursor. */
async function allPages (f: InboxFilter, limit: number, scanWindow?: number): Promise<string[][]> {
  const pages: string[][] = []
  let cursor: string | undefined
  for (;;) {
    const page = await listInbox(db, A, { ...f, limit, ...(cursor !== undefined ? { cursor } : {}) }, now, scanWindow)
    pages.push(keys(page))
    if (page.next === null) return pages
    cursor = page.next
  }
}

const at = (key: string): Known => known.find((k) => k.key === key)!
const SINGLE: Array<[string, InboxFilter]> = [
  ['state 01', { state: ['01'] }],
  ['state 03 or 06', { state: ['03', '06'] }],
  ['state 02, 04 or 05', { state: ['02', '04', '05'] }],
  ['priority 0', { priority: [0] }],
  ['priority 1 or 3', { priority: [1, 3] }],
  ['from the province', { sender: PROVINCE }],
  ['from a commune', { sender: COMMUNE }],
  ['document of a4', { document: at('a4').documentId }],
  ['document of a9, moved back', { document: at('a9').documentId }],
  ['received from a2 on', { receivedFrom: at('a2').receivedAt }],
  ['received before a3', { receivedTo: at('a3').receivedAt }],
  ['received from a1 to before a4', { receivedFrom: at('a1').receivedAt, receivedTo: at('a4').receivedAt }],
  ['received more than 2 days ago', { receivedTo: new Date(Date.now() - 2 * DAY) }],
  ['received in the last 5 days', { receivedFrom: new Date(Date.now() - 5 * DAY) }],
  ['due from today', { dueFrom: new Date() }],
  ['due before today', { dueTo: new Date() }],
  ['due within 4 days either way', { dueFrom: new Date(Date.now() - 4 * DAY), dueTo: new Date(Date.now() + 4 * DAY) }],
  ['overdue', { overdue: true }],
  ['not overdue', { overdue: false }],
  ['withdrawn', { withdrawn: true }],
  ['not withdrawn', { withdrawn: false }],
  ...Object.keys(SEARCHES).map((q): [string, InboxFilter] => [`q "${q}"`, { q }])
]

t.test('uuidFloor is the smallest uuidv7 of its millisecond', async (t) => {
  const at = new Date('2026-11-26T08:00:00.123Z')
  const id = UUID.fromFieldsV7(at.getTime(), 0, 0, 0).toString()
  t.ok(uuidFloor(at) <= id)
  t.ok(uuidFloor(new Date(at.getTime() + 1)) > UUID.fromFieldsV7(at.getTime(), 0xfff, 0x3fffffff, 0xffffffff).toString())
  t.ok(uuidFloor(new Date()) <= uuidv7())
})

t.test('the fixture: every item is where its spec puts it', async (t) => {
  t.same(expected({}), ['a7', 'a6', 'a5', 'a4', 'a3', 'a2', 'a1', 'a8', 'a9'], 'newest first, the moved ones oldest')
  t.same(expected({ overdue: true }), ['a4', 'a9'], 'open and past due: a4 and a9; a5 is past due but completed')
})

t.test('each filter alone lists exactly its items, newest first, and never another agency\u2019s', async (t) => {
  for (const [name, f] of SINGLE) {
    const want = expected(f)
    t.same(keys(await listInbox(db, A, { ...f, limit: 50 }, now)), want, name)
    // a window of one item: scattered filters (words, due, overdue) fetch by their indexes at once
    t.same(keys(await listInbox(db, A, { ...f, limit: 50 }, now, 1)), want, `${name}, read by the indexes`)
  }
  t.ok(SINGLE.every(([, f]) => f.q !== undefined || expected(f).length > 0), 'no filter but the searches is vacuous')
})

t.test('a document: the agency\u2019s own item of it, or none', async (t) => {
  // one document to D and E (agencies of this test alone): each finds its own item by the document's id
  const D = '000.00.34.H38'
  const E = '000.00.35.H38'
  const both = delivery(D, { subject: 'Về việc trả lời qua thư điện tử', sender: PROVINCE, priority: 0 }, [D, E])
  const stored = await storeArrivals(db, outbox, [D, E].map((recipient) => ({ delivery: { ...both, recipient }, check: { valid: true, digest: `digest-${serial}`, findings: [] } })))
  const itemOf = new Map(stored.map((s) => [s.item.recipient, s.item.id]))
  t.equal(itemOf.size, 2)
  await arrive(D, { subject: 'Một văn bản khác', sender: PROVINCE, priority: 0 })
  const ids = async (agency: string, f: InboxFilter): Promise<string[]> => (await listInbox(db, agency, { ...f, limit: 50 }, now)).entries.map((e) => e.item.id)
  t.same(await ids(D, { document: both.documentId }), [itemOf.get(D)], 'only that document\u2019s item')
  t.same(await ids(E, { document: both.documentId }), [itemOf.get(E)])
  t.same(await ids(A, { document: both.documentId }), [], 'an agency the document was not sent to has none')
  t.same(await ids(D, { document: `${both.documentId}x` }), [], 'an id is matched whole')
  t.same(await ids(D, { document: both.documentId, state: ['03'] }), [], 'and with the other filters')
  t.same(await ids(D, { document: both.documentId, state: ['01'], q: 'thu dien tu' }), [itemOf.get(D)])
})

t.test('the search: words with and without diacritics, đ and d', async (t) => {
  const search = async (q: string): Promise<string[]> => keys(await listInbox(db, A, { q, limit: 50 }, now))
  t.same((await search('bao')).sort(), ['a1', 'a2', 'a3', 'a8'], '"bao" finds bão, báo and bao')
  t.same((await search('bão')).sort(), ['a1', 'a8'], '"bão" finds only bão')
  t.same((await search('báo')).sort(), ['a2', 'a8'], '"báo" finds only báo')
  t.same((await search('duong')).sort(), ['a4', 'a5'], '"duong" finds đường and Dương')
  t.same(await search('đường'), ['a4'], '"đường" finds only đường')
  t.same(await search('dương'), ['a5'], '"dương" finds only Dương')
  t.same(await search('Bão Số'), ['a1'], 'every word must be there, in any case')
})

t.test('filters combined: every pair, as one page and page by page', async (t) => {
  let combinations = 0
  for (let i = 0; i < SINGLE.length; i++) {
    for (let j = i + 1; j < SINGLE.length; j++) {
      const [n1, f1] = SINGLE[i]!
      const [n2, f2] = SINGLE[j]!
      // two searches, or two of the same filter, would not be a combination
      if (Object.keys(f1).some((k) => k in f2)) continue
      combinations++
      const f = { ...f1, ...f2 }
      const want = expected(f)
      t.same(keys(await listInbox(db, A, { ...f, limit: 50 }, now)), want, `${n1} and ${n2}`)
      t.same((await allPages(f, 2, 1)).flat(), want, `${n1} and ${n2}, two at a time, read by the indexes`)
    }
  }
  t.ok(combinations > 150)
  t.same(keys(await listInbox(db, A, { sender: PROVINCE, priority: [0, 3], q: 'bao', state: ['01', '03'], limit: 50 }, now)), ['a1'], 'four at once')
  t.same(keys(await listInbox(db, A, { state: ['03', '04'], priority: [0], overdue: true, receivedFrom: new Date(Date.now() - 30 * DAY), limit: 50 }, now)), ['a4', 'a9'])
})

t.test('pages: `next` is the last id, pages follow it without overlap, the last has no next', async (t) => {
  const pages = await allPages({}, 4)
  t.same(pages, [['a7', 'a6', 'a5', 'a4'], ['a3', 'a2', 'a1', 'a8'], ['a9']])
  const exact = await listInbox(db, A, { limit: 9 }, now)
  t.equal(exact.next, null, 'a page that ends the inbox has no next')
  const first = await listInbox(db, A, { limit: 4 }, now)
  t.equal(first.next, first.entries[3]!.item.id)
  t.same(await allPages({ q: 'bao' }, 1, 2), [['a3'], ['a2'], ['a1'], ['a8']], 'a search too, across the window\u2019s edge')
})

t.test('each entry carries its work file\u2019s due and closing times and the list\u2019s fields', async (t) => {
  const page = await listInbox(db, A, { limit: 50 }, now)
  const entry = (key: string): InboxListPage['entries'][number] => page.entries.find((e) => e.item.id === at(key).id)!
  t.same(entry('a4').file, { dueAt: new Date(`${vnDay(-3)}T23:59:59.999+07:00`), closedAt: null })
  t.equal(entry('a7').file.dueAt, null)
  t.ok(entry('a5').file.closedAt instanceof Date, 'a completed file is closed')
  t.ok(entry('a3').file.closedAt instanceof Date, 'a withdrawn one too')
  const a3 = entry('a3').item
  t.match(a3, { subject: 'Bao bì hàng hóa xuất khẩu', sender: COMMUNE, priority: 1, state: '01', recallAnswer: '15' })
  t.ok(a3.recallRequestedAt instanceof Date && a3.receivedAt instanceof Date && a3.sentAt instanceof Date)
  t.same(a3.fields, {}, 'no business link')
})

t.test('counts: in total, per state, overdue and withdrawn, for the agency alone', async (t) => {
  // a work file the DMS opened is not in the inbox, overdue or not
  await sql`insert into inbox.work_files (id, agency, origin, title, state, due_at) values (${uuidv7()}, ${A}, 'dms', 'Hồ sơ giấy', '03', now() - interval '2 days')`
  t.same(await inboxCounts(db, A, now), {
    total: 9,
    byState: { '01': 2, '02': 1, '03': 2, '04': 1, '05': 1, '06': 2 },
    overdue: 2,
    withdrawn: 1
  })
  t.same(await inboxCounts(db, '000.00.39.H38', now), { total: 0, byState: { '01': 0, '02': 0, '03': 0, '04': 0, '05': 0, '06': 0 }, overdue: 0, withdrawn: 0 })
})

t.test('a page never shifts while new items arrive: pages stay disjoint and together are the inbox as it was', async (t) => {
  const C = '000.00.33.H38'
  const before: string[] = []
  for (let n = 0; n < 7; n++) before.unshift(await arrive(C, { subject: `Văn bản về bão số ${n}`, sender: PROVINCE, priority: 0 }))
  for (const [f, scanWindow] of [[{}, undefined], [{ q: 'bão' }, 2], [{ state: ['01'] }, undefined]] as Array<[InboxFilter, number | undefined]>) {
    const seen: string[] = []
    let cursor: string | undefined
    let arrivals = 0
    for (;;) {
      const page = await listInbox(db, C, { ...f, limit: 2, ...(cursor !== undefined ? { cursor } : {}) }, new Date(), scanWindow)
      seen.push(...page.entries.map((e) => e.item.id))
      // new items arrive between every two page fetches
      await arrive(C, { subject: `Văn bản mới về bão ${arrivals++}`, sender: PROVINCE, priority: 0 })
      if (page.next === null) break
      cursor = page.next
    }
    t.same(seen, before, `${JSON.stringify(f)}: every item that was there, once, in order; none of the new ones`)
    before.splice(0, before.length, ...(await listInbox(db, C, { limit: 500 }, new Date())).entries.map((e) => e.item.id))
  }
})
