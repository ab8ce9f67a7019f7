import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { FastifyBaseLogger } from 'fastify'
import { eventSubject, type RegistryEvent } from '@lienthong/contracts'
import { EventOutbox, type NewOutboxEvent } from '@lienthong/platform'
import { events } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

export type NewRegistryEvent = NewOutboxEvent<RegistryEvent>

/**
 * Registry's events (`registry.events`), published on `events.<code root-first>.registry`, or on
 * `events.system.registry` when they concern no agency (an unknown client id, an operator client).
 */
export class RegistryOutbox extends EventOutbox<RegistryEvent> {
  /** Without `js` events are only recorded, and wait in the table as they would while JetStream is away. */
  constructor (db: Db, js: JetStreamClient | undefined, levelOf: (agency: string) => string | null, log: FastifyBaseLogger) {
    super({ db, table: events, js, subjectOf: (e) => eventSubject(e.agency, 'registry'), levelOf, log })
  }
}
