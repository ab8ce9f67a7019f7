import { sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { TokenRefusalReason } from '@lienthong/contracts'
import { events } from '../db/schema.ts'
import type { RegistryOutbox } from './event-outbox.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

export interface TokenRefusal { clientId: string, agency: string | null, reason: TokenRefusalReason }

/**
 * Records a refused token request for the audit ledger. A refusal changes nothing else, so its
 * event is a transaction of its own. Published rows are deleted, so the table stays small while
 * JetStream takes them; while it does not, at most `keptMax` refusals wait, and further ones are
 * dropped (and said so in the log) rather than let a flood of bad requests fill the database.
 * Returns whether it was recorded.
 */
export async function recordTokenRefusal (db: Db, outbox: RegistryOutbox, refusal: TokenRefusal, keptMax: number, now = new Date()): Promise<boolean> {
  const recorded = await db.transaction(async (tx) => {
    // Counts at most keptMax rows, through the refusals' own index.
    const [{ n }] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from (select 1 from ${events}
      where (${events.body}->>'type') = 'token.refused' limit ${keptMax}) as waiting`) as unknown as [{ n: number }]
    if (n >= keptMax) return undefined
    return await outbox.record(tx, [{ type: 'token.refused', agency: refusal.agency, at: now.toISOString(), clientId: refusal.clientId, reason: refusal.reason }])
  })
  if (recorded === undefined) return false
  outbox.publish(recorded)
  return true
}
