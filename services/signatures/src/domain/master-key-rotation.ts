import { and, asc, eq, gt, ne, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { KeyRole } from '@lienthong/contracts'
import { custodyKeys } from '../db/schema.ts'
import { resealUnderCurrent } from './key-sealing.ts'
import { MasterKeyError, type MasterKeySet } from './master-keys.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

const BATCH = 500

/**
 * Re-seals every custody key that is sealed under a master key other than the current one, so an
 * old master key can be dropped from MASTER_KEYS once this has run. Only the encryption changes:
 * the keys, their kids and every signature made with them stay as they are. Refuses to start when
 * a row is sealed under a master key the set lacks: those keys would be lost, and the operator
 * still has the chance to put the old master key back.
 *
 * Several copies of the service may run this at once: a row is updated only while it is still
 * sealed under the key it was read with.
 */
export async function resealUnderCurrentMasterKey (db: Db, masters: MasterKeySet): Promise<{ resealed: number }> {
  const sealedUnder = await db.select({ masterKeyId: custodyKeys.masterKeyId, keys: sql<number>`count(*)::int` })
    .from(custodyKeys).groupBy(custodyKeys.masterKeyId)
  const unknown = sealedUnder.filter((r) => masters.key(r.masterKeyId) === undefined)
  if (unknown.length > 0) {
    throw new MasterKeyError(`custody keys are sealed under master keys that are not configured: ${unknown.map((r) => `${r.masterKeyId} (${r.keys} keys)`).join(', ')}; ` +
      'add them to MASTER_KEYS after the current one so those keys can be re-sealed')
  }
  let resealed = 0
  let after = 0
  for (;;) {
    const rows = await db.select().from(custodyKeys)
      .where(and(ne(custodyKeys.masterKeyId, masters.currentId), gt(custodyKeys.id, after)))
      .orderBy(asc(custodyKeys.id)).limit(BATCH)
    if (rows.length === 0) break
    after = rows[rows.length - 1]!.id
    const counts = await db.transaction(async (tx) => await Promise.all(rows.map(async (row) => {
      const sealed = resealUnderCurrent(row, { agency: row.agency, role: row.role as KeyRole, kid: row.kid }, masters)
      if (sealed === undefined) return 0
      const updated = await tx.update(custodyKeys).set(sealed)
        .where(and(eq(custodyKeys.id, row.id), eq(custodyKeys.masterKeyId, row.masterKeyId)))
        .returning({ id: custodyKeys.id })
      return updated.length
    })))
    resealed += counts.reduce((a, b) => a + b, 0)
  }
  return { resealed }
}
