/**
 * The raw message as it came over SMTP, checked before anything parses it. A parser forgives a
 * broken message by guessing (a missing closing boundary swallows the rest, bad base64 decodes to
 * something); a document must not be built from a guess, so the official is told instead.
 *
 * Works on the bytes: every search is `Buffer.indexOf` on a view of one entity, from where the
 * last one stopped, so a 30 MB message costs a few passes over it (one or two per level of
 * nesting), never a walk per part over the whole message.
 */

export type RawMessageCheck = { ok: true } | { ok: false, kind: 'HEADER_NOT_ASCII' | 'MALFORMED_MIME', reason: string, vi: string }

/** Real mail nests three or four deep (mixed → related → alternative); each level is one more pass. */
export const MIME_DEPTH_MAX = 20

const LF = 0x0A
const CR = 0x0D

export function checkRawMessage (raw: Uint8Array, opts: { smtpUtf8: boolean }): RawMessageCheck {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  return checkEntity(buf, { depth: 0, path: '', smtpUtf8: opts.smtpUtf8 }) ?? { ok: true }
}

interface At { depth: number, path: string, smtpUtf8: boolean }
type Finding = Exclude<RawMessageCheck, { ok: true }>

function where (at: At): { en: string, vi: string } {
  return at.path === '' ? { en: 'the message', vi: 'thư' } : { en: `MIME part ${at.path}`, vi: `phần ${at.path} của thư` }
}

function malformed (at: At, en: string, vi: string): Finding {
  const w = where(at)
  return {
    ok: false,
    kind: 'MALFORMED_MIME',
    reason: `${w.en}: ${en}`,
    vi: `Thư không đúng cấu trúc thư điện tử (MIME) nên không đọc được: ${w.vi} ${vi}. Hãy gửi lại thư bằng một phần mềm thư điện tử thông dụng (Outlook, Thunderbird, Gmail…).`
  }
}

function notAscii (at: At): Finding {
  return {
    ok: false,
    kind: 'HEADER_NOT_ASCII',
    reason: `${where(at).en}: a header holds 8-bit bytes, and the client did not ask for SMTPUTF8`,
    vi: 'Phần đầu thư (tiêu đề, tên người gửi hoặc tên tệp đính kèm) có chữ có dấu chưa được mã hóa theo chuẩn thư điện tử. Hãy gửi lại bằng một phần mềm thư điện tử thông dụng (Outlook, Thunderbird, Gmail…).'
  }
}

/** One entity, the message or a part; `entity` is a view of exactly its bytes, so no search runs past it. */
function checkEntity (entity: Buffer, at: At): Finding | undefined {
  const end = headerEnd(entity)
  if (end === undefined && at.path === '') {
    // Still say which header is wrong when there is one: it is the likelier mistake.
    const found = checkHeaderBlock(entity.toString('latin1'), at)
    return found ?? malformed(at, 'no blank line ends the headers', 'không có dòng trống ngăn cách phần đầu và nội dung')
  }
  // A part may end inside its headers: a part with no body.
  const block = entity.toString('latin1', 0, end?.headers ?? entity.length)
  const found = checkHeaderBlock(block, at)
  if (found !== undefined) return found
  const body = entity.subarray(end?.body ?? entity.length)

  const contentType = headerValue(block, 'content-type')
  const media = contentType === undefined ? undefined : parseContentType(contentType)
  if (media?.type === 'multipart') {
    const boundary = media.params.get('boundary')
    if (boundary === undefined || boundary === '') return malformed(at, 'a multipart Content-Type has no boundary parameter', 'khai báo nhiều phần (multipart) nhưng không có ranh giới (boundary)')
    if (at.depth >= MIME_DEPTH_MAX) return malformed(at, `multipart nested deeper than ${MIME_DEPTH_MAX} levels`, `lồng nhau quá ${MIME_DEPTH_MAX} cấp`)
    return checkMultipart(body, boundary, at)
  }
  if (headerValue(block, 'content-transfer-encoding')?.trim().toLowerCase() === 'base64') return checkBase64(body, at)
  return undefined
}

/** Where the first empty line is: the header text before it, the body after it. */
function headerEnd (entity: Buffer): { headers: number, body: number } | undefined {
  if (entity[0] === LF) return { headers: 0, body: 1 }
  if (entity[0] === CR && entity[1] === LF) return { headers: 0, body: 2 }
  const lflf = entity.indexOf('\n\n')
  const crlf = entity.indexOf('\n\r\n')
  if (lflf >= 0 && (crlf < 0 || lflf < crlf)) return { headers: lflf + 1, body: lflf + 2 }
  if (crlf >= 0) return { headers: crlf + 1, body: crlf + 3 }
  return undefined
}

