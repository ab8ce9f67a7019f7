import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { KeyRole } from '@lienthong/contracts'
import { custodyKeys, type CustodyKeyRow } from '../db/schema.ts'
import { jwkThumbprint, newKeyPair } from '@lienthong/crypto'
import { sealPrivateKey } from './key-sealing.ts'
import type { MasterKeySet } from './master-keys.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
type NewCustodyKey = typeof custodyKeys.$inferInsert

/** Every agency in custody has one live key of each role: the seal and the authorised person. */
export const CUSTODY_ROLES: readonly KeyRole[] = ['agency', 'signer']
/** Custody keys are Ed25519: the fastest of the two algorithms the exchange accepts. */
export const CUSTODY_ALG = 'EdDSA'

/** Rows per INSERT: 10 parameters each, well under Postgres' 65,535. */
const INSERT_CHUNK = 1_000
/** Agencies per `= any(…)` lookup. */
const LOOKUP_CHUNK = 5_000

/** A new Ed25519 key for an agency and role, its private half sealed under the current master key. */
export function makeCustodyKey (agency: string, role: KeyRole, masters: MasterKeySet): NewCustodyKey {
  const { privateKey, publicJwk } = newKeyPair('ed25519')
  const kid = jwkThumbprint(publicJwk)
  const sealed = sealPrivateKey(privateKey, { agency, role, kid }, masters)
  return { agency, role, kid, alg: CUSTODY_ALG, publicJwk, ...sealed }
}

/** The live (not retired) keys of these agencies. */
export async function liveCustodyKeys (db: Db, agencies: readonly string[]): Promise<CustodyKeyRow[]> {
  const rows: CustodyKeyRow[] = []
  for (let i = 0; i < agencies.length; i += LOOKUP_CHUNK) {
    const chunk = agencies.slice(i, i + LOOKUP_CHUNK)
    rows.push(...await db.select().from(custodyKeys)
      .where(and(inArray(custodyKeys.agency, chunk), isNull(custodyKeys.retiredAt))))
  }
  return rows
}

/** Every key of these agencies, retired ones included, newest first. */
export async function custodyKeysOf (db: Db, agencies: readonly string[]): Promise<CustodyKeyRow[]> {
  const rows: CustodyKeyRow[] = []
  for (let i = 0; i < agencies.length; i += LOOKUP_CHUNK) {
    const chunk = agencies.slice(i, i + LOOKUP_CHUNK)
    rows.push(...await db.select().from(custodyKeys)
      .where(inArray(custodyKeys.agency, chunk))
      .orderBy(sql`${custodyKeys.id} desc`))
  }
  return rows
}

/**
 * Makes sure each agency has one live key of each role, making the missing ones, and returns the
 * live keys in the order of `agencies` (agency role first). Enrolling again changes nothing; two
 * enrolments at once end with the same keys, since the live-role index lets only one insert win.
 */
export async function enrollAgencies (db: Db, masters: MasterKeySet, agencies: readonly string[]): Promise<CustodyKeyRow[]> {
  const existing = await liveCustodyKeys(db, agencies)
  const have = new Set(existing.map((r) => `${r.agency}|${r.role}`))
  const missing: NewCustodyKey[] = []
  for (const agency of agencies) {
    for (const role of CUSTODY_ROLES) {
      if (!have.has(`${agency}|${role}`)) missing.push(makeCustodyKey(agency, role, masters))
    }
  }
  if (missing.length === 0) return inOrder(existing, agencies)
  // Always in one order (agency, role): two enrolments of the same new agencies given in different
  // orders would otherwise each wait on the other's row in the live-role index, a deadlock.
  missing.sort((a, b) => a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : a.role < b.role ? -1 : a.role > b.role ? 1 : 0)
  for (let i = 0; i < missing.length; i += INSERT_CHUNK) {
    await db.insert(custodyKeys).values(missing.slice(i, i + INSERT_CHUNK)).onConflictDoNothing()
  }
  return inOrder(await liveCustodyKeys(db, agencies), agencies)
}

/**
 * A new key for each role given; the live one of the role is retired (kept, never deleted). Returns
 * the new keys, or undefined when the agency has no custody keys at all (it was never enrolled).
 */
export async function rotateCustodyKeys (db: Db, masters: MasterKeySet, agency: string, roles: readonly KeyRole[]): Promise<CustodyKeyRow[] | undefined> {
  return await db.transaction(async (tx) => {
    // Two rotations of one agency at once would both retire the same row and then collide on the
    // live-role index; taking turns makes the second simply rotate again.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`lienthong-custody|${agency}`}))`)
    const [any] = await tx.select({ id: custodyKeys.id }).from(custodyKeys).where(eq(custodyKeys.agency, agency)).limit(1)
    if (any === undefined) return undefined
    await tx.update(custodyKeys)
      .set({ retiredAt: sql`now()` })
      .where(and(eq(custodyKeys.agency, agency), inArray(custodyKeys.role, [...roles]), isNull(custodyKeys.retiredAt)))
    const rows = await tx.insert(custodyKeys).values(roles.map((role) => makeCustodyKey(agency, role, masters))).returning()
    return inOrder(rows, [agency])
  })
}

/** All keys of one agency, oldest first. */
export async function agencyCustodyKeys (db: Db, agency: string): Promise<CustodyKeyRow[]> {
  return await db.select().from(custodyKeys).where(eq(custodyKeys.agency, agency)).orderBy(asc(custodyKeys.id))
}

function inOrder (rows: CustodyKeyRow[], agencies: readonly string[]): CustodyKeyRow[] {
  const position = new Map(agencies.map((a, i) => [a, i]))
  const roleOrder = (role: string): number => CUSTODY_ROLES.indexOf(role as KeyRole)
  return rows.sort((a, b) => (position.get(a.agency)! - position.get(b.agency)!) || (roleOrder(a.role) - roleOrder(b.role)) || (a.id - b.id))
}
