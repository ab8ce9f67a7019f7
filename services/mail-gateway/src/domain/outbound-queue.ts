import type { Sql } from 'postgres'
import type { DeliveryMessage } from '@lienthong/contracts'
import { newReplyToken } from './mail-identity.ts'

/** A notice to an official is queued after every document but the most urgent. */
export const NOTICE_PRIORITY = 2

export interface QueuedMail {
  id: number
  messageId: string
  kind: 'document' | 'notice'
  documentId: string | null
  recipient: string | null
  toAddress: string
  payload: DocumentPayload | NoticePayload
  attempts: number
}

export interface DocumentPayload { delivery: DeliveryMessage, replyToken: string }
export interface NoticePayload { subject: string, text: string, html: string, inReplyTo?: string }

/**
 * Queues the mail of one delivery, with the reply token of that copy, in one statement. A delivery
 * that comes again (a redelivery, a re-publish) finds both already there: one token and one mail
 * per document and recipient, however often.
 */
export async function queueDocumentMail (sql: Sql, m: { delivery: DeliveryMessage, toAddress: string, messageId: string }): Promise<boolean> {
  const { delivery } = m
  const rows = await sql`
    with made as (
      insert into mail.reply_tokens (token, document_id, recipient, sender)
      values (${newReplyToken()}, ${delivery.documentId}, ${delivery.recipient}, ${delivery.envelope.sender})
      on conflict (document_id, recipient) do nothing
      returning token
    ), token as (
      select token from made
      union all
      select token from mail.reply_tokens where document_id = ${delivery.documentId} and recipient = ${delivery.recipient}
      limit 1
    )
    insert into mail.outbound_mails (message_id, kind, document_id, recipient, to_address, priority, payload)
    select ${m.messageId}, 'document', ${delivery.documentId}, ${delivery.recipient}, ${m.toAddress}, ${delivery.envelope.document.priority},
      jsonb_build_object('delivery', ${JSON.stringify(delivery)}::jsonb, 'replyToken', token.token)
    from token
    on conflict (message_id) do nothing
    returning id`
  return rows.length > 0
}

/** Queues a notice to an official; a second one for the same mail (a client's retry) is dropped. */
export async function queueNotice (sql: Sql, m: { messageId: string, toAddress: string, notice: NoticePayload }): Promise<void> {
  await sql`
    insert into mail.outbound_mails (message_id, kind, to_address, priority, payload)
    values (${m.messageId}, 'notice', ${m.toAddress}, ${NOTICE_PRIORITY}, ${JSON.stringify(m.notice)}::jsonb)
    on conflict (message_id) do nothing`
}

/**
 * Takes up to `limit` mails that are due, most urgent first, and leases them for `leaseMs`: another
 * copy of the gateway skips them meanwhile, and if this one dies they become due again.
 */
export async function claimDueMails (sql: Sql, limit: number, leaseMs: number): Promise<QueuedMail[]> {
  const rows = await sql<Array<{ id: string, priority: number, message_id: string, kind: 'document' | 'notice', document_id: string | null, recipient: string | null, to_address: string, payload: DocumentPayload | NoticePayload, attempts: number }>>`
    update mail.outbound_mails set next_attempt_at = now() + ${leaseMs} * interval '1 millisecond', attempts = attempts + 1
    where id in (
      select id from mail.outbound_mails
      where sent_at is null and failed_at is null and next_attempt_at <= now()
      order by priority desc, id
      limit ${limit}
      for update skip locked
    )
    returning id, priority, message_id, kind, document_id, recipient, to_address, payload, attempts`
  // the sender starts them in this order, a few at a time: the most urgent first here too
  return rows
    .sort((a, b) => b.priority - a.priority || Number(a.id) - Number(b.id))
    .map((r) => ({ id: Number(r.id), messageId: r.message_id, kind: r.kind, documentId: r.document_id, recipient: r.recipient, toAddress: r.to_address, payload: r.payload, attempts: r.attempts }))
}

export async function markSent (sql: Sql, id: number): Promise<void> {
  await sql`update mail.outbound_mails set sent_at = now(), last_error = null where id = ${id}`
}

export async function markRetry (sql: Sql, id: number, delayMs: number, error: string): Promise<void> {
  await sql`update mail.outbound_mails set next_attempt_at = now() + ${delayMs} * interval '1 millisecond', last_error = ${error.slice(0, 1000)} where id = ${id}`
}

export async function markFailed (sql: Sql, id: number, error: string): Promise<void> {
  await sql`update mail.outbound_mails set failed_at = now(), last_error = ${error.slice(0, 1000)} where id = ${id}`
}

export interface QueueCounts { queued: number, sent: number, failed: number, retrying: number }

export async function queueCounts (sql: Sql): Promise<QueueCounts> {
  const [row] = await sql<Array<{ queued: number, sent: number, failed: number, retrying: number }>>`
    select count(*) filter (where sent_at is null and failed_at is null)::int as queued,
      count(*) filter (where sent_at is not null)::int as sent,
      count(*) filter (where failed_at is not null)::int as failed,
      count(*) filter (where sent_at is null and failed_at is null and attempts > 0 and last_error is not null)::int as retrying
    from mail.outbound_mails`
  return row!
}
