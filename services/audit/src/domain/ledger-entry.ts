import { canonicalJsonBytes, sha256Hex } from '@lienthong/crypto'

/** The `prev` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64)

export interface LedgerEntryContent {
  seq: number
  eventId: string
  subject: string
  event: unknown
  prev: string
}

/**
 * The hash of an entry: SHA-256 of the canonical JSON (RFC 8785) of what it records and of the
 * previous entry's hash. Canonical JSON makes it independent of how Postgres stores the event
 * (jsonb reorders keys), so verify recomputes it from the row as it is now.
 */
export function entryHash (entry: LedgerEntryContent): string {
  return sha256Hex(canonicalJsonBytes({ seq: entry.seq, eventId: entry.eventId, subject: entry.subject, event: entry.event, prev: entry.prev }))
}
