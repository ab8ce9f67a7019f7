import { sql } from 'drizzle-orm'
import { bigint, boolean, date, index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

export const audit = pgSchema('audit')

/**
 * The ledger: every event of the exchange, in the order it was recorded, each entry carrying the
 * hash of the one before and of its own canonical form. Rows are only ever inserted.
 */
export const ledger = audit.table('ledger', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  /** the event's own id (JetStream dedupes by it too): an event is recorded once however often it comes */
  eventId: text('event_id').notNull(),
  subject: text('subject').notNull(),
  type: text('type').notNull(),
  /** the event exactly as it was published (JSON text): what is hashed is what came */
  body: text('body').notNull(),
  /** the previous entry's hash (64 zeros for the first) */
  prev: text('prev').notNull(),
  /** SHA-256 of the canonical JSON (RFC 8785) of { seq, eventId, subject, body, prev } */
  hash: text('hash').notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [uniqueIndex('ledger_event_id').on(t.eventId)])

/** The ledger's head signed through the signatures service by the agency that answers for it. */
export const checkpoints = audit.table('checkpoints', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  hash: text('hash').notNull(),
  at: timestamp('at', { withTimezone: true, mode: 'string' }).notNull(),
  agency: text('agency').notNull(),
  /** detached JWS (RFC 7515 appendix F) over the canonical `LedgerCheckpoint` */
  signature: text('signature').notNull()
})

/** What the measure needs of each work file, folded from its events. */
export const workFiles = audit.table('work_files', {
  id: uuid('id').primaryKey(),
  agency: text('agency').notNull(),
  /** the agency's code root-first (`H38.31.05.000`): a subtree is a prefix */
  path: text('path').notNull(),
  level: text('level'),
  origin: text('origin'),
  signaturesValid: boolean('signatures_valid'),
  paper: boolean('paper').notNull().default(false),
  state: text('state'),
  openedAt: timestamp('opened_at', { withTimezone: true, mode: 'string' }),
  dueAt: timestamp('due_at', { withTimezone: true, mode: 'string' }),
  /** when the due date was last set: events may come out of order, the latest setting wins */
  dueSetAt: timestamp('due_set_at', { withTimezone: true, mode: 'string' }),
  closedAt: timestamp('closed_at', { withTimezone: true, mode: 'string' }),
  /** completed (06): when, and the agency's level then; this is what the measure counts */
  completedAt: timestamp('completed_at', { withTimezone: true, mode: 'string' }),
  completedLevel: text('completed_level')
}, (t) => [
  // Open files only (a small share of all), with what the report counts of them: an index-only
  // scan answers open and overdue for any subtree (text_pattern_ops: a prefix LIKE under any collation).
  index('work_files_open').on(t.path.op('text_pattern_ops'), t.level, t.dueAt, t.openedAt, t.agency).where(sql`${t.closedAt} is null`),
  index('work_files_closed_at').on(t.closedAt, t.openedAt)
])

const rollupColumns = {
  level: text('level').notNull(),
  agency: text('agency').notNull(),
  path: text('path').notNull(),
  closed: integer('closed').notNull().default(0),
  online: integer('online').notNull().default(0)
}

/** Work files completed per (day in Viet Nam, level, agency), and of them fully online. */
export const dailyRollups = audit.table('daily_rollups', {
  day: date('day', { mode: 'string' }).notNull(),
  ...rollupColumns
}, (t) => [primaryKey({ columns: [t.day, t.level, t.agency] })])

/** The same per month (its first day): a year's report reads twelve rows per agency, not 365. */
export const monthlyRollups = audit.table('monthly_rollups', {
  month: date('month', { mode: 'string' }).notNull(),
  ...rollupColumns
}, (t) => [primaryKey({ columns: [t.month, t.level, t.agency] })])

export type WorkFileRow = typeof workFiles.$inferSelect
