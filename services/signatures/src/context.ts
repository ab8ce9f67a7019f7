import type { FastifyBaseLogger } from 'fastify'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { AgencyKeysMirror, Directory, ErrorFactory, SignatureChecker } from '@lienthong/platform'
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
  /** checks signatures as routing and inbox do, for `POST /v1/signatures/verify` */
  signatureChecker: SignatureChecker
  fail: ErrorFactory<'signatures'>
  log: FastifyBaseLogger
}
