import { SERVICE_ERRORS, errorCode } from '@lienthong/contracts'

export type MailErrorKind = keyof typeof SERVICE_ERRORS.mail

/**
 * The SMTP reply of each error kind: its basic code and enhanced status (RFC 3463). 4xx tells the
 * client to try again later with the same mail; 5xx that the mail will never go as it is.
 */
const SMTP_REPLIES: Record<MailErrorKind, readonly [number, string]> = {
  AUTH_REQUIRED: [530, '5.7.0'],
  AUTH_FAILED: [535, '5.7.8'],
  RELAY_DENIED: [550, '5.7.1'],
  SENDER_MISMATCH: [553, '5.7.1'],
  UNKNOWN_RECIPIENT: [550, '5.1.1'],
  INACTIVE_RECIPIENT: [550, '5.1.6'],
  REPLY_TOKEN_USED: [550, '5.7.1'],
  REPLY_TOKEN_NOT_YOURS: [550, '5.7.1'],
  ADDRESS_NOT_ALONE: [550, '5.5.3'],
  TOO_MANY_RECIPIENTS: [452, '4.5.3'],
  MESSAGE_TOO_LARGE: [552, '5.3.4'],
  ATTACHMENT_TOO_LARGE: [552, '5.3.4'],
  MALFORMED_MIME: [550, '5.6.0'],
  HEADER_NOT_ASCII: [550, '5.6.7'],
  ATTACHMENT_TYPE_MISMATCH: [550, '5.6.1'],
  CONVENTION_BROKEN: [550, '5.6.0'],
  REFUSED_BY_EXCHANGE: [550, '5.7.0'],
  EXCHANGE_UNAVAILABLE: [451, '4.3.0']
}

/**
 * A refusal at the SMTP door: smtp-server sends `responseCode` and `message` as the reply line,
 * which reads `550 5.1.1 MAIL_UNKNOWN_RECIPIENT: no agency 000.00.99.H38`. The detail is plain
 * ASCII English for the client's log; the official gets the Vietnamese in a mail back.
 */
export class SmtpRefusal extends Error {
  readonly responseCode: number
  readonly code: string
  readonly kind: MailErrorKind
  readonly detail: string

  constructor (kind: MailErrorKind, detail: string) {
    const [reply, enhanced] = SMTP_REPLIES[kind]
    const code = errorCode('mail', kind)
    super(`${enhanced} ${code}: ${asciiLine(detail)}`)
    this.responseCode = reply
    this.code = code
    this.kind = kind
    this.detail = detail
  }

  get temporary (): boolean {
    return this.responseCode < 500
  }
}

/** SMTP reply text is one line of ASCII: diacritics are dropped, anything else becomes a space. */
function asciiLine (text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, ' ').slice(0, 400)
}
