import { sql } from 'drizzle-orm'
import { pgSchema, text, integer, timestamp, jsonb, index, uniqueIndex, bigserial } from 'drizzle-orm/pg-core'

export const mail = pgSchema('mail')

/**
 * Every mail the gateway is to send, written before the event that asked for it is acknowledged,
 * and sent from here with retries. `message_id` is derived from what the mail is about (a document
 * and a recipient, or an official's mail), so a second copy of the same request finds it here.
 */
export const outboundMails = mail.table('outbound_mails', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** `<…@domain>`: unique, and the receiver's way to tell a repeat after a crash */
  messageId: text('message_id').notNull().unique(),
  /** `document`: an arrival for an agency's mailbox; `notice`: an answer to an official's mail */
  kind: text('kind').notNull(),
  documentId: text('document_id'),
  recipient: text('recipient'),
  toAddress: text('to_address').notNull(),
  /** higher first: the document's priority, notices after hỏa tốc */
  priority: integer('priority').notNull().default(0),
  /** what the mail is built from at sending time (a delivery, or a notice's text) */
  payload: jsonb('payload').notNull(),
  attempts: integer('attempts').notNull().default(0),
  /** not before this time; also the lease of the copy that took it */
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  lastError: text('last_error'),
  queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  /** the relay refused it for good (5xx): kept, not retried */
  failedAt: timestamp('failed_at', { withTimezone: true })
}, (t) => [
  index('outbound_mails_due').on(t.nextAttemptAt).where(sql`${t.sentAt} is null and ${t.failedAt} is null`)
])

/**
 * The reply address of one mailed copy: `reply+<token>@domain`. The token is random (unguessable)
 * and bound to the document and the recipient agency; answering with it takes a login of that
 * agency, and it answers once.
 */
export const replyTokens = mail.table('reply_tokens', {
  token: text('token').primaryKey(),
  documentId: text('document_id').notNull(),
  recipient: text('recipient').notNull(),
  /** who the answer goes to: the document's sender */
  sender: text('sender').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** taken by a reply being sent (released if it fails), kept once the answer was accepted */
  claimedAt: timestamp('claimed_at', { withTimezone: true }),
  usedAt: timestamp('used_at', { withTimezone: true }),
  answerId: text('answer_id')
}, (t) => [
  uniqueIndex('reply_tokens_document_recipient').on(t.documentId, t.recipient)
])
