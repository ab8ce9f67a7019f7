import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { webhookDeliveries, webhooks } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
export type DeliveryRow = typeof webhookDeliveries.$inferSelect

/** A delivery claimed for one attempt, with where it goes and the secret to sign it with. */
export interface ClaimedDelivery {
  id: number
  agency: string
  eventId: string
  body: unknown
  attempts: number
  url: string
  secret: string
}

/**
 * Stores one event for the agency's webhook, when the agency has one. Returns whether a row was
 * made: the same event again (a redelivery from JetStream) makes none. The webhook row is locked
 * in share mode so a removal running at the same time either waits for this row (and removes it)
 * or is seen to have happened.
 */
export async function enqueueDelivery (db: Db, event: QueuedEvent): Promise<boolean> {
  return (await enqueueDeliveries(db, [event]))[0]!
}

export interface QueuedEvent { agency: string, eventId: string, eventSeq: number, body: unknown }

/**
 * enqueueDelivery for many events in one statement: a broadcast is thousands of events, nearly
 * all of agencies without a webhook, and one round trip each would compete with the arrivals.
 */
export async function enqueueDeliveries (db: Db, events: QueuedEvent[]): Promise<boolean[]> {
  if (events.length === 0) return []
  const rows = await db.execute<{ agency: string, event_id: string }>(sql`insert into ${webhookDeliveries} (agency, event_id, event_seq, body)
    select w.agency, t.event_id::uuid, t.event_seq::bigint, t.body::jsonb
    from unnest(${sql.param(events.map((e) => e.agency))}::text[], ${sql.param(events.map((e) => e.eventId))}::text[],
      ${sql.param(events.map((e) => String(e.eventSeq)))}::text[], ${sql.param(events.map((e) => JSON.stringify(e.body)))}::text[])
      as t(agency, event_id, event_seq, body)
    join ${webhooks} w on w.agency = t.agency
    for share of w
    on conflict (agency, event_id) do nothing
    returning agency, event_id`)
  const stored = new Set(rows.map((r) => `${r.agency} ${r.event_id}`))
  return events.map((e) => stored.delete(`${e.agency} ${e.eventId}`))
}

/**
 * Takes up to `limit` due deliveries for one attempt each. Their next attempt is moved a lease
 * ahead, so another copy of the inbox (skipping rows locked by this claim) does not take them
 * too, and a copy that dies mid-call leaves them to be tried again once the lease is over.
 *
 * At most `perAgency` of one agency, less what the caller has in flight for it (`busy`): one
 * receiver that hangs, with thousands of events waiting, must not hold every slot while the other
 * agencies' calls wait behind it.
 */
export async function claimDueDeliveries (db: Db, limit: number, leaseMs: number, share: { perAgency: number, busy?: ReadonlyMap<string, number> } = { perAgency: limit }): Promise<ClaimedDelivery[]> {
  const busy = [...(share.busy ?? new Map<string, number>())].filter(([, n]) => n > 0)
  const busyAgencies = sql.param(busy.map(([a]) => a))
  const busyCounts = sql.param(busy.map(([, n]) => String(n)))
  const rows = await db.execute<{ id: string | number, agency: string, event_id: string, body: unknown, attempts: number, url: string, secret: string }>(sql`
    update ${webhookDeliveries} d set next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
    from ${webhooks} w
    where w.agency = d.agency and d.id in (
      select id from ${webhookDeliveries}
      where id in (
        select r.id from (
          select id, agency, row_number() over (partition by agency order by next_attempt_at, id) as n
          from ${webhookDeliveries} where state = 'pending' and next_attempt_at <= now()
        ) r left join unnest(${busyAgencies}::text[], ${busyCounts}::text[]) as b(agency, n) on b.agency = r.agency
        where r.n <= ${share.perAgency} - coalesce(b.n::integer, 0))
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked)
    returning d.id, d.agency, d.event_id, d.body, d.attempts, w.url, w.secret`)
  return rows.map((r) => ({ id: Number(r.id), agency: r.agency, eventId: r.event_id, body: r.body, attempts: r.attempts, url: r.url, secret: r.secret }))
}

/** The receiver answered 2xx: done. */
export async function recordDelivered (db: Db, id: number, status: number): Promise<void> {
  await db.update(webhookDeliveries)
    .set({ state: 'delivered', attempts: sql`${webhookDeliveries.attempts} + 1`, lastStatus: status, lastError: null, finishedAt: sql`now()` })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.state, 'pending')))
}

