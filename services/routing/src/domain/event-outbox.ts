import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { FastifyBaseLogger } from 'fastify'
import { eventSubject, type RoutingEvent } from '@lienthong/contracts'
import { EventOutbox, type NewOutboxEvent } from '@lienthong/platform'
import { events } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

export type NewRoutingEvent = NewOutboxEvent<RoutingEvent>

/** Routing's events (`routing.events`), published on `events.<sender root-first>.routing`. */
export class RoutingOutbox extends EventOutbox<RoutingEvent> {
  /** Without `js` events are only recorded, and wait in the table as they would while JetStream is away. */
  constructor (db: Db, js: JetStreamClient | undefined, levelOf: (agency: string) => string | null, log: FastifyBaseLogger) {
    super({ db, table: events, js, subjectOf: (e) => eventSubject(e.agency, 'routing'), levelOf, log })
  }
}
