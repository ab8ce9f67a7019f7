import { createHash } from 'node:crypto'
import { simpleParser, type ParsedMail } from 'mailparser'
import type { Sql } from 'postgres'
import type { FastifyBaseLogger } from 'fastify'
import type { AttachmentDigest, Priority, SendDocumentRequest } from '@lienthong/contracts'
import type { Directory } from '@lienthong/platform'
import { SmtpRefusal } from '../smtp/smtp-refusal.ts'
import { recordAnswerStep, type StepOutcome } from './answer-step.ts'
import { checkAttachmentKind } from './attachment-kinds.ts'
import { ExchangeUnreachable, type ExchangeClient } from './exchange-client.ts'
import { readMailAddress } from './mail-addresses.ts'
import { STEP_CODES, readMailConventions } from './mail-conventions.ts'
import { noticeMessageId } from './mail-identity.ts'
import { checkRawMessage } from './mime-checks.ts'
import { refusalNotice, sentNotice } from './notices.ts'
import type { Official } from './official-logins.ts'
import { queueNotice } from './outbound-queue.ts'
import { claimReplyToken, findReplyToken, markReplyTokenUsed, releaseReplyToken } from './reply-tokens.ts'
import { exchangeRefusalVi } from './exchange-refusals.ts'

export interface SubmissionContext {
  sql: Sql
  directory: Directory
  exchange: ExchangeClient
  domain: string
  attachmentMax: number
  log: FastifyBaseLogger
  /** a notice was queued: send it soon */
  queued: () => void
}

export interface Submission {
  raw: Buffer
  official: Official
  /** `RCPT TO` addresses, each already checked at the door */
  recipients: string[]
}

export interface Submitted { documentId: string, recipients: string[] }

/**
 * An official's mail becomes a document of their agency: checked whole before anything is sent
 * (MIME, headers, sender, conventions, attachments), the attachments uploaded, then one send
 * through routing with an idempotency key of the mail, so a client that sends the same mail again
 * gets the same document. A refusal throws an SmtpRefusal (and, past the envelope, tells the
 * official by mail in Vietnamese); nothing is half-sent: the document is one request.
 */
