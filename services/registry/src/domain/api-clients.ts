import { eq, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { RegistryEvent, TokenRefusalReason } from '@lienthong/contracts'
import { apiClients } from '../db/schema.ts'
import { hashClientSecret, newClientId, newClientSecret, verifyClientSecret } from './client-secret.ts'
import type { RegistryOutbox } from './event-outbox.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

export interface IssuedClient { clientId: string, clientSecret: string, agency: string | null, scopes: string[], under: string | null }

/** A new API client; its secret is shown this once and stored only as a slow hash. Its event carries no secret. */
export async function createApiClient (db: Db, outbox: RegistryOutbox, agency: string | null, scopes: string[], under: string | null = null): Promise<IssuedClient> {
  const clientId = newClientId()
  const clientSecret = newClientSecret()
  const secretHash = await hashClientSecret(clientSecret)
  const recorded = await db.transaction(async (tx) => {
    await tx.insert(apiClients).values({ clientId, agencyCode: agency, secretHash, scopes: scopes.join(' '), under })
    return await outbox.record(tx, [{ type: 'api-client.created', agency, at: new Date().toISOString(), clientId, scopes, under }])
  })
  outbox.publish(recorded)
  return { clientId, clientSecret, agency, scopes, under }
}

/**
 * Makes sure the configured operator client exists with this secret (a changed secret replaces it);
 * told as `api-client.created` whenever the row is (re)written.
 */
export async function ensureOperatorClient (db: Db, outbox: RegistryOutbox, clientId: string, secret: string, scopes: string[]): Promise<void> {
  const rows = await db.select().from(apiClients).where(eq(apiClients.clientId, clientId))
  const row = rows[0]
  // An upgrade may give the operator new scopes: the row is rewritten unless it already says the same.
  if (row !== undefined && row.scopes === scopes.join(' ') && row.revokedAt === null && await verifyClientSecret(secret, row.secretHash)) return
  const secretHash = await hashClientSecret(secret)
  const recorded = await db.transaction(async (tx) => {
    await tx.insert(apiClients).values({ clientId, agencyCode: null, secretHash, scopes: scopes.join(' ') })
      .onConflictDoUpdate({ target: apiClients.clientId, set: { secretHash, scopes: scopes.join(' '), revokedAt: null } })
    return await outbox.record(tx, [{ type: 'api-client.created', agency: null, at: new Date().toISOString(), clientId, scopes, under: null }])
  })
  outbox.publish(recorded)
}

export type Authentication =
  | { ok: true, agency: string | null, scopes: string, under: string | null, officialName: string | null }
  | { ok: false, reason: Extract<TokenRefusalReason, 'unknown_client' | 'wrong_secret' | 'client_revoked'>, agency: string | null }

/**
 * Whether the id names a live client and the secret is its; when not, why (for the audit ledger
 * only: the caller answers every refusal alike) and the client's agency when the id names one.
 */
export async function authenticateClient (db: Db, clientId: string, secret: string): Promise<Authentication> {
  const rows = await db.select().from(apiClients).where(eq(apiClients.clientId, clientId))
  const row = rows[0]
  if (row === undefined) {
    // Spend the same time as a real check, so response time does not tell which ids exist.
    await verifyClientSecret(secret, DUMMY_HASH)
    return { ok: false, reason: 'unknown_client', agency: null }
  }
  const matches = await verifyClientSecret(secret, row.secretHash)
  if (row.revokedAt !== null) return { ok: false, reason: 'client_revoked', agency: row.agencyCode }
  if (!matches) return { ok: false, reason: 'wrong_secret', agency: row.agencyCode }
  return { ok: true, agency: row.agencyCode, scopes: row.scopes, under: row.under, officialName: row.officialName }
}

/** The agency a client id belongs to, if the id names a client. */
export async function clientAgency (db: Db, clientId: string): Promise<string | null> {
  const [row] = await db.select({ agency: apiClients.agencyCode }).from(apiClients).where(eq(apiClients.clientId, clientId))
  return row?.agency ?? null
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

/** Revokes a client: it gets no more tokens (those already issued expire within their lifetime). Told the first time only. */
export async function revokeApiClient (db: Db, outbox: RegistryOutbox, clientId: string): Promise<{ clientId: string, agency: string | null, revokedAt: Date } | undefined> {
  let recorded: RegistryEvent[] = []
  const revoked = await db.transaction(async (tx) => {
    const [was] = await tx.select({ revokedAt: apiClients.revokedAt }).from(apiClients).where(eq(apiClients.clientId, clientId)).for('update')
    if (was === undefined) return undefined
    const [row] = await tx.update(apiClients).set({ revokedAt: sql`coalesce(${apiClients.revokedAt}, now())` })
      .where(eq(apiClients.clientId, clientId)).returning()
    if (was.revokedAt === null) {
      recorded = await outbox.record(tx, [{ type: 'api-client.revoked', agency: row!.agencyCode, at: row!.revokedAt!.toISOString(), clientId }])
    }
    return { clientId: row!.clientId, agency: row!.agencyCode, revokedAt: row!.revokedAt! }
  })
  outbox.publish(recorded)
  return revoked
}
