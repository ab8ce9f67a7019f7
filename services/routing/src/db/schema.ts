import { isNotNull as sqlIsNotNull, isNull as sqlIsNull, sql } from 'drizzle-orm'
import { pgSchema, text, integer, timestamp, jsonb, primaryKey, uniqueIndex, index, uuid } from 'drizzle-orm/pg-core'

export const routing = pgSchema('routing')

export const documents = routing.table('documents', {
  /** `{sender},{yyyy/MM/dd},{number}/{notation}` */
  id: text('id').primaryKey(),
  sender: text('sender').notNull(),
  idempotencyKey: text('idempotency_key').notNull(),
  /** SHA-256 of the canonical request, to tell a retry from a different document */
  requestDigest: text('request_digest').notNull(),
  priority: integer('priority').notNull(),
  /** số and ký hiệu are unique per agency per year (ND30), whatever the day of issue */
  issuedYear: integer('issued_year').notNull(),
  number: text('number').notNull(),
  notation: text('notation').notNull(),
  fields: jsonb('fields').notNull(),
  /** the resolved recipient codes, as shown to the sender */
  recipients: text('recipients').array().notNull(),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull().defaultNow(),
  /** set once every delivery was acknowledged by JetStream; null rows are the outbox */
  publishedAt: timestamp('published_at', { withTimezone: true }),
  /** the signed envelope and its two signatures, as delivered to every recipient */
  envelope: jsonb('envelope'),
  signatures: jsonb('signatures'),
  /** SHA-256 of the canonical envelope, which every receipt names */
  envelopeDigest: text('envelope_digest'),
  /** who signed: `dms` (the sender's own keys) or `custody` (the signatures service for it) */
  signedBy: text('signed_by'),
  /**
   * An update (2) or replacement (3) names the document it changes in its signed fields; these
   * columns are derived from them by Postgres, so the link can never say other than the envelope.
   */
  businessType: integer('business_type').generatedAlwaysAs(sql`("fields"->'business'->>'type')::integer`),
  originalId: text('original_id').generatedAlwaysAs(sql`("fields"->'business'->>'original')`)
}, (t) => [
  uniqueIndex('documents_sender_idempotency_key').on(t.sender, t.idempotencyKey),
  uniqueIndex('documents_sender_year_number').on(t.sender, t.issuedYear, t.number, t.notation),
  index('documents_unpublished').on(t.acceptedAt).where(sqlIsNull(t.publishedAt)),
  index('documents_original').on(t.originalId).where(sqlIsNotNull(t.originalId))
])

export const deliveries = routing.table('deliveries', {
  documentId: text('document_id').notNull(),
  recipient: text('recipient').notNull(),
  /** `queued` until the first status message, then the latest status code */
  status: text('status').notNull().default('queued'),
  statusAt: timestamp('status_at', { withTimezone: true }),
  /** the sender asked for the document back from this recipient (13); one recall per recipient */
  recallRequestedAt: timestamp('recall_requested_at', { withTimezone: true }),
  recallNote: text('recall_note'),
  /** set once JetStream acknowledged the recall message; requested but null rows are the recall outbox */
  recallPublishedAt: timestamp('recall_published_at', { withTimezone: true })
}, (t) => [
  primaryKey({ columns: [t.documentId, t.recipient] }),
  index('deliveries_recalls_unpublished').on(t.recallRequestedAt).where(sql`${t.recallRequestedAt} is not null and ${t.recallPublishedAt} is null`)
])

export const deliveryStatuses = routing.table('delivery_statuses', {
  documentId: text('document_id').notNull(),
  recipient: text('recipient').notNull(),
  code: text('code').notNull(),
  channel: text('channel').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  note: text('note'),
  /** the recipient's signed receipt of this step: the sender's proof */
  receipt: jsonb('receipt'),
  signature: text('signature')
}, (t) => [primaryKey({ columns: [t.documentId, t.recipient, t.code] })])

/**
 * Routing's events (document sent, recalled), recorded in the same transaction as what they tell,
 * until JetStream has them: the outbox of the EVENTS stream. A row is deleted once published; what
 * is left after a crash is sent by the sweeper (the event id keeps JetStream from taking it twice).
 */
export const events = routing.table('events', {
  id: uuid('id').primaryKey(),
  agency: text('agency').notNull(),
  body: jsonb('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [index('events_created').on(t.createdAt)])
