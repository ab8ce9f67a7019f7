import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'

/**
 * The auditors' interface: the online-share report (DESIGN.md, "The measure") and the ledger's
 * verification. Periods are whole calendar days in Viet Nam (UTC+7), `from` and `to` included.
 */
export const REPORT_TIME_ZONE = 'Asia/Ho_Chi_Minh'
/** Viet Nam keeps no daylight saving time: a day there is always UTC+7. */
export const REPORT_UTC_OFFSET_HOURS = 7

export const ReportDate = z.iso.date()

export const REPORT_GROUPINGS = ['level', 'agency', 'month'] as const

export const OnlineShareQuery = z.object({
  from: ReportDate,
  to: ReportDate,
  /** the subtree to report on (an agency and everything under it); default: all the token may see */
  under: AgencyCode.optional(),
  /** `level` (always given), plus one row per agency (`agency`) or per month and level (`month`) */
  by: z.enum(REPORT_GROUPINGS).default('level'),
  format: z.enum(['json', 'csv']).default('json')
})
export type OnlineShareQuery = z.infer<typeof OnlineShareQuery>

/** Work files closed (06) in the period, of them fully online, and the share. */
export const ClosedFigures = z.object({
  closed: z.number().int(),
  online: z.number().int(),
  /** online / closed; null when nothing was closed */
  share: z.number().nullable()
})
export type ClosedFigures = z.infer<typeof ClosedFigures>

/** Beside the share: work files open at the end of the period (or now, if it has not ended), and of them overdue. */
export const OpenFigures = z.object({
  open: z.number().int(),
  overdue: z.number().int()
})

export const LevelFigures = ClosedFigures.extend(OpenFigures.shape).extend({ level: z.string() })
export type LevelFigures = z.infer<typeof LevelFigures>

export const AgencyFigures = ClosedFigures.extend(OpenFigures.shape).extend({
  code: AgencyCode,
  name: z.string(),
  /** the government level the agency's files counted at */
  level: z.string(),
  parent: AgencyCode.nullable(),
  /** the agency has agencies under it: a drill-down (`under=<code>`) shows them */
  hasChildren: z.boolean()
})
export type AgencyFigures = z.infer<typeof AgencyFigures>

export const MonthFigures = z.object({
  /** YYYY-MM */
  month: z.string(),
  levels: z.array(ClosedFigures.extend({ level: z.string() }))
})
export type MonthFigures = z.infer<typeof MonthFigures>

export const OnlineShareReport = z.object({
  from: ReportDate,
  to: ReportDate,
  under: AgencyCode.nullable(),
  /** the moment open and overdue files are counted at */
  openAt: z.iso.datetime({ offset: true }),
  levels: z.array(LevelFigures),
  agencies: z.array(AgencyFigures).optional(),
  months: z.array(MonthFigures).optional()
})
export type OnlineShareReport = z.infer<typeof OnlineShareReport>

/** What a checkpoint signs: the ledger up to and including entry `seq`, whose hash is `hash`. */
export const LedgerCheckpoint = z.object({
  ledger: z.literal('lienthong-audit-ledger'),
  seq: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.iso.datetime({ offset: true })
})
export type LedgerCheckpoint = z.infer<typeof LedgerCheckpoint>

export const LEDGER_BREAKS = [
  /** the entry's content no longer hashes to its recorded hash: the row was altered */
  'entry_altered',
  /** the entry's `prev` is not the previous entry's hash */
  'chain_broken',
  /** an entry is missing: sequence numbers jump */
  'entry_missing',
  /** a checkpoint's hash is not the hash of its entry, or its signature does not verify */
  'checkpoint_invalid'
] as const

export const LedgerBreak = z.object({
  seq: z.number().int(),
  eventId: z.string().nullable(),
  reason: z.enum(LEDGER_BREAKS),
  detail: z.string()
})
export type LedgerBreak = z.infer<typeof LedgerBreak>

export const LedgerVerification = z.object({
  ok: z.boolean(),
  /** entries read */
  entries: z.number().int(),
  lastSeq: z.number().int(),
  lastHash: z.string().nullable(),
  checkpoints: z.number().int(),
  /** the first entry that does not hold, or null */
  firstBroken: LedgerBreak.nullable(),
  verifiedAt: z.iso.datetime({ offset: true })
})
export type LedgerVerification = z.infer<typeof LedgerVerification>
