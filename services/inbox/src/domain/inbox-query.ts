import { eq, sql, type SQL } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { items, workFiles } from '../db/schema.ts'
import type { ItemRow } from './item-store.ts'
import { searchQuery } from './subject-search.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/** The states of the work an item can be in (a recall and its answers sit beside them). */
export const WORK_STATES = ['01', '02', '03', '04', '05', '06'] as const

/** What an inbox can be narrowed to; every part is optional and they combine (AND). */
export interface InboxFilter {
  /** any of these states */
  state?: readonly string[]
  /** any of these priorities (0 thường … 4 hỏa tốc hẹn giờ) */
  priority?: readonly number[]
  /** the sending agency's code */
  sender?: string
  /** a document's id: the agency has at most one item of it (the mail gateway finds what a reply answers) */
  document?: string
  /** received at or after */
  receivedFrom?: Date
  /** received before */
  receivedTo?: Date
  /** the work file is due at or after */
  dueFrom?: Date
  /** the work file is due before */
  dueTo?: Date
  /** open and past its due time (true), or not (false) */
  overdue?: boolean
  /** recalled by the sender with the recall agreed (true), or not (false) */
  withdrawn?: boolean
  /** words of the subject, each of which must be there; without diacritics they match either way */
  q?: string
}

export interface InboxQuery extends InboxFilter {
  /** the last id of the previous page */
  cursor?: string
  limit: number
}

/**
 * An item as a list shows it: its envelope and signatures stay on the item's own page, and of the
 * document's fields a list entry carries only `business` (the link of an update or replacement).
 */
export type ListedItem = Pick<ItemRow, 'id' | 'documentId' | 'sender' | 'subject' | 'priority' | 'state' | 'sentAt' | 'receivedAt' | 'updatedAt'
  | 'recallRequestedAt' | 'recallNote' | 'recallAnswer' | 'recallAnsweredAt' | 'fields'>

/** The times of an item's work file that its list entry shows. */
export interface WorkFileTimes { dueAt: Date | null, closedAt: Date | null }

export interface InboxEntry { item: ListedItem, file: WorkFileTimes }
export interface InboxListPage { entries: InboxEntry[], next: string | null }

/**
 * ids are uuidv7, made by the inbox when the item is stored: their first 48 bits are the time in
 * ms, within moments of `received_at`. A received range therefore also bounds the ids, which lets
 * the (recipient, id) index skip straight to the range; the bound is widened by a day on each side
 * so that no clock difference between the service and the database can leave an item out, and
 * the exact `received_at` condition still decides.
 */
const ID_CLOCK_SLACK_MS = 24 * 3600 * 1000

/**
 * How many items, newest first, a query with scattered filters (words of the subject, due times,
 * overdue) reads in id order before it fetches the rest of the matches by their own index. How
 * such filters thin the inbox out cannot be told in advance (words typed together are correlated,
 * "chuyển đổi số"; due times follow arrival), so each way alone can go badly: reading in id order
 * when matches are rare, or fetching every match to sort when they are many. Reading this many
 * first finds the page at once when matches are common, and when they are not, the rest holds at
 * most limit × (inbox size / this window) matches to fetch.
 */
export const SCAN_WINDOW = 4000

