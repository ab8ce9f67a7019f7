import { asc, lt, sql } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { FastifyBaseLogger } from 'fastify'
import { uuidv7 } from 'uuidv7'
import { TurnBatcher } from './turn-batcher.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** What every event of the EVENTS stream has: its id (the message id), its agency (null: none) and level. */
export interface OutboxEvent { id: string, agency: string | null, level: string | null }

/**
 * An event as a service's domain states it; the outbox gives it its id and, unless the caller knew
 * it better (registry, changing the level itself), the agency's level from the directory.
 */
export type NewOutboxEvent<E extends OutboxEvent> = DistributiveOmit<E, 'id' | 'level'> & { level?: string | null }

/** A service's outbox table, in its own schema: `id uuid primary key, agency text, body jsonb, created_at timestamptz`. */
export type EventOutboxTable = PgTable & { id: PgColumn, agency: PgColumn, body: PgColumn, createdAt: PgColumn }

export interface EventOutboxOptions<E extends OutboxEvent> {
  db: Db
  table: EventOutboxTable
  /** without it events are only recorded, and wait in the table as they would while JetStream is away */
  js: JetStreamClient | undefined
  subjectOf: (event: E) => string
  levelOf: (agency: string) => string | null
  log: FastifyBaseLogger
}

/** Published at once in pages of this many: a national import's events must not be a million promises at once. */
const PUBLISH_PAGE = 1000

/**
 * A service's events, written in the transaction of what they tell and published to the EVENTS
 * stream after it commits. Published rows are deleted; a row left by a crash or by JetStream being
 * away is published by the sweeper, and its id (the message id) keeps the stream from taking it
 * twice. Events of one call are published in their order, on one connection, so one agency's
 * events keep their order in the stream.
 */
export class EventOutbox<E extends OutboxEvent> {
  readonly #db: Db
  readonly #table: EventOutboxTable
  readonly #js: JetStreamClient | undefined
  readonly #subjectOf: (event: E) => string
  readonly #levelOf: (agency: string) => string | null
  readonly #log: FastifyBaseLogger
  readonly #published: TurnBatcher<string, undefined>

  constructor (opts: EventOutboxOptions<E>) {
    this.#db = opts.db
    this.#table = opts.table
    this.#js = opts.js
    this.#subjectOf = opts.subjectOf
    this.#levelOf = opts.levelOf
    this.#log = opts.log
    const table = opts.table
    this.#published = new TurnBatcher(async (ids) => {
      await opts.db.execute(sql`delete from ${table} where id = any(${sql.param(ids)}::text[]::uuid[])`)
      return ids.map(() => undefined)
    }, 1000)
  }

  /** Stores the events in the caller's transaction; publish them once it committed. */
  async record (tx: Db, news: Array<NewOutboxEvent<E>>): Promise<E[]> {
    if (news.length === 0) return []
    const made = this.stamp(news)
    for (let i = 0; i < made.length; i += 5000) {
      const page = made.slice(i, i + 5000)
      await tx.execute(sql`insert into ${this.#table} (id, agency, body)
        select id::uuid, agency, body::jsonb from unnest(${sql.param(page.map((e) => e.id))}::text[], ${sql.param(page.map((e) => e.agency))}::text[],
          ${sql.param(page.map((e) => JSON.stringify(e)))}::text[]) as t(id, agency, body)`)
    }
    return made
  }

  /**
   * The events as they will be stored and published, with their ids and levels, for a caller that
   * writes them in a statement of its own (into this outbox's table: id, agency, body).
   */
  stamp (news: Array<NewOutboxEvent<E>>): E[] {
    return news.map((e) => ({ ...e, id: uuidv7(), level: e.level !== undefined ? e.level : e.agency === null ? null : this.#levelOf(e.agency) }) as unknown as E)
  }

  /** Publishes committed events now, without making the caller wait; the sweeper covers a failure. */
  publish (made: E[]): void {
    if (made.length === 0 || this.#js === undefined) return
    this.#publishAll(made).catch((err: unknown) => { this.#log.warn({ err, events: made.length }, 'events not published yet; the sweeper will') })
  }

  async #publishAll (made: E[]): Promise<number> {
    for (let i = 0; i < made.length; i += PUBLISH_PAGE) await this.#publishPage(made.slice(i, i + PUBLISH_PAGE))
    return made.length
  }

  async #publishPage (page: E[]): Promise<void> {
    const js = this.#js
    if (js === undefined) return
    // Sent in order before any answer is awaited, so the stream keeps their order.
    const acks = page.map(async (e) => {
      await js.publish(this.#subjectOf(e), JSON.stringify(e), { msgID: e.id, timeout: 5_000 })
      await this.#published.call(e.id)
    })
    const results = await Promise.allSettled(acks)
    const failed = results.find((r) => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
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
    const t = this.#table
    const rows = await this.#db.select({ body: t.body }).from(t)
      .where(lt(t.createdAt, sql`now() - make_interval(secs => ${graceMs / 1000})`))
      .orderBy(asc(t.createdAt), asc(t.id)).limit(limit)
    if (rows.length === 0) return 0
    return await this.#publishAll(rows.map((r) => r.body as E))
  }
}
