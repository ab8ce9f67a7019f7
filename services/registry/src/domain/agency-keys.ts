import type { KV } from '@nats-io/kv'
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { agencyKeyBucketKey, type AgencyKeyEntry, type KeyAlgorithm, type KeyRole, type RegistryEvent } from '@lienthong/contracts'
import type { ErrorFactory } from '@lienthong/platform'
import { agencyKeys } from '../db/schema.ts'
import { certificateFacts, type ValidatedKey } from './public-key.ts'
import type { RegistryOutbox } from './event-outbox.ts'
import { agencyKeyRegistered, agencyKeyRevoked } from './registry-events.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
type AgencyKeyRow = typeof agencyKeys.$inferSelect
type Fail = ErrorFactory<'registry'>

const CONCURRENCY = 256

export function toKeyEntry (row: AgencyKeyRow): AgencyKeyEntry {
  return {
    agency: row.agencyCode,
    kid: row.kid,
    alg: row.alg as KeyAlgorithm,
    role: row.role as KeyRole,
    holder: row.holder,
    jwk: row.publicJwk as Record<string, unknown>,
    certificate: row.certificatePem === null ? null : certificateFacts(row.certificatePem),
    notBefore: row.notBefore.toISOString(),
    notAfter: row.notAfter?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null
  }
}

function keyColumns (agency: string, key: ValidatedKey): typeof agencyKeys.$inferInsert {
  return {
    agencyCode: agency,
    kid: key.kid,
    alg: key.alg,
    role: key.role,
    holder: key.holder,
    publicJwk: key.publicJwk,
    certificatePem: key.certificate?.pem ?? null,
    notBefore: key.notBefore,
    notAfter: key.notAfter
  }
}

/** How long one put may take before the write it belongs to gives up (and rolls back). */
const PUT_TIMEOUT_MS = 10_000

/**
 * Puts a key into the bucket. Callers hold a transaction (and its row locks) across the put, so a
 * put that never answers must not hold them for ever: it fails after PUT_TIMEOUT_MS instead.
 */
