import { and, eq, isNull, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { apiClients } from '../db/schema.ts'
import { hashClientSecret, newClientId, newClientSecret, verifyClientSecret } from './client-secret.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

export interface IssuedClient { clientId: string, clientSecret: string, agency: string | null, scopes: string[], under: string | null }

/** A new API client; its secret is shown this once and stored only as a slow hash. */
export async function createApiClient (db: Db, agency: string | null, scopes: string[], under: string | null = null): Promise<IssuedClient> {
  const clientId = newClientId()
  const clientSecret = newClientSecret()
  await db.insert(apiClients).values({ clientId, agencyCode: agency, secretHash: await hashClientSecret(clientSecret), scopes: scopes.join(' '), under })
  return { clientId, clientSecret, agency, scopes, under }
}

/** Makes sure the configured operator client exists with this secret (a changed secret replaces it). */
export async function ensureOperatorClient (db: Db, clientId: string, secret: string, scopes: string[]): Promise<void> {
  const rows = await db.select().from(apiClients).where(eq(apiClients.clientId, clientId))
  const row = rows[0]
  // An upgrade may give the operator new scopes: the row is rewritten unless it already says the same.
  if (row !== undefined && row.scopes === scopes.join(' ') && row.revokedAt === null && await verifyClientSecret(secret, row.secretHash)) return
  const secretHash = await hashClientSecret(secret)
  await db.insert(apiClients).values({ clientId, agencyCode: null, secretHash, scopes: scopes.join(' ') })
    .onConflictDoUpdate({ target: apiClients.clientId, set: { secretHash, scopes: scopes.join(' '), revokedAt: null } })
}

/** The client, when the id exists, is not revoked and the secret matches; otherwise undefined. */
export async function authenticateClient (db: Db, clientId: string, secret: string): Promise<{ agency: string | null, scopes: string, under: string | null } | undefined> {
  const rows = await db.select().from(apiClients).where(and(eq(apiClients.clientId, clientId), isNull(apiClients.revokedAt)))
  const row = rows[0]
  if (row === undefined) {
    // Spend the same time as a real check, so response time does not tell which ids exist.
    await verifyClientSecret(secret, DUMMY_HASH)
    return undefined
  }
  if (!await verifyClientSecret(secret, row.secretHash)) return undefined
  return { agency: row.agencyCode, scopes: row.scopes, under: row.under }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

/** Revokes a client: it gets no more tokens (those already issued expire within their lifetime). */
export async function revokeApiClient (db: Db, clientId: string): Promise<{ clientId: string, agency: string | null, revokedAt: Date } | undefined> {
  const rows = await db.update(apiClients).set({ revokedAt: sql`coalesce(${apiClients.revokedAt}, now())` })
    .where(eq(apiClients.clientId, clientId)).returning()
  const row = rows[0]
  return row !== undefined ? { clientId: row.clientId, agency: row.agencyCode, revokedAt: row.revokedAt! } : undefined
}
