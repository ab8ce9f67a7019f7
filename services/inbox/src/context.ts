import type { FastifyBaseLogger } from 'fastify'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { CustodySigner, ErrorFactory, SignatureChecker } from '@lienthong/platform'
import type { InboxConfig } from './config.ts'
import type { EventOutbox } from './domain/event-outbox.ts'

/** What inbox's routes, consumers and domain functions are given. */
export interface InboxContext {
  config: InboxConfig
  db: PostgresJsDatabase<Record<string, unknown>>
  js: JetStreamClient
  /** checks envelope and receipt signatures against the mirrored agency keys */
  signatures: SignatureChecker
  /** asks the signatures service to sign receipts for agencies in its custody */
  custody: CustodySigner
  /** the events of what happens here, recorded with it and published to the EVENTS stream */
  events: EventOutbox
  fail: ErrorFactory<'inbox'>
  log: FastifyBaseLogger
}
