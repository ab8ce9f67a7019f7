import { cleanText, fold, isCalendarDate, singleLine } from './vietnamese-text.ts'

/**
 * What an official's mail says, read from its subject and plain-text body. An official writes
 * in an ordinary mail client, so the conventions are few and forgiving about how they are typed
 * (marks or none, any case, `Ngày: 26/11/2026` or `2026-11-26`), and strict about what they mean:
 * whatever cannot be read is a problem told back, never a guess.
 *
 * ```
 * #hoanthanh Đã xử lý xong            ← optional: a step on the document answered, and a note
 * Số: 45/UBND-VP                      ← required: number and notation of the answer
 * Loại: Công văn                      ← optional field lines, up to the first other line
 * Ngày: 26/11/2026
 * ```
 */

export type StepWord = 'tiepnhan' | 'dangxuly' | 'hoanthanh' | 'tuchoi'

/** The edXML status each step word records (see contracts `STATUS_CODES`). */
export const STEP_CODES: Record<StepWord, '03' | '05' | '06' | '02'> = {
  tiepnhan: '03',
  dangxuly: '05',
  hoanthanh: '06',
  tuchoi: '02'
}
const STEP_WORDS = Object.keys(STEP_CODES) as StepWord[]

export type PriorityLevel = 0 | 1 | 2 | 3 | 4

export interface MailConventions {
  step?: StepWord
  stepNote?: string
  fields: {
    number?: string
    notation?: string
    type?: string
    /** yyyy-mm-dd */
    issuedAt?: string
    /** yyyy-mm-dd */
    dueDate?: string
    priority?: PriorityLevel
    signer?: { fullName: string, position?: string }
  }
  /** the trích yếu */
  subject: string
}

export interface ConventionProblem {
  field: string
  /** for the official, in Vietnamese */
  vi: string
  /** for the SMTP reply: ASCII only */
  en: string
}

export type ConventionResult = { ok: true, value: MailConventions } | { ok: false, problems: ConventionProblem[] }

/** The example every explanation uses, here and in the writing guide. */
export const NUMBER_LINE_EXAMPLE = 'Số: 45/UBND-VP'

/** Limits of contracts `DocumentFields` and of a status note, checked here to explain them in Vietnamese. */
const SUBJECT_MAX = 2000
const TYPE_MAX = 100
const SIGNER_MAX = 200
const NOTE_MAX = 2000
const NUMBER = /^[0-9A-Za-z]{1,20}$/
const NOTATION = /^[\p{L}\p{N}][\p{L}\p{N}.\-/]{0,59}$/u

export function readMailConventions (mail: { subject: string, text: string }): ConventionResult {
  const problems: ConventionProblem[] = []
  const subject = readSubject(mail.subject, problems)
  const lines = ownLines(mail.text)
  let at = lines.findIndex((line) => line.trim() !== '')
  const value: MailConventions = { fields: {}, subject }

  if (at >= 0 && lines[at]!.trim().startsWith('#')) {
    readStepLine(lines[at]!.trim().slice(1), value, problems)
    at++
  }
  while (at >= 0 && at < lines.length && lines[at]!.trim() === '') at++

  const seen = new Set<FieldName>()
  const signer: { position?: string } = {}
  for (; at >= 0 && at < lines.length; at++) {
    const line = fieldLine(lines[at]!)
    if (line === undefined) break
    if (seen.has(line.field)) {
      problems.push(problem(line.field, `Mục "${line.label}" được ghi hai lần; mỗi mục chỉ ghi một dòng.`, `field ${line.field} given twice`))
      continue
    }
    seen.add(line.field)
    readField(line, value, signer, problems)
  }

  if (!seen.has('number')) problems.push(missingNumber(lines))
  if (signer.position !== undefined) {
    if (value.fields.signer !== undefined) value.fields.signer.position = signer.position
    else if (!seen.has('signer')) problems.push(problem('signer', 'Có dòng "Chức vụ" nhưng thiếu dòng "Người ký: <họ tên>".', 'position given without the signer name'))
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value }
}