/**
 * An attempt failed: the next one comes after `delayMs`, unless the delivery is `giveUpMs` old by
 * the database's clock, in which case it is given up (`dead`, the dead-letter list). Returns the
 * state the delivery is left in (undefined: it was removed or settled meanwhile).
 */
export async function recordFailure (db: Db, id: number, failure: { status: number | null, error: string, delayMs: number, giveUpMs: number }): Promise<'pending' | 'dead' | undefined> {
  const givenUp = sql`now() - ${webhookDeliveries.createdAt} >= ${failure.giveUpMs} * interval '1 millisecond'`
  const [row] = await db.update(webhookDeliveries).set({
    attempts: sql`${webhookDeliveries.attempts} + 1`,
    lastStatus: failure.status,
    lastError: failure.error.slice(0, 500),
    state: sql`case when ${givenUp} then 'dead' else 'pending' end`,
    finishedAt: sql`case when ${givenUp} then now() end`,
    nextAttemptAt: sql`now() + ${failure.delayMs} * interval '1 millisecond'`
  }).where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.state, 'pending'))).returning({ state: webhookDeliveries.state })
  return row?.state as 'pending' | 'dead' | undefined
}

export interface DeadLetter {
  id: number
  agency: string
  eventId: string
  eventSeq: number
  eventType: string
  attempts: number
  lastStatus: number | null
  lastError: string | null
  createdAt: Date
  finishedAt: Date | null
}

/** The deliveries given up, oldest first, of one agency or all; `next` is the cursor of the next page. */
export async function listDeadLetters (db: Db, query: { agency?: string, cursor?: number, limit: number }): Promise<{ items: DeadLetter[], next: number | null }> {
  const where: SQL[] = [eq(webhookDeliveries.state, 'dead')]
  if (query.agency !== undefined) where.push(eq(webhookDeliveries.agency, query.agency))
  if (query.cursor !== undefined) where.push(gt(webhookDeliveries.id, query.cursor))
  const rows = await db.select({
    id: webhookDeliveries.id,
    agency: webhookDeliveries.agency,
    eventId: webhookDeliveries.eventId,
    eventSeq: webhookDeliveries.eventSeq,
    eventType: sql<string>`${webhookDeliveries.body}->>'type'`,
    attempts: webhookDeliveries.attempts,
    lastStatus: webhookDeliveries.lastStatus,
    lastError: webhookDeliveries.lastError,
    createdAt: webhookDeliveries.createdAt,
    finishedAt: webhookDeliveries.finishedAt
  }).from(webhookDeliveries).where(and(...where)).orderBy(asc(webhookDeliveries.id)).limit(query.limit + 1)
  const more = rows.length > query.limit
  const items = more ? rows.slice(0, query.limit) : rows
  return { items, next: more ? items[items.length - 1]!.id : null }
}

/**
 * Puts dead letters back to be tried at once, as if new: no attempts, and a whole give-up period
 * again from now. Only rows that are dead change (a replay of a replay does nothing more).
 */
export async function replayDeadLetters (db: Db, which: { ids?: readonly number[], agency?: string }): Promise<number> {
  if (which.ids === undefined && which.agency === undefined) throw new Error('name the dead letters to replay: ids, an agency, or both')
  const where: SQL[] = [eq(webhookDeliveries.state, 'dead')]
  if (which.ids !== undefined) where.push(inArray(webhookDeliveries.id, [...which.ids]))
  if (which.agency !== undefined) where.push(eq(webhookDeliveries.agency, which.agency))
  const rows = await db.update(webhookDeliveries)
    .set({ state: 'pending', attempts: 0, nextAttemptAt: sql`now()`, createdAt: sql`now()`, finishedAt: null })
    .where(and(...where)).returning({ id: webhookDeliveries.id })
  return rows.length
}

/** Forgets deliveries done more than `keptMs` ago; pending and dead ones are kept. */
export async function pruneDelivered (db: Db, keptMs: number, limit = 10_000): Promise<number> {
  const rows = await db.execute(sql`delete from ${webhookDeliveries} where id in (
    select id from ${webhookDeliveries} where state = 'delivered' and finished_at < now() - ${keptMs} * interval '1 millisecond' limit ${limit})
    returning id`)
  return rows.length
}
