import type { KV } from '@nats-io/kv'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { ErrorFactory } from '@lienthong/platform'
import type { KeyPolicy } from './domain/public-key.ts'
import type { RegistryConfig } from './config.ts'
import type { TokenKeyRing } from './domain/token-keys.ts'
import type { AnswerCache } from './domain/answer-cache.ts'
import type { RegistryOutbox } from './domain/event-outbox.ts'

/** What registry's routes are given: its settings, database, directory bucket and errors. */
export interface RegistryContext {
  config: RegistryConfig
  db: PostgresJsDatabase<Record<string, unknown>>
  directoryBucket: KV
  /** the `agency-keys` bucket: every agency's public keys and certificates */
  agencyKeysBucket: KV
  /** the keys that sign access tokens */
  keyRing: TokenKeyRing
  /** serialised directory reads, dropped on every directory change */
  answers: AnswerCache
  /** the trust anchors and certificate rule keys are registered under */
  keyPolicy: KeyPolicy
  /** the events of directory, key and credential changes and refused token requests, recorded with them */
  events: RegistryOutbox
  fail: ErrorFactory<'registry'>
}