// ---------------------------------------------------------------- subject

/** `Re:`, `Fwd:`, `TL:`, `Trả lời:` … any number of them, as mail clients stack them up. */
const REPLY_PREFIX = /^(re|fw|fwd|tl|tra loi|chuyen tiep)\s*(\[\d+\])?\s*:\s*/

/**
 * What the gateway puts before the trích yếu of a mailed document (`[Khẩn] 12/QĐ-UBND: `): a reply
 * that keeps the subject would otherwise make the answer's trích yếu the original's label and number.
 */
const MAILED_DOCUMENT_PREFIX = /^(\[[^\]]{1,30}\]\s*)?[0-9A-Za-z]{1,20}\/[\p{L}\p{N}][\p{L}\p{N}.\-/]{0,59}:\s+(?=\S)/u

function readSubject (raw: string, problems: ConventionProblem[]): string {
  let subject = singleLine(raw)
  for (let cut = replyPrefixLength(subject); cut > 0; cut = replyPrefixLength(subject)) subject = subject.slice(cut).trim()
  subject = subject.replace(MAILED_DOCUMENT_PREFIX, '')
  if (subject === '') {
    problems.push(problem('subject', 'Tiêu đề thư đang để trống. Tiêu đề thư là trích yếu của văn bản, ví dụ: "V/v báo cáo kết quả thu ngân sách quý III".', 'the subject (the document summary) is empty'))
  } else if (subject.length > SUBJECT_MAX) {
    problems.push(problem('subject', `Tiêu đề thư (trích yếu) dài quá ${SUBJECT_MAX} ký tự.`, `the subject is longer than ${SUBJECT_MAX} characters`))
  }
  return subject
}

/** How many UTF-16 units of `subject` a reply prefix takes, compared without marks and case. */
function replyPrefixLength (subject: string): number {
  let folded = ''
  const ends: number[] = []
  let offset = 0
  for (const c of subject.slice(0, 40)) {
    offset += c.length
    for (const f of fold(c)) {
      folded += f
      ends.push(offset)
    }
  }
  const m = REPLY_PREFIX.exec(folded)
  return m === null ? 0 : ends[m[0].length - 1]!
}

// ---------------------------------------------------------------- body

/**
 * The official's own lines: quoted lines (`>`) left out, and nothing from the attribution line
 * of the quoted mail (`On … wrote:`, `Vào … đã viết:`, `-----Original Message-----`) on.
 */
function ownLines (text: string): string[] {
  const lines = cleanText(text).split('\n')
  const own: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (startsQuote(line, lines[i + 1])) break
    if (/^\s*>/.test(line)) continue
    own.push(line)
  }
  return own
}

function startsQuote (line: string, next: string | undefined): boolean {
  const f = fold(line).trim()
  if (/^(on|vao)\s.*(wrote|da viet)\s*:$/.test(f)) return true
  // Gmail wraps a long attribution: `On Thu, 26 Nov 2026 … <a@b.vn>` then `wrote:`
  if (/^(on|vao)\s/.test(f) && next !== undefined && /^\S*\s*(wrote|da viet)\s*:$/.test(fold(next).trim())) return true
  if (/^-{2,}\s*(original message|forwarded message|thu goc|thu chuyen tiep)\s*-{2,}$/.test(f)) return true
  return /^_{10,}$/.test(f)
}

