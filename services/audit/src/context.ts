import type { FastifyBaseLogger } from 'fastify'
import type { Sql } from 'postgres'
import type { Directory, ErrorFactory, SignatureChecker } from '@lienthong/platform'
import type { AuditConfig } from './config.ts'

/** What audit's routes and consumers are given. The audit service only reads through HTTP. */
export interface AuditContext {
  config: AuditConfig
  sql: Sql
  directory: Directory
  /** verifies checkpoint signatures against the agencies' registered keys */
  signatures: SignatureChecker
  fail: ErrorFactory<'audit'>
  log: FastifyBaseLogger
}
