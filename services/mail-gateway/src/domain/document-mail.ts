import type { DeliveryMessage, DocumentFields } from '@lienthong/contracts'
import { guideHtml, guideText, replyGuide } from './writing-guide.ts'
import { cutAtWord, escapeHtml, singleLine, viDate, viSize } from './vietnamese-text.ts'

/**
 * The mail an official receives for one delivered document: the edXML header in Vietnamese, the
 * attachments named and sized, and how to answer by replying. Nothing here sends or attaches;
 * the caller hands this to nodemailer with the attachment bytes.
 */

export interface DocumentMailInput {
  delivery: DeliveryMessage
  /** the sending agency's name from the directory */
  senderName: string
  recipientName: string
  /** the recipient agency's mailbox */
  toAddress: string
  /** e.g. `"Liên thông văn bản" <vanban@lienthong.local>` */
  from: string
  /** `<…@domain>`, already formed */
  messageId: string
  /** `reply+<token>@domain` */
  replyTo: string
}

export interface DocumentMail {
  from: string
  to: string
  replyTo: string
  messageId: string
  subject: string
  text: string
  html: string
  /** nodemailer's option: `high` becomes `X-Priority: 1 (Highest)` and `Importance: High` */
  priority: 'high' | 'normal'
  headers: Record<string, string>
}

type Priority = DocumentFields['priority']

/** Độ khẩn as ND30 names it. */
export const PRIORITY_LABELS: Record<Priority, string> = {
  0: 'Thường',
  1: 'Khẩn',
  2: 'Thượng khẩn',
  3: 'Hỏa tốc',
  4: 'Hỏa tốc hẹn giờ'
}

/** Long enough for any client's list view, short enough for every header line limit to fold. */
export const SUBJECT_MAX = 250

export function documentMail (input: DocumentMailInput): DocumentMail {
  const document = input.delivery.envelope.document
  const urgent = document.priority >= 1
  return {
    from: input.from,
    to: mailbox(input.recipientName, input.toAddress),
    replyTo: input.replyTo,
    messageId: input.messageId,
    subject: documentSubject(document),
    text: documentText(input),
    html: documentHtml(input),
    priority: urgent ? 'high' : 'normal',
    headers: {
      // percent-encoded like a URI: ASCII, so every reader sees it alike (an RFC 2047 word in an
      // unknown header is left undecoded by many), and decodeURI gives the id back
      'X-Lienthong-Document': encodeURI(input.delivery.envelope.id),
      'X-Lienthong-Sender': input.delivery.envelope.sender,
      // The same values nodemailer writes for `priority`, so either way there is one of each.
      'X-Priority': urgent ? '1 (Highest)' : '3 (Normal)',
      Importance: urgent ? 'High' : 'Normal'
    }
  }
}

/** `[Hỏa tốc] 12/UBND-VP: V/v …`, the label only for an urgent document, cut between words. */
export function documentSubject (document: Pick<DocumentFields, 'priority' | 'number' | 'notation' | 'subject'>): string {
  const label = document.priority > 0 ? `[${PRIORITY_LABELS[document.priority]}] ` : ''
  const head = `${label}${document.number}/${document.notation}: `
  return head + cutAtWord(singleLine(document.subject), SUBJECT_MAX - head.length)
}