/** Each line `Name: value` or a fold of the one before; without SMTPUTF8, ASCII only. */
function checkHeaderBlock (block: string, at: At): Finding | undefined {
  if (!at.smtpUtf8 && /[\x80-\xff]/.test(block)) return notAscii(at)
  if (block[0] === ' ' || block[0] === '\t') return malformed(at, 'the header block starts with a folded line', 'có phần đầu bắt đầu bằng một dòng tiếp nối')
  if (/^(?![ \t]|[\x21-\x39\x3b-\x7e]+[ \t]*:)[^\n]/m.test(block)) {
    return malformed(at, 'a header line is neither "Name: value" nor a folded continuation', 'có một dòng ở phần đầu không đúng dạng "Tên: giá trị"')
  }
  return undefined
}

/** The first field of that name, unfolded. */
function headerValue (block: string, name: string): string | undefined {
  const m = new RegExp(`^${name}[ \\t]*:([^\\n]*(?:\\n[ \\t][^\\n]*)*)`, 'im').exec(block)
  return m === null ? undefined : m[1]!.replace(/\r?\n/g, '').replace(/\r/g, '')
}

/**
 * The parts between `--boundary` lines (RFC 2046 5.1.1): a delimiter starts a line and may carry
 * trailing spaces; the line break before it belongs to it, not to the part.
 */
function checkMultipart (body: Buffer, boundary: string, at: At): Finding | undefined {
  const dash = Buffer.from(`--${boundary}`, 'latin1')
  const lineDash = Buffer.from(`\n--${boundary}`, 'latin1')
  const end = body.length
  let pos = 0
  let partStart = -1
  let parts = 0
  for (;;) {
    // Only a delimiter at the start of a line counts: search for it after a line feed.
    const i = pos === 0 && body.subarray(0, dash.length).equals(dash) ? 0 : lineStartIndex(body, lineDash, pos)
    if (i < 0) break
    pos = i + 1
    let j = i + dash.length
    const closing = body[j] === 0x2D && body[j + 1] === 0x2D
    if (closing) j += 2
    while (j < end && (body[j] === 0x20 || body[j] === 0x09)) j++
    let next: number
    if (j === end) next = end
    else if (body[j] === LF) next = j + 1
    else if (body[j] === CR && (j + 1 === end || body[j + 1] === LF)) next = Math.min(j + 2, end)
    else continue // `--boundaryX`: text that merely starts like the boundary

    if (partStart >= 0) {
      let partEnd = i
      if (partEnd > partStart && body[partEnd - 1] === LF) partEnd--
      if (partEnd > partStart && body[partEnd - 1] === CR) partEnd--
      const found = checkEntity(body.subarray(partStart, partEnd), { depth: at.depth + 1, path: at.path === '' ? String(parts) : `${at.path}.${parts}`, smtpUtf8: at.smtpUtf8 })
      if (found !== undefined) return found
    }
    if (closing) {
      if (parts === 0) return malformed(at, `the multipart with boundary "${printable(boundary)}" has no part`, 'khai báo nhiều phần (multipart) nhưng không có phần nào')
      return undefined
    }
    parts++
    partStart = next
    pos = next
  }
  if (parts === 0) return malformed(at, `the boundary "${printable(boundary)}" is declared but no part uses it`, 'khai báo nhiều phần (multipart) nhưng không có phần nào')
  return malformed(at, `the closing delimiter --${printable(boundary)}-- never appears`, 'thiếu dòng kết thúc của các phần (thư có thể bị cắt cụt)')
}

/** Where `--boundary` starts a line at or after `from` (`lineDash` is it with the line feed before); -1 when nowhere. */
function lineStartIndex (body: Buffer, lineDash: Buffer, from: number): number {
  const at = body.indexOf(lineDash, Math.max(from - 1, 0))
  return at < 0 ? -1 : at + 1
}

const NOT_BASE64 = /[^A-Za-z0-9+/= \t\r\n]/

function checkBase64 (body: Buffer, at: At): Finding | undefined {
  // one native regex pass over a latin1 view: a 1 MB attachment is checked in about a millisecond,
  // several times faster than a loop over its bytes (docs/performance.md, "Mail")
  if (NOT_BASE64.test(body.toString('latin1'))) return malformed(at, 'a base64 body holds characters outside the base64 alphabet', 'có nội dung mã hóa base64 bị hỏng')
  return undefined
}

/** `multipart/mixed; boundary="--_x"; charset=utf-8` → type `multipart`, params by lower-case name. */
export function parseContentType (value: string): { type: string, subtype: string, params: Map<string, string> } | undefined {
  const unfolded = value.replace(/\r?\n/g, '')
  const m = /^\s*([^\s;/]+)\s*\/\s*([^\s;]+)/.exec(unfolded)
  if (m === null) return undefined
  const params = new Map<string, string>()
  const param = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g
  for (const p of unfolded.slice(m[0].length).matchAll(param)) {
    const name = p[1]!.toLowerCase()
    const raw = p[2]!
    if (!params.has(name)) params.set(name, raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw)
  }
  return { type: m[1]!.toLowerCase(), subtype: m[2]!.toLowerCase(), params }
}

function printable (text: string): string {
  const shown = text.replace(/[^\x20-\x7e]/g, '?')
  return shown.length > 80 ? `${shown.slice(0, 80)}...` : shown
}
