import { sql } from 'drizzle-orm'
import { bigserial, check, customType, index, jsonb, pgSchema, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

export const signatures = pgSchema('signatures')

const bytea = customType<{ data: Buffer, driverData: Buffer }>({ dataType: () => 'bytea' })

/**
 * The keys the service holds for agencies that let it sign for them: the public half in the clear,
 * the private half sealed with AES-256-GCM under a master key (the AAD binds agency, role and kid,
 * so a ciphertext opens in its own row only). Keys are never deleted: a rotated key is retired and
 * stays, so what it signed can still be traced to it.
 */
export const custodyKeys = signatures.table('custody_keys', {
  /** the order keys were made in: the newest of a role is the highest */
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  agency: text('agency').notNull(),
  /** `agency` (the seal) or `signer` (the authorised person) */
  role: text('role').notNull(),
  /** the RFC 7638 thumbprint of the public key */
  kid: text('kid').notNull(),
  alg: text('alg').notNull(),
  publicJwk: jsonb('public_jwk').notNull(),
  masterKeyId: text('master_key_id').notNull(),
  iv: bytea('iv').notNull(),
  authTag: bytea('auth_tag').notNull(),
  ciphertext: bytea('ciphertext').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** when a newer key of the role was made; the key may still sign until that one is registered */
  retiredAt: timestamp('retired_at', { withTimezone: true })
}, (t) => [
  uniqueIndex('custody_keys_agency_kid').on(t.agency, t.kid),
  // One live key per agency and role, however many enrolments run at once.
  uniqueIndex('custody_keys_live_role').on(t.agency, t.role).where(sql`${t.retiredAt} is null`),
  index('custody_keys_master_key').on(t.masterKeyId),
  check('custody_keys_role', sql`${t.role} in ('agency', 'signer')`)
])
export type CustodyKeyRow = typeof custodyKeys.$inferSelect