/** The smallest uuidv7 of a millisecond. */
export function uuidFloor (at: Date): string {
  const ms = Math.max(0, Math.min(at.getTime(), 2 ** 48 - 1))
  const hex = ms.toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`
}

interface Plan {
  agency: string
  /** conditions on the item (`i`) that an index reads in id order, or that hold for most items */
  ordered: SQL[]
  /** one list filter as alternatives (`i.state = '02'`, `i.state = '05'`): each an ordered index scan */
  branches: SQL[]
  /** the same alternatives as one condition, for a query that fetches every match anyway */
  anyOf: SQL | undefined
  /** conditions on the item's work file (`wf`) */
  file: SQL[]
  /** the subject's words as a tsquery */
  words: SQL | undefined
}

function plan (agency: string, f: InboxFilter, now: Date): Plan {
  const ordered: SQL[] = [sql`i.recipient = ${agency}`]
  let branches: SQL[] = []
  let anyOf: SQL | undefined
  // A list of values becomes one ordered index scan per value, merged: Postgres cannot read
  // (recipient, state, id) in id order across several states at once. One list is split so; others
  // filter the rows as they come.
  const list = <T extends string | number>(column: SQL, values: readonly T[] | undefined, cast: SQL): void => {
    if (values === undefined || values.length === 0) return
    const distinct = [...new Set(values)]
    if (distinct.length === 1) { ordered.push(sql`${column} = ${distinct[0]}`); return }
    const condition = sql`${column} = any(${sql.param(distinct)}${cast})`
    if (branches.length > 0) { ordered.push(condition); return }
    branches = distinct.map((v) => sql`${column} = ${v}`)
    anyOf = condition
  }
  list(sql`i.state`, f.state, sql`::text[]`)
  list(sql`i.priority`, f.priority, sql`::int[]`)
  if (f.sender !== undefined) ordered.push(sql`i.sender = ${f.sender}`)
  if (f.document !== undefined) ordered.push(sql`i.document_id = ${f.document}`)
  if (f.receivedFrom !== undefined) {
    ordered.push(sql`i.received_at >= ${f.receivedFrom.toISOString()}::timestamptz`)
    ordered.push(sql`i.id >= ${uuidFloor(new Date(f.receivedFrom.getTime() - ID_CLOCK_SLACK_MS))}::uuid`)
  }
  if (f.receivedTo !== undefined) {
    ordered.push(sql`i.received_at < ${f.receivedTo.toISOString()}::timestamptz`)
    ordered.push(sql`i.id < ${uuidFloor(new Date(f.receivedTo.getTime() + ID_CLOCK_SLACK_MS))}::uuid`)
  }
  if (f.withdrawn === true) ordered.push(sql`i.recall_answer = '15'`)
  if (f.withdrawn === false) ordered.push(sql`i.recall_answer is distinct from '15'`)
  const file: SQL[] = []
  if (f.dueFrom !== undefined) file.push(sql`wf.due_at >= ${f.dueFrom.toISOString()}::timestamptz`)
  if (f.dueTo !== undefined) file.push(sql`wf.due_at < ${f.dueTo.toISOString()}::timestamptz`)
  const nowText = now.toISOString()
  if (f.overdue === true) file.push(sql`wf.closed_at is null and wf.due_at < ${nowText}::timestamptz`)
  if (f.overdue === false) file.push(sql`(wf.closed_at is not null or wf.due_at is null or wf.due_at >= ${nowText}::timestamptz)`)
  const words = f.q === undefined ? undefined : sql`plainto_tsquery('simple', ${searchQuery(f.q)})`
  return { agency, ordered, branches, anyOf, file, words }
}

/** The newest `limit` items meeting the ordered conditions, newest first, as a subquery yielding `columns`. */
function newest (p: Plan, limit: number, columns: SQL): SQL {
  const one = (extra: SQL[]): SQL => sql`select ${columns} from ${items} i where ${sql.join([...p.ordered, ...extra], sql` and `)} order by i.id desc limit ${limit}`
  if (p.branches.length === 0) return one([])
  return sql`select * from (${sql.join(p.branches.map((b) => sql`(${one([b])})`), sql` union all `)}) b order by id desc limit ${limit}`
}

/**
 * One page of the agency's inbox, newest first (ids are uuidv7, so by arrival). The cursor is the
 * last id of the previous page: items arriving meanwhile are newer than it, so a page never
 * shifts and pages never overlap or skip.
 */
export async function listInbox (db: Db, agency: string, query: InboxQuery, now = new Date(), scanWindow = SCAN_WINDOW): Promise<InboxListPage> {
  const p = plan(agency, query, now)
  if (query.cursor !== undefined) p.ordered.push(sql`i.id < ${query.cursor}::uuid`)
  const want = query.limit + 1
  const rows = p.file.length === 0 && p.words === undefined
    ? await pageRows(db, newest(p, want, sql`i.id`))
    : await scatteredRows(db, p, want, scanWindow)
  const entries = rows.map(entryOf)
  const page = entries.slice(0, query.limit)
  return { entries: page, next: entries.length > query.limit ? page[page.length - 1]!.item.id : null }
}

/**
 * The newest `want` items meeting scattered conditions: first among the next SCAN_WINDOW items in
 * id order (read lazily, so common matches stop the reading early, and fetched in the same
 * statement); then, if the page is not full, among all older items, fetched by whichever index
 * their conditions have.
 */
async function scatteredRows (db: Db, p: Plan, want: number, scanWindow: number): Promise<PageRow[]> {
  // Each window row's work file is looked up by itself (a subquery per row, not a join), so that
  // the reading stops as soon as the page is full. The window's last row comes along as a marker,
  // to say where the indexes take over.
  const hit = [
    ...(p.words === undefined ? [] : [sql`w.search @@ ${p.words}`]),
    ...(p.file.length === 0 ? [] : [sql`coalesce((select ${sql.join(p.file, sql` and `)} from ${workFiles} wf where wf.id = w.id), false)`])
  ]
  const first = await pageRows(db, sql`
    select id, hit, n from (
      select w.id, coalesce(${sql.join(hit, sql` and `)}, false) as hit, row_number() over (order by w.id desc) as n
      from (${newest(p, scanWindow, p.words === undefined ? sql`i.id` : sql`i.id, i.search`)}) w
    ) r where hit or n = ${scanWindow} order by id desc limit ${want + 1}`)
  const hits = first.filter((r) => r.hit === true).slice(0, want)
  const floor = first.find((r) => Number(r.n) === scanWindow)
  if (hits.length >= want || floor === undefined) return hits
  const where = [...p.ordered, ...(p.anyOf === undefined ? [] : [p.anyOf]), sql`i.id < ${floor.id}::uuid`,
    ...(p.words === undefined ? [] : [sql`i.search @@ ${p.words}`]),
    // the work file's agency is said although the join implies it, so that its due index can lead
    ...(p.file.length === 0 ? [] : [sql`wf.agency = ${p.agency}`, ...p.file])]
  const source = p.file.length === 0 ? sql`${items} i` : sql`${items} i join ${workFiles} wf on wf.id = i.id`
  // Materialized, so that Postgres fetches every match by its index rather than read the rest of
  // the inbox in id order hoping to meet them soon.
  const rest = await pageRows(db, sql`
    with m as materialized (select i.id from ${source} where ${sql.join(where, sql` and `)})
    select id from m order by id desc limit ${want - hits.length}`)
  return [...hits, ...rest]
}

type PageRow = {
  id: string
  /** in a scan window: whether the row meets the scattered conditions, and its place in the window */
  hit?: boolean
  n?: string
  document_id: string
  sender: string
  subject: string
  priority: number
  state: string
  sent_at: string
  received_at: string
  updated_at: string
  recall_requested_at: string | null
  recall_note: string | null
  recall_answer: string | null
  recall_answered_at: string | null
  business: unknown
  due_at: string | null
  closed_at: string | null
}

/** The list's columns of the items `ids` yields (a query of `id`, and optionally `hit` and `n`), newest first. */
async function pageRows (db: Db, ids: SQL): Promise<PageRow[]> {
  return await db.execute<PageRow>(sql`
    with page as materialized (${ids})
    select page.*, i.document_id, i.sender, i.subject, i.priority, i.state, i.sent_at, i.received_at, i.updated_at,
      i.recall_requested_at, i.recall_note, i.recall_answer, i.recall_answered_at, i.fields->'business' as business, wf.due_at, wf.closed_at
    from page join ${items} i on i.id = page.id left join ${workFiles} wf on wf.id = i.id
    order by i.id desc`)
}

const dateOrNull = (s: string | null): Date | null => s === null ? null : new Date(s)

function entryOf (r: PageRow): InboxEntry {
  return {
    item: {
      id: r.id,
      documentId: r.document_id,
      sender: r.sender,
      subject: r.subject,
      priority: r.priority,
      state: r.state,
      sentAt: new Date(r.sent_at),
      receivedAt: new Date(r.received_at),
      updatedAt: new Date(r.updated_at),
      recallRequestedAt: dateOrNull(r.recall_requested_at),
      recallNote: r.recall_note,
      recallAnswer: r.recall_answer,
      recallAnsweredAt: dateOrNull(r.recall_answered_at),
      fields: r.business === null ? {} : { business: r.business }
    },
    file: { dueAt: dateOrNull(r.due_at), closedAt: dateOrNull(r.closed_at) }
  }
}

/** The due and closing times of an item's work file (the file has the item's id). */
export async function workFileTimes (db: Db, itemId: string): Promise<WorkFileTimes> {
  const rows = await db.select({ dueAt: workFiles.dueAt, closedAt: workFiles.closedAt }).from(workFiles).where(eq(workFiles.id, itemId))
  return rows[0] ?? { dueAt: null, closedAt: null }
}
