/**
 * What to send for a `Range` header (RFC 9110 §14) over a file of `size` bytes: the whole file,
 * one range, or nothing (416). Only a single range is served as such; a header this server does
 * not read (another unit, a list of ranges, bad syntax) is ignored and the whole file sent, as
 * the RFC allows.
 */
export type RangeAnswer =
  | { kind: 'whole' }
  | { kind: 'partial', start: number, end: number }
  | { kind: 'unsatisfiable' }

export function parseRange (header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' }
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (m === null) return { kind: 'whole' }
  const [, first, last] = m as unknown as [string, string, string]
  if (first === '' && last === '') return { kind: 'whole' }
  if (first === '') {
    // `-n`: the last n bytes
    const n = Number(last)
    if (!Number.isSafeInteger(n)) return { kind: 'whole' }
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last)
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: 'whole' }
  if (start >= size) return { kind: 'unsatisfiable' }
  return { kind: 'partial', start, end: Math.min(end, size - 1) }
}

/**
 * `If-Range` names what the client holds part of: the range is served only if that is still
 * this file (a strong ETag; a date cannot prove it, so a date sends the whole file).
 */
export function rangeStillApplies (ifRange: string | undefined, etag: string): boolean {
  return ifRange === undefined || ifRange.trim() === etag
}
