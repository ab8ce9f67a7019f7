import { createHash } from 'node:crypto'
import { canonicalJson } from './canonical-json.ts'

export function sha256Hex (data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** The digest of a JSON value's canonical form; equal for equal values whatever the key order. */
export function jsonDigest (value: unknown): string {
  return sha256Hex(canonicalJson(value))
}
