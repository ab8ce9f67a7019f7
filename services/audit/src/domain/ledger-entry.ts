import { canonicalJsonBytes, sha256Hex } from '@lienthong/crypto'

/** The `prev` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64)

export interface LedgerEntryContent {
  seq: number
  eventId: string
  subject: string
  /** the event as published: the text itself is hashed, so nothing a database does to JSON can change it */
  body: string
  prev: string
}

/**
 * The hash of an entry: SHA-256 of the canonical JSON (RFC 8785) of what it records (the event's
 * text as published) and of the previous entry's hash; verify recomputes it from the row as it is.
 */
export function entryHash (entry: LedgerEntryContent): string {
  return sha256Hex(canonicalJsonBytes({ seq: entry.seq, eventId: entry.eventId, subject: entry.subject, body: entry.body, prev: entry.prev }))
}
