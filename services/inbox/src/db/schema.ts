import { and, isNotNull, isNull, sql } from 'drizzle-orm'
import { pgSchema, text, integer, timestamp, jsonb, uuid, uniqueIndex, index, bigserial, bigint, boolean, customType, primaryKey, type AnyPgColumn } from 'drizzle-orm/pg-core'

/** Postgres full-text vector; written with to_tsvector('simple', …) from the subject's words. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

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
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /** the subject's words, as written and without diacritics, so "bão" finds only bão and "bao" finds both */
  search: tsvector('search')
}, (t) => [
  // Exactly one copy per (document, recipient), however often the delivery comes.
  uniqueIndex('items_document_recipient').on(t.documentId, t.recipient),
  index('items_recipient_id').on(t.recipient, t.id),
  index('items_recipient_state_id').on(t.recipient, t.state, t.id),
  index('items_search').using('gin', t.search),
  // The inbox list's filters that an index reads in id order: by sender, by priority, the withdrawn few.
  index('items_recipient_sender_id').on(t.recipient, t.sender, t.id),
  index('items_recipient_priority_id').on(t.recipient, t.priority, t.id),
  index('items_recipient_withdrawn_id').on(t.recipient, t.id).where(sql`${t.recallAnswer} = '15'`),
  // An agency's later updates and replacements of a document, found from the original.
  index('items_recipient_original').on(t.recipient, sql`(${t.fields}->'business'->>'original')`).where(sql`${t.fields} ? 'business'`)
])

/** Each step of handling an item; each becomes a status message to the sender. */
export const steps = inbox.table('steps', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** the item whose sender is told of the step; null for a work file the DMS opened */
  itemId: uuid('item_id'),
  // a step without its work file cannot exist, whichever path writes it
  workFileId: uuid('work_file_id').notNull().references((): AnyPgColumn => workFiles.id),
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
  uniqueIndex('steps_work_file_code').on(t.workFileId, t.code),
  // a DMS-opened file's steps have no sender to tell, so they never wait in the outbox
  index('steps_unpublished').on(t.at).where(and(isNull(t.publishedAt), isNotNull(t.itemId))!)
])

/**
 * A work file (hồ sơ công việc): the handling of one matter by one agency, from its opening to its
 * completion. An arrival opens one (with the item's id, so the two share it); the DMS opens one for
 * work that did not start with an incoming document. What the auditors' measure counts.
 */
export const workFiles = inbox.table('work_files', {
  id: uuid('id').primaryKey(),
  agency: text('agency').notNull(),
  /** `exchange` (opened by an arrival; `item_id` = `id`) or `dms` */
  origin: text('origin').notNull(),
  itemId: uuid('item_id'),
  title: text('title').notNull(),
  /** the latest step: the same as the item's for an exchange file */
  state: text('state').notNull(),
  dueAt: timestamp('due_at', { withTimezone: true }),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
  /** when it was completed (06), refused (02) or withdrawn (15); null while open */
  closedAt: timestamp('closed_at', { withTimezone: true }),
  /** some step was done on paper: the file is not handled fully online */
  paper: boolean('paper').notNull().default(false),
  /** the sender's recall (13) waits for its answer: the only steps allowed are 15 and 16 */
  recallPending: boolean('recall_pending').notNull().default(false),
  /** who opened it, as the DMS names them */
  official: jsonb('official'),
  note: text('note'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  uniqueIndex('work_files_item').on(t.itemId),
  index('work_files_agency_id').on(t.agency, t.id),
  index('work_files_open_due').on(t.agency, t.dueAt).where(isNull(t.closedAt)),
  // The inbox list's due range: the matching ids straight from the index, to sort by id.
  index('work_files_agency_due_id').on(t.agency, t.dueAt, t.id)
])

/** Documents the agency sent through the exchange in answer (`responseFor`) to a work file's document. */
export const workFileDocuments = inbox.table('work_file_documents', {
  workFileId: uuid('work_file_id').notNull().references(() => workFiles.id),
  documentId: text('document_id').notNull(),
  role: text('role').notNull(),
  addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.workFileId, t.documentId] })])

/**
 * Events recorded in the same transaction as what they tell, until JetStream has them: the outbox
 * of the EVENTS stream. A row is deleted once published; what is left after a crash is sent by
 * the sweeper (the event id keeps JetStream from taking it twice).
 */
export const events = inbox.table('events', {
  id: uuid('id').primaryKey(),
  agency: text('agency').notNull(),
  body: jsonb('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [index('events_created').on(t.createdAt)])

/** An agency's webhook: where its events are pushed, and the secret they are signed with. */
export const webhooks = inbox.table('webhooks', {
  agency: text('agency').primaryKey(),
  url: text('url').notNull(),
  /** the HMAC-SHA256 key (Standard Webhooks `whsec_…`); shown once, when it is made */
  secret: text('secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
})

/** One event to push to one agency's webhook, tried with backoff until it answers 2xx or the time is up. */
export const webhookDeliveries = inbox.table('webhook_deliveries', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  agency: text('agency').notNull(),
  eventId: uuid('event_id').notNull(),
  /** the event's sequence in the EVENTS stream, also its server-sent event id */
  eventSeq: bigint('event_seq', { mode: 'number' }).notNull(),
  body: jsonb('body').notNull(),
  /** `pending`, `delivered`, or `dead` (given up: the dead-letter list) */
  state: text('state').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  lastStatus: integer('last_status'),
  lastError: text('last_error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true })
}, (t) => [
  uniqueIndex('webhook_deliveries_agency_event').on(t.agency, t.eventId),
  index('webhook_deliveries_due').on(t.nextAttemptAt).where(sql`${t.state} = 'pending'`),
  index('webhook_deliveries_dead').on(t.agency, t.id).where(sql`${t.state} = 'dead'`),
  // pruning old delivered rows, and an agency's pending count, without reading the whole table
  index('webhook_deliveries_delivered').on(t.finishedAt).where(sql`${t.state} = 'delivered'`),
  index('webhook_deliveries_pending_agency').on(t.agency).where(sql`${t.state} = 'pending'`)
])
