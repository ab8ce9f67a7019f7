import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { FastifyBaseLogger } from 'fastify'
import { eventSubject, type InboxEvent } from '@lienthong/contracts'
import { EventOutbox as Outbox, type NewOutboxEvent } from '@lienthong/platform'
import { events } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/** An event as the domain states it; the outbox gives it its id and the agency's level. */
export type NewEvent = NewOutboxEvent<InboxEvent>

/** The inbox's events (`inbox.events`), published on `events.<code>.inbox`: the platform's outbox. */
export class EventOutbox extends Outbox<InboxEvent> {
  /** Without `js` events are only recorded, and wait in the table as they would while JetStream is away. */
  constructor (db: Db, js: JetStreamClient | undefined, levelOf: (agency: string) => string | null, log: FastifyBaseLogger) {
    super({ db, table: events, js, subjectOf: (e) => eventSubject(e.agency, 'inbox'), levelOf, log })
  }
}
