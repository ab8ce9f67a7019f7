import { pgSchema, text, integer, timestamp, index } from 'drizzle-orm/pg-core'

export const registry = pgSchema('registry')

export const agencies = registry.table('agencies', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  /** the name lowercased without diacritics, so "lao cai" finds "Lào Cai" */
  nameSearch: text('name_search').notNull(),
  level: text('level').notNull(),
  kind: text('kind').notNull(),
  parent: text('parent'),
  status: text('status').notNull().default('active'),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [index('agencies_parent_idx').on(t.parent), index('agencies_level_idx').on(t.level)])

export const apiClients = registry.table('api_clients', {
  clientId: text('client_id').primaryKey(),
  /** null for an operator client, which acts for no agency */
  agencyCode: text('agency_code'),
  secretHash: text('secret_hash').notNull(),
  scopes: text('scopes').notNull(),
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
