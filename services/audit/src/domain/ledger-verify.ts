import type { Sql } from 'postgres'
import type { LedgerBreak, LedgerVerification } from '@lienthong/contracts'
import { canonicalJsonBytes } from '@lienthong/crypto'
import type { SignatureChecker } from '@lienthong/platform'
import { GENESIS_HASH, entryHash } from './ledger-entry.ts'

/** Entries read per query: memory stays flat however long the ledger is. */
const PAGE = 5_000

/**
 * Recomputes the chain from the first entry: each entry's hash from its row as it is now, each
 * `prev` against the entry before, sequence numbers without gaps; then each signed checkpoint
 * against the entry it names and the signing agency's registered key. Names the first entry that
 * does not hold.
 */
export async function verifyLedger (sql: Sql, signatures: Pick<SignatureChecker, 'checkOne'>): Promise<LedgerVerification> {
  let expectedSeq = 1
  let prev = GENESIS_HASH
  let entries = 0
  let firstBroken: LedgerBreak | null = null
  const hashes = new Map<number, string>()
  const checkpoints = await sql<Array<{ seq: string, hash: string, at: string, agency: string, signature: string }>>`
    select seq, hash, to_json(at) #>> '{}' as at, agency, signature from audit.checkpoints order by seq`
  const wanted = new Set(checkpoints.map((c) => Number(c.seq)))
  for (let after = 0; ;) {
    const rows = await sql<Array<{ seq: string, event_id: string, subject: string, body: string, prev: string, hash: string }>>`
      select seq, event_id, subject, body, prev, hash from audit.ledger where seq > ${after} order by seq limit ${PAGE}`
    if (rows.length === 0) break
    for (const row of rows) {
      const seq = Number(row.seq)
      entries += 1
      if (firstBroken === null) {
        if (seq !== expectedSeq) {
          firstBroken = { seq: expectedSeq, eventId: null, reason: 'entry_missing', detail: `entries ${expectedSeq}…${seq - 1} are missing` }
        } else if (row.prev !== prev) {
          firstBroken = { seq, eventId: row.event_id, reason: 'chain_broken', detail: `its prev ${row.prev} is not the hash ${prev} of entry ${seq - 1}` }
        } else if (entryHash({ seq, eventId: row.event_id, subject: row.subject, body: row.body, prev: row.prev }) !== row.hash) {
          firstBroken = { seq, eventId: row.event_id, reason: 'entry_altered', detail: 'its content no longer hashes to its recorded hash' }
        }
      }
      if (wanted.has(seq)) hashes.set(seq, row.hash)
      expectedSeq = seq + 1
      prev = row.hash
    }
    after = Number(rows[rows.length - 1]!.seq)
  }
  for (const c of checkpoints) {
    const seq = Number(c.seq)
    const broken = checkpointBreak(c, hashes.get(seq), signatures)
    if (broken !== undefined && (firstBroken === null || seq < firstBroken.seq)) firstBroken = broken
  }
  return {
    ok: firstBroken === null,
    entries,
    lastSeq: expectedSeq - 1,
    lastHash: entries === 0 ? null : prev,
    checkpoints: checkpoints.length,
    firstBroken,
    verifiedAt: new Date().toISOString()
  }
}

function checkpointBreak (c: { seq: string, hash: string, at: string, agency: string, signature: string }, entryHashNow: string | undefined, signatures: Pick<SignatureChecker, 'checkOne'>): LedgerBreak | undefined {
  const seq = Number(c.seq)
  if (entryHashNow === undefined) return { seq, eventId: null, reason: 'checkpoint_invalid', detail: `checkpoint ${seq} names an entry that is not in the ledger` }
  if (entryHashNow !== c.hash) return { seq, eventId: null, reason: 'checkpoint_invalid', detail: `entry ${seq} no longer has the hash its signed checkpoint names` }
  const at = new Date(c.at).toISOString()
  const payload = canonicalJsonBytes({ ledger: 'lienthong-audit-ledger', seq, hash: c.hash, at })
  const finding = signatures.checkOne(c.signature, payload, { agency: c.agency, role: 'agency', signedAt: new Date(at) })
  if (!finding.valid) return { seq, eventId: null, reason: 'checkpoint_invalid', detail: `the signature of checkpoint ${seq} by ${c.agency} does not verify: ${finding.detail ?? finding.reason ?? ''}` }
  return undefined
}