function readStepLine (afterHash: string, value: MailConventions, problems: ConventionProblem[]): void {
  const found = matchStep(afterHash)
  if (found === undefined) {
    const word = /^\S*/.exec(afterHash)![0]
    problems.push(problem('step',
      `Từ khóa "#${word}" ở dòng đầu thư không được hiểu. Chỉ dùng một trong các từ khóa: ${STEP_WORDS.map((w) => `#${w}`).join(', ')}.`,
      `unknown step hashtag on the first line; use one of ${STEP_WORDS.map((w) => `#${w}`).join(', ')}`))
    return
  }
  value.step = found.step
  const note = found.rest.replace(/^[\s:,;.\-–—]+/u, '').trim()
  if (note === '') return
  if (note.length > NOTE_MAX) {
    problems.push(problem('step', `Ghi chú sau từ khóa #${found.step} dài quá ${NOTE_MAX} ký tự.`, `the note after #${found.step} is longer than ${NOTE_MAX} characters`))
    return
  }
  value.stepNote = note
}

/**
 * A step word however it is typed: `hoanthanh`, `hoànthành`, `Hoàn-Thành`, `hoan_thanh`, `hoàn thành`;
 * the word must end there (`#hoanthanhxyz` is not a step).
 */
function matchStep (afterHash: string): { step: StepWord, rest: string } | undefined {
  const chars = [...afterHash]
  for (const word of STEP_WORDS) {
    let i = 0
    let j = 0
    while (j < word.length && i < chars.length) {
      const c = chars[i]!
      const f = fold(c)
      if (f === '' || (j > 0 && /[\s_-]/.test(c))) { i++; continue }
      if (f !== word[j]) break
      i++
      j++
    }
    if (j < word.length) continue
    while (i < chars.length && fold(chars[i]!) === '') i++
    const next = chars[i]
    if (next === undefined || !/[\p{L}\p{N}]/u.test(next)) return { step: word, rest: chars.slice(i).join('') }
  }
  return undefined
}

type FieldName = 'number' | 'type' | 'issuedAt' | 'dueDate' | 'priority' | 'signer' | 'position'

/** Labels without marks, lower case, punctuation as spaces. */
const LABELS: Record<string, FieldName> = {
  so: 'number',
  'so ky hieu': 'number',
  'so va ky hieu': 'number',
  loai: 'type',
  'loai van ban': 'type',
  ngay: 'issuedAt',
  'ngay ban hanh': 'issuedAt',
  han: 'dueDate',
  'han xu ly': 'dueDate',
  'do khan': 'priority',
  'nguoi ky': 'signer',
  'chuc vu': 'position'
}

interface FieldLine { field: FieldName, label: string, value: string }

function fieldLine (line: string): FieldLine | undefined {
  const m = /^\s*([^:]{1,30}?)\s*:(.*)$/.exec(line)
  if (m === null) return undefined
  const field = LABELS[labelKey(m[1]!)]
  return field === undefined ? undefined : { field, label: m[1]!.trim(), value: m[2]!.replace(/\s+/g, ' ').trim() }
}

function labelKey (label: string): string {
  return fold(label).replace(/[^a-z0-9]+/g, ' ').trim()
}

function readField (line: FieldLine, value: MailConventions, signer: { position?: string }, problems: ConventionProblem[]): void {
  const fields = value.fields
  if (line.value === '') {
    problems.push(problem(line.field, `Dòng "${line.label}:" chưa ghi nội dung.`, `field ${line.field} is empty`))
    return
  }
  switch (line.field) {
    case 'number': {
      const slash = line.value.indexOf('/')
      const number = slash < 0 ? line.value : line.value.slice(0, slash).trim()
      // `Số: 45/UBND-VP.` ends a sentence; no ký hiệu ends with a dot.
      const notation = slash < 0 ? '' : line.value.slice(slash + 1).trim().replace(/[.,;]+$/, '')
      const bad: string[] = []
      if (!NUMBER.test(number)) bad.push('số chỉ gồm chữ cái không dấu hoặc chữ số, tối đa 20 ký tự')
      if (!NOTATION.test(notation)) bad.push('ký hiệu viết liền, chỉ gồm chữ, số và các dấu . - /, ví dụ UBND-VP')
      if (bad.length > 0) {
        problems.push(problem('number',
          `Số và ký hiệu "${line.value}" không đúng cách viết (${bad.join('; ')}). Hãy ghi như: ${NUMBER_LINE_EXAMPLE}`,
          'the number line must read like "So: 45/UBND-VP" (number/notation)'))
        return
      }
      fields.number = number
      fields.notation = notation
      return
    }
    case 'type':
      if (line.value.length > TYPE_MAX) problems.push(problem('type', `Loại văn bản dài quá ${TYPE_MAX} ký tự.`, `the document type is longer than ${TYPE_MAX} characters`))
      else fields.type = line.value
      return
    case 'issuedAt':
    case 'dueDate': {
      const date = readDate(line.value)
      if (date === undefined) {
        const what = line.field === 'issuedAt' ? 'Ngày ban hành' : 'Hạn xử lý'
        problems.push(problem(line.field, `${what} "${line.value}" không phải là một ngày hợp lệ. Hãy ghi theo dạng ngày/tháng/năm, ví dụ 26/11/2026.`,
          `${line.field} is not a valid date (use dd/mm/yyyy or yyyy-mm-dd)`))
      } else {
        fields[line.field] = date
      }
      return
    }
    case 'priority': {
      const priority = PRIORITY_WORDS[fold(line.value).replace(/[^a-z0-9]+/g, ' ').trim()]
      if (priority === undefined) {
        problems.push(problem('priority', `Độ khẩn "${line.value}" không được hiểu. Hãy ghi một trong: Thường, Khẩn, Thượng khẩn, Hỏa tốc, Hỏa tốc hẹn giờ.`,
          'unknown priority; use one of: thuong, khan, thuong khan, hoa toc, hoa toc hen gio'))
      } else {
        fields.priority = priority
      }
      return
    }
    case 'signer':
      if (line.value.length > SIGNER_MAX) problems.push(problem('signer', `Họ tên người ký dài quá ${SIGNER_MAX} ký tự.`, `the signer name is longer than ${SIGNER_MAX} characters`))
      else fields.signer = { fullName: line.value }
      return
    case 'position':
      if (line.value.length > SIGNER_MAX) problems.push(problem('signer', `Chức vụ người ký dài quá ${SIGNER_MAX} ký tự.`, `the signer position is longer than ${SIGNER_MAX} characters`))
      else signer.position = line.value
  }
}

const PRIORITY_WORDS: Record<string, PriorityLevel> = {
  thuong: 0,
  khan: 1,
  'thuong khan': 2,
  'hoa toc': 3,
  'hoa toc hen gio': 4,
  0: 0,
  1: 1,
  2: 2,
  3: 3,
  4: 4
}

/** `2026-11-26`, `26/11/2026`, `26.11.2026`, `26-11-2026`, `ngày 26 tháng 11 năm 2026` → `2026-11-26`. */
export function readDate (text: string): string | undefined {
  const t = fold(text).replace(/\.$/, '').trim()
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t)
  let ymd = m === null ? undefined : [m[1], m[2], m[3]]
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t) ?? /^(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})$/.exec(t)
  if (m !== null) ymd = [m[3], m[2], m[1]]
  if (ymd === undefined) return undefined
  const [y, mo, d] = ymd.map(Number) as [number, number, number]
  if (y < 1900 || !isCalendarDate(y, mo, d)) return undefined
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

function missingNumber (lines: string[]): ConventionProblem {
  const later = lines.some((line) => fieldLine(line)?.field === 'number')
  if (later) {
    return problem('number',
      `Dòng số và ký hiệu phải nằm ở đầu thư, trước mọi nội dung khác (chỉ dòng từ khóa như #hoanthanh được đứng trên nó). Ví dụ dòng đầu thư: ${NUMBER_LINE_EXAMPLE}`,
      'the number line ("So: 45/UBND-VP") must be at the top of the mail, before any other text')
  }
  return problem('number',
    `Thư chưa ghi số và ký hiệu của văn bản. Hãy ghi ở dòng đầu tiên của thư một dòng như: ${NUMBER_LINE_EXAMPLE} (số 45, ký hiệu UBND-VP).`,
    'the mail has no number line; put a line like "So: 45/UBND-VP" at the top of the mail')
}

function problem (field: string, vi: string, en: string): ConventionProblem {
  return { field, vi, en }
}
