import { sql } from 'drizzle-orm'
import { pgSchema, text, integer, timestamp, index, jsonb, primaryKey, check, uuid } from 'drizzle-orm/pg-core'

export const registry = pgSchema('registry')

export const agencies = registry.table('agencies', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  /** the name lowercased without diacritics, so "lao cai" finds "Lào Cai" */
  nameSearch: text('name_search').notNull(),
  level: text('level').notNull(),
  kind: text('kind').notNull(),
  parent: text('parent'),
  /** the code root-first (`H38.31.05.007`), so a subtree is one prefix match */
  path: text('path').notNull(),
  status: text('status').notNull().default('active'),
  /** when the current status began */
  statusSince: timestamp('status_since', { withTimezone: true }).notNull().defaultNow(),
  suspendedAt: timestamp('suspended_at', { withTimezone: true }),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
  webhookUrl: text('webhook_url'),
  mailAddress: text('mail_address'),
  version: integer('version').notNull().default(1),
  /** the version last put into the directory bucket; behind `version` means still to publish */
  publishedVersion: integer('published_version'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  index('agencies_unpublished_idx').on(t.code).where(sql`${t.publishedVersion} is distinct from ${t.version}`),
  index('agencies_parent_idx').on(t.parent),
  index('agencies_level_idx').on(t.level),
  index('agencies_path_idx').on(t.path.op('text_pattern_ops'))
])

/** Public keys and certificates that speak for an agency (its DMS signs with the private halves). */
export const agencyKeys = registry.table('agency_keys', {
  agencyCode: text('agency_code').notNull(),
  kid: text('kid').notNull(),
  alg: text('alg').notNull(),
  publicJwk: jsonb('public_jwk').notNull(),
  /** `agency` (the seal) or `signer` (an authorised person's key); one never passes for the other */
  role: text('role').notNull().default('agency'),
  /** for a signer key: the person who holds it (name, position); null for an agency key */
  holder: text('holder'),
  certificatePem: text('certificate_pem'),
  notBefore: timestamp('not_before', { withTimezone: true }).notNull(),
  notAfter: timestamp('not_after', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  primaryKey({ columns: [t.agencyCode, t.kid] }),
  check('agency_keys_role_check', sql`role in ('agency', 'signer')`),
  check('agency_keys_holder_check', sql`holder is null or role = 'signer'`)
])

export const apiClients = registry.table('api_clients', {
  clientId: text('client_id').primaryKey(),
  /** null for an operator client, which acts for no agency */
  agencyCode: text('agency_code'),
  secretHash: text('secret_hash').notNull(),
  scopes: text('scopes').notNull(),
  /** for auditors: the subtree (an agency code) their tokens are limited to */
  under: text('under'),
  /** for an official's mail credentials (`mail:<address>`): the official's full name, carried in their tokens */
  officialName: text('official_name'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true })
})

export const tokenKeys = registry.table('token_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  privateKeyPem: text('private_key_pem').notNull(),
  publicKeyPem: text('public_key_pem').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  retiredAt: timestamp('retired_at', { withTimezone: true })
})

/**
 * Registry's events (directory, keys, credentials, refused token requests), recorded in the same
 * transaction as what they tell, until JetStream has them: the outbox of the EVENTS stream. A row
 * is deleted once published; what is left after a crash is sent by the sweeper. `agency` is null
 * for an event of no agency (published on `events.system.registry`). Refusals have an index of
 * their own, so counting those still waiting (to bound them during an outage) reads only them.
 */
export const events = registry.table('events', {
  id: uuid('id').primaryKey(),
  agency: text('agency'),
  body: jsonb('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  index('events_created').on(t.createdAt),
  index('events_token_refusals').on(t.createdAt).where(sql`(${t.body}->>'type') = 'token.refused'`)
])