export async function publishAgencyKey (bucket: KV, entry: AgencyKeyEntry): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`no answer from NATS within ${PUT_TIMEOUT_MS} ms`)) }, PUT_TIMEOUT_MS)
  })
  try {
    await Promise.race([bucket.put(agencyKeyBucketKey(entry.agency, entry.kid), JSON.stringify(entry)), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Registers a validated key for an agency. The bucket is written inside the transaction, while the
 * new row is still locked, so a revocation of the same kid cannot be overtaken by this older put;
 * if NATS refuses the put, nothing is stored.
 */
export async function addAgencyKey (db: Db, bucket: KV, outbox: RegistryOutbox, agency: string, key: ValidatedKey, fail: Fail): Promise<AgencyKeyEntry> {
  let published: AgencyKeyEntry | undefined
  let recorded: RegistryEvent[] = []
  try {
    const added = await db.transaction(async (tx) => {
      await refuseRoleClashes(tx, [{ agency, key }], fail)
      const [row] = await tx.insert(agencyKeys).values(keyColumns(agency, key)).onConflictDoNothing().returning()
      if (row === undefined) throw fail('KEY_EXISTS', `${agency} already has a key ${key.kid}; a replacement key needs a new kid`)
      const entry = toKeyEntry(row)
      recorded = await outbox.record(tx, [agencyKeyRegistered(entry)])
      await publishOrFail(bucket, entry, fail)
      published = entry
      return entry
    })
    outbox.publish(recorded)
    return added
  } catch (err) {
    // The commit failed after the put: take the key back out, or services would trust a key
    // the registry does not have.
    if (published !== undefined) await bucket.delete(agencyKeyBucketKey(agency, key.kid)).catch(() => {})
    throw err
  }
}

/**
 * Registers many validated keys at once (an operator enrolling a province's custody keys), all or
 * nothing. A key already registered with the same public key counts as done, so the import can be
 * run again; the same kid with another key is a conflict, and nothing is stored.
 */
export async function addAgencyKeys (db: Db, bucket: KV, outbox: RegistryOutbox, keys: Array<{ agency: string, key: ValidatedKey }>, fail: Fail): Promise<{ registered: number, existing: number }> {
  const published: AgencyKeyEntry[] = []
  let recorded: RegistryEvent[] = []
  try {
    const added = await db.transaction(async (tx) => {
      await refuseRoleClashes(tx, keys, fail)
      const inserted: AgencyKeyRow[] = []
      for (let i = 0; i < keys.length; i += 1000) {
        inserted.push(...await tx.insert(agencyKeys).values(keys.slice(i, i + 1000).map(({ agency, key }) => keyColumns(agency, key))).onConflictDoNothing().returning())
      }
      const isNew = new Set(inserted.map((r) => `${r.agencyCode} ${r.kid}`))
      const others = keys.filter(({ agency, key }) => !isNew.has(`${agency} ${key.kid}`))
      for (const { agency, key } of others) {
        const [row] = await tx.select().from(agencyKeys).where(and(eq(agencyKeys.agencyCode, agency), eq(agencyKeys.kid, key.kid)))
        if (row === undefined || !samePublicKey(row.publicJwk as Record<string, unknown>, key.publicJwk as Record<string, unknown>) || row.role !== key.role) {
          throw fail('KEY_EXISTS', `${agency} already has another key ${key.kid}; a replacement key needs a new kid`)
        }
      }
      const now = new Date()
      recorded = await outbox.record(tx, inserted.map((r) => agencyKeyRegistered(toKeyEntry(r), now)))
      for (let i = 0; i < inserted.length; i += CONCURRENCY) {
        const batch = inserted.slice(i, i + CONCURRENCY).map(toKeyEntry)
        published.push(...batch)
        await Promise.all(batch.map(async (entry) => { await publishOrFail(bucket, entry, fail) }))
      }
      return { registered: inserted.length, existing: others.length }
    })
    outbox.publish(recorded)
    return added
  } catch (err) {
    // Not committed: take back what services may already have seen.
    await Promise.all(published.map(async (e) => { await bucket.delete(agencyKeyBucketKey(e.agency, e.kid)).catch(() => {}) }))
    throw err
  }
}

/**
 * ND30 wants two signatures from two holders: the person's and the agency's. One key registered in
 * both roles would let one signature pass for both, so a key's material belongs to one role only.
 */
async function refuseRoleClashes (tx: Db, keys: Array<{ agency: string, key: ValidatedKey }>, fail: Fail): Promise<void> {
  const material = (agency: string, jwk: Record<string, unknown>): string => `${agency} ${String(jwk.x)} ${String(jwk.y ?? '')}`
  const roles = new Map<string, string>()
  const agencies = [...new Set(keys.map((k) => k.agency))]
  for (let i = 0; i < agencies.length; i += 5000) {
    const rows = await tx.select({ agency: agencyKeys.agencyCode, jwk: agencyKeys.publicJwk, role: agencyKeys.role }).from(agencyKeys)
      .where(inArray(agencyKeys.agencyCode, agencies.slice(i, i + 5000)))
    for (const r of rows) roles.set(material(r.agency, r.jwk as Record<string, unknown>), r.role)
  }
  for (const { agency, key } of keys) {
    const id = material(agency, key.publicJwk as Record<string, unknown>)
    const role = roles.get(id)
    if (role !== undefined && role !== key.role) {
      throw fail('INVALID_KEY', `this key is already registered as ${agency}'s ${role} key; the ${key.role} signature needs a key of its own`)
    }
    roles.set(id, key.role)
  }
}

function samePublicKey (a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return a.kty === b.kty && a.crv === b.crv && a.x === b.x && a.y === b.y
}

/**
 * Marks a key revoked from now on; revoking it again keeps the first time and publishes it again.
 * (Should the commit fail after the put, services see the key revoked while the table does not:
 * the safe side, and the administrator's retry settles it.)
 */
export async function revokeAgencyKey (db: Db, bucket: KV, outbox: RegistryOutbox, agency: string, kid: string, fail: Fail): Promise<AgencyKeyEntry> {
  let recorded: RegistryEvent[] = []
  const revoked = await db.transaction(async (tx) => {
    const [was] = await tx.select({ revokedAt: agencyKeys.revokedAt }).from(agencyKeys)
      .where(and(eq(agencyKeys.agencyCode, agency), eq(agencyKeys.kid, kid))).for('update')
    const [row] = await tx.update(agencyKeys)
      .set({ revokedAt: sql`coalesce(${agencyKeys.revokedAt}, now())` })
      .where(and(eq(agencyKeys.agencyCode, agency), eq(agencyKeys.kid, kid)))
      .returning()
    if (row === undefined) throw fail('KEY_NOT_FOUND', `${agency} has no key ${kid}`)
    const entry = toKeyEntry(row)
    // Revoked once: a repeat publishes the key again but tells nothing new.
    if (was?.revokedAt === null) recorded = await outbox.record(tx, [agencyKeyRevoked(entry)])
    await publishOrFail(bucket, entry, fail)
    return entry
  })
  outbox.publish(recorded)
  return revoked
}

/** Every key of the agency, revoked ones included, oldest first. */
export async function listAgencyKeys (db: Db, agency: string): Promise<AgencyKeyEntry[]> {
  const rows = await db.select().from(agencyKeys)
    .where(eq(agencyKeys.agencyCode, agency))
    .orderBy(asc(agencyKeys.createdAt), asc(agencyKeys.kid))
  return rows.map(toKeyEntry)
}

export async function getAgencyKey (db: Db, agency: string, kid: string): Promise<AgencyKeyEntry | undefined> {
  const [row] = await db.select().from(agencyKeys).where(and(eq(agencyKeys.agencyCode, agency), eq(agencyKeys.kid, kid)))
  return row === undefined ? undefined : toKeyEntry(row)
}

/**
 * Makes the `agency-keys` bucket a copy of the table again, at start: puts every row and deletes
 * bucket entries with no row (left by a registry that stopped between a put and its commit).
 */
export async function republishAgencyKeys (db: Db, bucket: KV): Promise<number> {
  const rows = await db.select().from(agencyKeys)
  const present = new Set<string>()
  let batch: Promise<unknown>[] = []
  for (const row of rows) {
    const entry = toKeyEntry(row)
    present.add(agencyKeyBucketKey(entry.agency, entry.kid))
    batch.push(publishAgencyKey(bucket, entry))
    if (batch.length >= CONCURRENCY) {
      await Promise.all(batch)
      batch = []
    }
  }
  await Promise.all(batch)
  const stale: string[] = []
  for await (const k of await bucket.keys()) if (!present.has(k)) stale.push(k)
  await Promise.all(stale.map(async (k) => { await bucket.delete(k) }))
  return rows.length
}

async function publishOrFail (bucket: KV, entry: AgencyKeyEntry, fail: Fail): Promise<void> {
  try {
    await publishAgencyKey(bucket, entry)
  } catch (err) {
    throw fail('UNAVAILABLE', `the key could not be published to the services (${(err as Error).message}); nothing was changed, retry`)
  }
}
