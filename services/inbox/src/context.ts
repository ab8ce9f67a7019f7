import type { FastifyBaseLogger } from 'fastify'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { ErrorFactory } from '@lienthong/platform'
import type { InboxConfig } from './config.ts'

/** What inbox's routes, consumers and domain functions are given. */
export interface InboxContext {
  config: InboxConfig
  db: PostgresJsDatabase<Record<string, unknown>>
  js: JetStreamClient
  fail: ErrorFactory<'inbox'>
  log: FastifyBaseLogger
}
