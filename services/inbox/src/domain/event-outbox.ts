import { asc, lt, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { FastifyBaseLogger } from 'fastify'
import { uuidv7 } from 'uuidv7'
import { eventSubject, type InboxEvent } from '@lienthong/contracts'
import { TurnBatcher } from '@lienthong/platform'
import { events } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** An event as the domain states it; the outbox gives it its id and the agency's level. */
export type NewEvent = DistributiveOmit<InboxEvent, 'id' | 'level'>

/**
 * The inbox's events, written in the transaction of what they tell and published to the EVENTS
 * stream after it commits. Published rows are deleted; a row left by a crash or by JetStream being
 * away is published by the sweeper, and its id (the message id) keeps the stream from taking it
 * twice. Events of one call are published in their order, on one connection, so one agency's
 * events keep their order in the stream.
 */
export class EventOutbox {
  readonly #db: Db
  readonly #js: JetStreamClient | undefined
  readonly #levelOf: (agency: string) => string | null
  readonly #log: FastifyBaseLogger
  readonly #published: TurnBatcher<string, undefined>

  /** Without `js` events are only recorded, and wait in the table as they would while JetStream is away. */
  constructor (db: Db, js: JetStreamClient | undefined, levelOf: (agency: string) => string | null, log: FastifyBaseLogger) {
    this.#db = db
    this.#js = js
    this.#levelOf = levelOf
    this.#log = log
    this.#published = new TurnBatcher(async (ids) => { await deletePublished(db, ids); return ids.map(() => undefined) }, 1000)
  }

  /** Stores the events in the caller's transaction; publish them once it committed. */
  async record (tx: Db, news: NewEvent[]): Promise<InboxEvent[]> {
    if (news.length === 0) return []
    const made = news.map((e) => ({ ...e, id: uuidv7(), level: this.#levelOf(e.agency) }) as InboxEvent)
    await tx.execute(sql`insert into ${events} (id, agency, body)
      select id::uuid, agency, body::jsonb from unnest(${sql.param(made.map((e) => e.id))}::text[], ${sql.param(made.map((e) => e.agency))}::text[],
        ${sql.param(made.map((e) => JSON.stringify(e)))}::text[]) as t(id, agency, body)`)
    return made
  }

  /** Publishes committed events now, without making the caller wait; the sweeper covers a failure. */
  publish (made: InboxEvent[]): void {
    if (made.length === 0 || this.#js === undefined) return
    this.#publishAll(made).catch((err: unknown) => { this.#log.warn({ err, events: made.length }, 'events not published yet; the sweeper will') })
  }

  async #publishAll (made: InboxEvent[]): Promise<number> {
    const js = this.#js
    if (js === undefined) return 0
    // Sent in order before any answer is awaited, so the stream keeps their order.
    const acks = made.map(async (e) => {
      await js.publish(eventSubject(e.agency, 'inbox'), JSON.stringify(e), { msgID: e.id, timeout: 5_000 })
      await this.#published.call(e.id)
    })
    const results = await Promise.allSettled(acks)
    const failed = results.find((r) => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    return made.length
  }

  /**
   * Publishes events recorded more than `graceMs` ago and still here, page after page until none
   * is left: after a long outage the backlog goes out at once, not a page per sweep.
   */
  async sweep (graceMs: number, limit = 1000): Promise<number> {
    let total = 0
    for (;;) {
      const sent = await this.#sweepPage(graceMs, limit)
      total += sent
      if (sent < limit) return total
    }
  }

  async #sweepPage (graceMs: number, limit: number): Promise<number> {
    const rows = await this.#db.select({ body: events.body }).from(events)
      .where(lt(events.createdAt, sql`now() - make_interval(secs => ${graceMs / 1000})`))
      .orderBy(asc(events.createdAt), asc(events.id)).limit(limit)
    if (rows.length === 0) return 0
    return await this.#publishAll(rows.map((r) => r.body as InboxEvent))
  }
}

async function deletePublished (db: Db, ids: string[]): Promise<void> {
  await db.execute(sql`delete from ${events} where id = any(${sql.param(ids)}::text[]::uuid[])`)
}