export async function submitMail (ctx: SubmissionContext, s: Submission): Promise<Submitted> {
  const key = `mail.${createHash('sha256').update(`${s.official.address}\n`).update(s.raw).digest('hex').slice(0, 48)}`
  const refuse = async (kind: ConstructorParameters<typeof SmtpRefusal>[0], detail: string, vi: string[], subject: string): Promise<never> => {
    const refusal = new SmtpRefusal(kind, detail)
    await queueNotice(ctx.sql, {
      messageId: noticeMessageId(key, 'refused', ctx.domain),
      toAddress: s.official.address,
      notice: refusalNotice({ officialName: s.official.name ?? s.official.address, mailSubject: subject, code: refusal.code, problems: vi })
    })
    ctx.queued()
    throw refusal
  }

  const raw = checkRawMessage(s.raw, { smtpUtf8: false })
  if (!raw.ok) await refuse(raw.kind, raw.reason, [raw.vi], '(không đọc được tiêu đề)')
  let parsed: ParsedMail
  try {
    parsed = await simpleParser(s.raw, { skipHtmlToText: false, skipImageLinks: true, skipTextLinks: true })
  } catch (err) {
    return await refuse('MALFORMED_MIME', `the mail cannot be parsed: ${(err as Error).message}`, ['Thư không đúng định dạng MIME, hệ thống không đọc được.'], '(không đọc được)')
  }
  const subject = parsed.subject ?? ''
  const from = (parsed.from?.value ?? []).map((a) => a.address?.toLowerCase())
  if (from.length !== 1 || from[0] !== s.official.address) {
    await refuse('SENDER_MISMATCH', `From: must be ${s.official.address}, the mailbox that logged in`, [`Địa chỉ người gửi (From) phải là ${s.official.address}, hộp thư đã đăng nhập.`], subject)
  }

  const conventions = readMailConventions({ subject, text: parsed.text ?? '' })
  if (!conventions.ok) return await refuse('CONVENTION_BROKEN', conventions.problems.map((p) => p.en).join('; '), conventions.problems.map((p) => p.vi), subject)
  const { fields, step, stepNote } = conventions.value

  const files = parsed.attachments.filter((a) => !(a.related === true && a.contentDisposition === 'inline'))
  for (const [i, a] of files.entries()) {
    const name = a.filename ?? `tep-${i + 1}`
    if (a.size > ctx.attachmentMax) {
      await refuse('ATTACHMENT_TOO_LARGE', `${name} has ${a.size} bytes; an attachment may have at most ${ctx.attachmentMax}`, [`Tệp ${name} lớn hơn giới hạn ${Math.floor(ctx.attachmentMax / 1024 / 1024)} MB.`], subject)
    }
    const kind = checkAttachmentKind({ filename: name, contentType: a.contentType, content: a.content })
    if (!kind.ok) await refuse('ATTACHMENT_TYPE_MISMATCH', `${name}: ${kind.reason}`, [kind.vi], subject)
  }

  const targets = s.recipients.map((r) => readMailAddress(r, ctx.domain))
  const reply = targets.find((t) => t.kind === 'reply')
  const group = targets.find((t) => t.kind === 'group')
  if (step !== undefined && reply === undefined) {
    await refuse('CONVENTION_BROKEN', `#${step} records a step on a document you received: use it in a reply to that document's mail`,
      [`Từ khóa #${step} ghi bước xử lý cho văn bản đã nhận, nên chỉ dùng khi trả lời thư của văn bản đó (nút Trả lời).`], subject)
  }
  let to: SendDocumentRequest['to']
  let answerTo: { documentId: string, token: string } | undefined
  if (reply?.kind === 'reply') {
    const token = await findReplyToken(ctx.sql, reply.token)
    if (token === undefined || token.recipient !== s.official.agency) throw new SmtpRefusal('UNKNOWN_RECIPIENT', 'no document was mailed to your agency with this reply address')
    if (!await claimReplyToken(ctx.sql, reply.token)) throw new SmtpRefusal('REPLY_TOKEN_USED', `document ${token.documentId} was already answered from this address`)
    to = [token.sender]
    answerTo = { documentId: token.documentId, token: reply.token }
  } else if (group?.kind === 'group') {
    to = group.group
  } else {
    to = targets.flatMap((t) => t.kind === 'agency' ? [t.code] : [])
  }

  let sent: Submitted
  try {
    const attachments: AttachmentDigest[] = []
    for (const [i, a] of files.entries()) {
      const sha256 = createHash('sha256').update(a.content).digest('hex')
      const up = await ctx.exchange.uploadAttachment(s.official.token, sha256, a.content)
      if (up.status >= 300) await exchangeRefusal(up, subject)
      attachments.push({ name: attachmentName(a.filename, i), size: a.content.length, sha256 })
    }
    const request: SendDocumentRequest = {
      to,
      document: {
        number: fields.number!,
        notation: fields.notation!,
        type: fields.type ?? 'Công văn',
        subject: conventions.value.subject,
        issuedAt: fields.issuedAt ?? todayInVietnam(),
        ...(fields.dueDate !== undefined ? { dueDate: fields.dueDate } : {}),
        priority: (fields.priority ?? headerPriority(parsed)) as Priority,
        ...(fields.signer !== undefined ? { signer: fields.signer } : {}),
        ...(answerTo !== undefined ? { responseFor: answerTo.documentId } : {})
      },
      ...(attachments.length > 0 ? { attachments } : {})
    }
    const answer = await ctx.exchange.sendDocument(s.official.token, key, request)
    if (answer.status >= 300 || answer.body.id === undefined) await exchangeRefusal(answer, subject)
    sent = { documentId: answer.body.id!, recipients: answer.body.recipients ?? [] }
  } catch (err) {
    if (answerTo !== undefined) await releaseReplyToken(ctx.sql, answerTo.token)
    if (err instanceof ExchangeUnreachable) throw new SmtpRefusal('EXCHANGE_UNAVAILABLE', 'the exchange does not answer; try again later')
    throw err
  }

  let stepOutcome: StepOutcome | undefined
  if (answerTo !== undefined) {
    await markReplyTokenUsed(ctx.sql, answerTo.token, sent.documentId)
    if (step !== undefined) stepOutcome = await recordAnswerStep(ctx.exchange, s.official, answerTo.documentId, STEP_CODES[step], stepNote)
  }
  await queueNotice(ctx.sql, {
    messageId: noticeMessageId(key, 'sent', ctx.domain),
    toAddress: s.official.address,
    notice: {
      ...sentNotice({
        officialName: s.official.name ?? s.official.address,
        documentId: sent.documentId,
        number: fields.number!,
        notation: fields.notation!,
        subject: conventions.value.subject,
        recipients: sent.recipients.map((code) => ({ code, name: ctx.directory.get(code)?.name ?? code })),
        ...(answerTo !== undefined ? { answerTo: { documentId: answerTo.documentId } } : {}),
        ...(stepOutcome !== undefined ? { step: stepOutcome } : {})
      }),
      ...(parsed.messageId !== undefined ? { inReplyTo: parsed.messageId } : {})
    }
  })
  ctx.queued()
  return sent

  async function exchangeRefusal (answer: { status: number, body: { code?: string, detail?: string, title?: string } }, mailSubject: string): Promise<never> {
    const code = answer.body.code ?? `HTTP_${answer.status}`
    const detail = answer.body.detail ?? answer.body.title ?? ''
    if (answer.status === 429 || answer.status >= 500) throw new SmtpRefusal('EXCHANGE_UNAVAILABLE', `${code}: the exchange cannot take the document now; try again later`)
    return await refuse('REFUSED_BY_EXCHANGE', `${code}: ${detail}`, [exchangeRefusalVi(code, detail)], mailSubject)
  }
}

/**
 * Importance / X-Priority of the mail, when the official marked it urgent in the client: khẩn.
 * mailparser folds both headers (and X-MSMail-Priority) into one `priority` header.
 */
function headerPriority (parsed: ParsedMail): number {
  return parsed.headers.get('priority') === 'high' ? 1 : 0
}

// made once: building a formatter with a time zone costs about a millisecond
const VIETNAM_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' })

function todayInVietnam (): string {
  return VIETNAM_DATE.format(new Date())
}

/** A file name routing takes: no path, no control characters, not empty. */
function attachmentName (filename: string | undefined, i: number): string {
  const base = (filename ?? '').split(/[/\\]/).pop() ?? ''
  const clean = base.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '').trim().normalize('NFC').slice(0, 255)
  return clean === '' || clean === '.' || clean === '..' ? `tep-dinh-kem-${i + 1}` : clean
}
