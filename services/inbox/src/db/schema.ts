import { isNull, sql } from 'drizzle-orm'
import { pgSchema, text, integer, timestamp, jsonb, uuid, uniqueIndex, index, bigserial, boolean } from 'drizzle-orm/pg-core'

export const inbox = pgSchema('inbox')

/** One document in one recipient's inbox. */
export const items = inbox.table('items', {
  /** uuidv7: sortable by arrival, and says nothing about other agencies' items */
  id: uuid('id').primaryKey(),
  documentId: text('document_id').notNull(),
  recipient: text('recipient').notNull(),
  sender: text('sender').notNull(),
  subject: text('subject').notNull(),
  priority: integer('priority').notNull(),
  fields: jsonb('fields').notNull(),
  recipients: text('recipients').array().notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  /** the latest status code */
  state: text('state').notNull(),
  /** the signed envelope as delivered, its two signatures, and its SHA-256 (which receipts name) */
  envelope: jsonb('envelope'),
  signatures: jsonb('signatures'),
  envelopeDigest: text('envelope_digest'),
  /** whether both signatures verified on arrival, and what each check found */
  signaturesValid: boolean('signatures_valid'),
  signatureFindings: jsonb('signature_findings'),
  /**
   * The sender's recall (13), kept apart from `state` (the work: 01…06) so that a refused recall
   * (16) leaves the work where it was. An agreed recall (15) withdraws the item.
   */
  recallRequestedAt: timestamp('recall_requested_at', { withTimezone: true }),
  recallNote: text('recall_note'),
  /** `15` agreed (the item is withdrawn) or `16` refused; null while the recall is pending */
  recallAnswer: text('recall_answer'),
  recallAnsweredAt: timestamp('recall_answered_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  // Exactly one copy per (document, recipient), however often the delivery comes.
  uniqueIndex('items_document_recipient').on(t.documentId, t.recipient),
  index('items_recipient_id').on(t.recipient, t.id),
  // An agency's later updates and replacements of a document, found from the original.
  index('items_recipient_original').on(t.recipient, sql`(${t.fields}->'business'->>'original')`).where(sql`${t.fields} ? 'business'`)
])

/** Each step of handling an item; each becomes a status message to the sender. */
export const steps = inbox.table('steps', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  itemId: uuid('item_id').notNull(),
  code: text('code').notNull(),
  channel: text('channel').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  note: text('note'),
  official: jsonb('official'),
  /** set once JetStream acknowledged the status message; null rows are the outbox */
  publishedAt: timestamp('published_at', { withTimezone: true }),
  /** the receipt as signed (its `at` is this step's time) and the agency's detached JWS of it */
  receipt: jsonb('receipt'),
  signature: text('signature'),
  /** the agency signs with its own DMS, which has not signed this receipt yet: not sent until it does */
  awaitingSignature: boolean('awaiting_signature').notNull().default(false)
}, (t) => [
  uniqueIndex('steps_item_code').on(t.itemId, t.code),
  index('steps_unpublished').on(t.at).where(isNull(t.publishedAt))
])
