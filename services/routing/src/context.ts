import type { FastifyBaseLogger } from 'fastify'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { Directory, ErrorFactory } from '@lienthong/platform'
import type { RoutingConfig } from './config.ts'

/** What routing's routes, consumers and domain functions are given. */
export interface RoutingContext {
  config: RoutingConfig
  db: PostgresJsDatabase<Record<string, unknown>>
  js: JetStreamClient
  directory: Directory
  fail: ErrorFactory<'routing'>
  log: FastifyBaseLogger
}
