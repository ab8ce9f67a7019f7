/**
 * Small text helpers for what officials read and write: Vietnamese in NFC, compared without its
 * marks where a person may or may not type them, cut where a reader expects a cut.
 */

/** The way a mail client may hand text over: NFD, CRLF, a BOM, non-breaking or zero-width spaces. */
export function cleanText (text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00A0\u2007\u202F]/g, ' ')
    .replace(/[\u200B\u2060\uFEFF]/g, '')
    .normalize('NFC')
}

/** One line of text: no line breaks or control characters, runs of spaces as one. */
export function singleLine (text: string): string {
  return cleanText(text).replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').replace(/\s+/g, ' ').trim()
}

/**
 * Letters without their marks, lower case, `đ` as `d`: how `Hỏa tốc`, `hoả tốc` and `HOA TOC`
 * come out the same.
 */
export function fold (text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase()
}

export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!)
}
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

const ELLIPSIS = '…'

/**
 * At most `max` UTF-16 units, cut between words with `…`; a single word longer than that is cut
 * between graphemes, so a letter never loses its tone mark and a surrogate pair stays whole.
 */
export function cutAtWord (text: string, max: number): string {
  if (text.length <= max) return text
  const room = max - ELLIPSIS.length
  if (room <= 0) return ELLIPSIS.slice(0, Math.max(max, 0))
  const head = text.slice(0, room + 1)
  const space = head.search(/\s\S*$/)
  // When the last space comes early, what follows is a run of characters (a path, a link), not a
  // word: better cut into it than drop it all.
  if (space > room * 0.6) {
    const kept = text.slice(0, space).replace(/[\s,;:.\-–—]+$/u, '')
    if (kept.length > 0) return kept + ELLIPSIS
  }
  let kept = ''
  for (const { segment } of new Intl.Segmenter('vi', { granularity: 'grapheme' }).segment(text)) {
    if (kept.length + segment.length > room) break
    kept += segment
  }
  return kept + ELLIPSIS
}

/** `2026-11-26` → `26/11/2026`, as dates are written in Viet Nam. */
export function viDate (isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate)
  return m === null ? isoDate : `${m[3]}/${m[2]}/${m[1]}`
}

const SIZE = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 })

/** `1,5 MB`, `320 KB`, `0,4 KB`: the comma as the decimal mark, the dot between thousands. */
export function viSize (bytes: number): string {
  if (bytes >= 1024 * 1024) return `${SIZE.format(bytes / (1024 * 1024))} MB`
  const kb = bytes / 1024
  return `${SIZE.format(bytes > 0 && kb < 0.1 ? 0.1 : kb)} KB`
}

/** Is it a valid calendar day (`2026-02-30` is not)? */
export function isCalendarDate (year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day))
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
}
