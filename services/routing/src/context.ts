import type { FastifyBaseLogger } from 'fastify'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { AttachmentStore, CustodySigner, Directory, ErrorFactory, SignatureChecker, TurnBatcher } from '@lienthong/platform'
import type { RoutingConfig } from './config.ts'
import type { RoutingOutbox } from './domain/event-outbox.ts'
import type { SendAdmission } from './domain/send-admission.ts'

/** What routing's routes, consumers and domain functions are given. */
export interface RoutingContext {
  config: RoutingConfig
  db: PostgresJsDatabase<Record<string, unknown>>
  js: JetStreamClient
  directory: Directory
  /** checks envelope and receipt signatures against the mirrored agency keys */
  signatures: SignatureChecker
  /** asks the signatures service to sign for agencies in its custody */
  custody: CustodySigner
  /** uploaded files, by SHA-256, one copy however many documents name them */
  attachments: AttachmentStore
  /** the events of what happens here (documents sent, recalled), recorded with it and published to the EVENTS stream */
  events: RoutingOutbox
  /** marks a document published once JetStream took its deliveries; the marks of one turn are one statement */
  published: TurnBatcher<string, undefined>
  /** how many sends are taken on at once */
  admission: SendAdmission
  fail: ErrorFactory<'routing'>
  log: FastifyBaseLogger
}
