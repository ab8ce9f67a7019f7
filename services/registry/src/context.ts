import type { KV } from '@nats-io/kv'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { ErrorFactory } from '@lienthong/platform'
import type { RegistryConfig } from './config.ts'

/** What registry's routes are given: its settings, database, directory bucket and errors. */
export interface RegistryContext {
  config: RegistryConfig
  db: PostgresJsDatabase<Record<string, unknown>>
  directoryBucket: KV
  fail: ErrorFactory<'registry'>
}
