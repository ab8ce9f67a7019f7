import type { FastifyBaseLogger } from 'fastify'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { Sql } from 'postgres'
import type { AttachmentStore, Directory, ErrorFactory } from '@lienthong/platform'
import type { MailGatewayConfig } from './config.ts'

/** What the gateway's consumers, SMTP handlers and domain functions are given. */
export interface MailContext {
  config: MailGatewayConfig
  db: PostgresJsDatabase<Record<string, unknown>>
  sql: Sql
  directory: Directory
  attachments: AttachmentStore
  fail: ErrorFactory<'mail'>
  log: FastifyBaseLogger
}
