import { sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { items, workFiles } from '../db/schema.ts'
import { WORK_STATES } from './inbox-query.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

export interface InboxCounts {
  total: number
  /** every work state, 0 where there is none */
  byState: Record<(typeof WORK_STATES)[number], number>
  /** items whose work file is open and past its due time (files the DMS opened are not in the inbox) */
  overdue: number
  /** items the sender recalled with the recall agreed (15) */
  withdrawn: number
}

/**
 * An agency's inbox in numbers, in one round trip, each from an index alone: the states from
 * (recipient, state, id), overdue from the open files' due index, withdrawn from its partial index.
 * The state counts read one index entry per item, so they take longer as the inbox grows (a few
 * ms for 100,000 items); the others read only what they count.
 */
export async function inboxCounts (db: Db, agency: string, now = new Date()): Promise<InboxCounts> {
  const [row] = await db.execute<{ by_state: Record<string, number> | null, overdue: number, withdrawn: number }>(sql`
    select
      (select jsonb_object_agg(state, n) from (select state, count(*)::int as n from ${items} where recipient = ${agency} group by state) s) as by_state,
      (select count(*)::int from ${workFiles} where agency = ${agency} and closed_at is null and due_at < ${now.toISOString()}::timestamptz and item_id is not null) as overdue,
      (select count(*)::int from ${items} where recipient = ${agency} and recall_answer = '15') as withdrawn`)
  const found = row!.by_state ?? {}
  const byState = Object.fromEntries(WORK_STATES.map((s) => [s, found[s] ?? 0])) as InboxCounts['byState']
  return {
    total: Object.values(found).reduce((a, b) => a + b, 0),
    byState,
    overdue: row!.overdue,
    withdrawn: row!.withdrawn
  }
}
