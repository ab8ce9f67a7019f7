import type { Sql, TransactionSql } from 'postgres'
import { GENESIS_HASH, entryHash } from './ledger-entry.ts'
import { applyMeasure } from './measure-store.ts'

/** One event as it came off the EVENTS stream. */
export interface IncomingEvent {
  subject: string
  eventId: string
  type: string
  /** the message's text, recorded and hashed as it is */
  body: string
  /** the same, parsed: what the measure reads */
  event: unknown
}

export interface LedgerHead {
  seq: number
  hash: string
}

/** Only one writer extends the chain at a time, whichever copy of the service it is. */
const LEDGER_LOCK = 'lienthong-audit-ledger'

/**
 * Appends a batch of events to the ledger in one transaction: events already recorded (a
 * redelivery, or the same event twice in the batch) are left out, the rest are chained onto the
 * head, and the measure's work files and rollups move with them, so the report always equals a
 * recount of the ledger. Returns the new head (the old one when nothing was new) and how many
 * entries were added.
 */
export async function appendToLedger (sql: Sql, batch: readonly IncomingEvent[]): Promise<{ head: LedgerHead, appended: number }> {
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${LEDGER_LOCK}))`
    const head = await ledgerHead(tx)
    const fresh = await unrecorded(tx, batch)
    if (fresh.length === 0) return { head, appended: 0 }
    let { seq, hash: prev } = head
    const rows = fresh.map((e) => {
      seq += 1
      const hash = entryHash({ seq, eventId: e.eventId, subject: e.subject, body: e.body, prev })
      const row = { seq, prev, hash, ...e }
      prev = hash
      return row
    })
    await tx`
      insert into audit.ledger (seq, event_id, subject, type, body, prev, hash)
      select seq::bigint, event_id, subject, type, body, prev, hash
      from unnest(${rows.map((r) => String(r.seq))}::text[], ${rows.map((r) => r.eventId)}::text[], ${rows.map((r) => r.subject)}::text[],
                  ${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.body)}::text[], ${rows.map((r) => r.prev)}::text[],
                  ${rows.map((r) => r.hash)}::text[]) as u(seq, event_id, subject, type, body, prev, hash)`
    await applyMeasure(tx, fresh.map((e) => e.event))
    return { head: { seq, hash: prev }, appended: rows.length }
  })
}

export async function ledgerHead (sql: Sql | TransactionSql): Promise<LedgerHead> {
  const [row] = await sql<Array<{ seq: string, hash: string }>>`select seq, hash from audit.ledger order by seq desc limit 1`
  return row === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(row.seq), hash: row.hash }
}

async function unrecorded (tx: TransactionSql, batch: readonly IncomingEvent[]): Promise<IncomingEvent[]> {
  const once = new Map<string, IncomingEvent>()
  for (const e of batch) if (!once.has(e.eventId)) once.set(e.eventId, e)
  const ids = [...once.keys()]
  const known = await tx<Array<{ event_id: string }>>`select event_id from audit.ledger where event_id = any(${ids}::text[])`
  for (const { event_id: id } of known) once.delete(id)
  return [...once.values()]
}
