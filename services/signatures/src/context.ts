import type { FastifyBaseLogger } from 'fastify'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { AgencyKeysMirror, Directory, ErrorFactory } from '@lienthong/platform'
import type { SignaturesConfig } from './config.ts'
import type { CustodyKeyRing } from './domain/custody-key-ring.ts'
import type { MasterKeySet } from './domain/master-keys.ts'

/** What the signatures service's routes, responder and domain functions are given. */
export interface SignaturesContext {
  config: SignaturesConfig
  db: PostgresJsDatabase<Record<string, unknown>>
  masterKeys: MasterKeySet
  directory: Directory
  agencyKeys: AgencyKeysMirror
  ring: CustodyKeyRing
  fail: ErrorFactory<'signatures'>
  log: FastifyBaseLogger
}