/** `"Name" <address>`, the name quoted so that a comma or a quote in it stays in the name. */
export function mailbox (name: string, address: string): string {
  const clean = singleLine(name).replace(/[\\"]/g, (c) => `\\${c}`)
  return clean === '' ? address : `"${clean}" <${address}>`
}

interface Row { label: string, value: string }

/** The document as label–value rows, shared by the text and the HTML body. */
function rows (input: DocumentMailInput): Row[] {
  const { envelope } = input.delivery
  const d = envelope.document
  const out: Row[] = [
    { label: 'Cơ quan gửi', value: `${singleLine(input.senderName)} (${envelope.sender})` },
    { label: 'Số/ký hiệu', value: `${d.number}/${d.notation}` },
    { label: 'Loại văn bản', value: d.type },
    { label: 'Ngày ban hành', value: viDate(d.issuedAt) }
  ]
  if (d.place !== undefined && d.place.trim() !== '') out.push({ label: 'Nơi ban hành', value: d.place })
  out.push({ label: 'Trích yếu', value: d.subject })
  if (d.signer !== undefined) {
    const who = [d.signer.position, d.signer.fullName].filter((s) => s !== undefined && s.trim() !== '').join(', ')
    const competence = d.signer.competence !== undefined && d.signer.competence.trim() !== '' ? ` (thẩm quyền: ${d.signer.competence})` : ''
    out.push({ label: 'Người ký', value: who + competence })
  }
  out.push({ label: 'Độ khẩn', value: PRIORITY_LABELS[d.priority] })
  if (d.dueDate !== undefined) out.push({ label: 'Hạn xử lý', value: viDate(d.dueDate) })
  if (d.responseFor !== undefined && d.responseFor !== '') out.push({ label: 'Văn bản trả lời cho', value: d.responseFor })
  if (d.business !== undefined) {
    const what = d.business.type === 2 ? 'Đính chính, cập nhật văn bản đã gửi' : 'Thay thế văn bản đã gửi'
    const reason = d.business.reason !== undefined ? ` — lý do: ${d.business.reason}` : ''
    out.push({ label: 'Văn bản này', value: `${what}: ${d.business.original}${reason}` })
  }
  out.push({ label: 'Mã văn bản', value: envelope.id })
  return out.map((r) => ({ label: r.label, value: singleLine(r.value) }))
}

function attachmentLines (input: DocumentMailInput): string[] {
  return input.delivery.envelope.attachments.map((a) => `${singleLine(a.name)} (${viSize(a.size)})`)
}

function greeting (input: DocumentMailInput): string {
  return `Kính gửi: ${singleLine(input.recipientName)}`
}

function intro (input: DocumentMailInput): string {
  return `${singleLine(input.senderName)} gửi văn bản sau qua hệ thống liên thông văn bản điện tử.`
}

export function documentText (input: DocumentMailInput): string {
  const files = attachmentLines(input)
  return [
    greeting(input),
    '',
    intro(input),
    '',
    ...rows(input).map((r) => `${r.label}: ${r.value}`),
    '',
    files.length === 0 ? 'Tệp đính kèm: không có' : `Tệp đính kèm (${files.length}, kèm theo thư này):`,
    ...files.map((f) => `- ${f}`),
    '',
    'Cách trả lời',
    ...guideText(replyGuide()),
    ''
  ].join('\n')
}

export function documentHtml (input: DocumentMailInput): string {
  const files = attachmentLines(input)
  const table = rows(input)
    .map((r) => `<tr><th align="left" valign="top" style="padding:2px 12px 2px 0">${escapeHtml(r.label)}</th><td style="padding:2px 0">${escapeHtml(r.value)}</td></tr>`)
    .join('\n')
  const attachments = files.length === 0
    ? '<p>Tệp đính kèm: không có</p>'
    : `<p>Tệp đính kèm (${files.length}, kèm theo thư này):</p>\n<ul>\n${files.map((f) => `<li>${escapeHtml(f)}</li>`).join('\n')}\n</ul>`
  return [
    '<!DOCTYPE html>',
    '<html lang="vi"><head><meta charset="utf-8"><title>' + escapeHtml(documentSubject(input.delivery.envelope.document)) + '</title></head>',
    '<body style="font-family:Arial,sans-serif;font-size:14px">',
    `<p>${escapeHtml(greeting(input))}</p>`,
    `<p>${escapeHtml(intro(input))}</p>`,
    `<table cellspacing="0" cellpadding="0">\n${table}\n</table>`,
    attachments,
    '<h3>Cách trả lời</h3>',
    guideHtml(replyGuide()),
    '</body></html>',
    ''
  ].join('\n')
}

/** The content type an attachment is sent with, by its extension; unknown ones as plain bytes. */
export function attachmentContentType (name: string): string {
  const ext = /\.([^.]+)$/.exec(name.trim().toLowerCase())?.[1] ?? ''
  return CONTENT_TYPES[ext] ?? 'application/octet-stream'
}

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  txt: 'text/plain',
  csv: 'text/csv',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  zip: 'application/zip',
  xml: 'application/xml',
  p7s: 'application/pkcs7-signature',
  sig: 'application/pkcs7-signature'
}
