import type { Sql } from 'postgres'
import { GOVERNMENT_LEVELS, codeToSubjectTokens, subtreeTokenPrefix, type AgencyFigures, type ClosedFigures, type DirectoryEntry, type LevelFigures, type MonthFigures, type OnlineShareReport } from '@lienthong/contracts'
import { monthsOf, periodParts, type PeriodParts } from './report-period.ts'

export interface ReportRequest {
  from: string
  to: string
  /** the subtree's root, or null for everything */
  under: string | null
  by: 'level' | 'agency' | 'month'
}

export interface DirectoryView {
  get: (code: string) => DirectoryEntry | undefined
  values: () => Iterable<DirectoryEntry>
}

interface ClosedRow { key: string, level: string, closed: number, online: number }
interface OpenRow { key: string, level: string, open: number, overdue: number }

/**
 * The measure (DESIGN.md): per level, work files completed in the period and of them fully online,
 * from the rollups; beside it the files open at the period's end (or now, if it has not ended) and
 * of them overdue, from the work files. `by` adds rows per agency (its own files) or per month.
 */
export async function onlineShareReport (sql: Sql, directory: DirectoryView, req: ReportRequest, now = new Date()): Promise<OnlineShareReport> {
  const prefix = req.under === null ? '' : subtreeTokenPrefix(req.under)
  const parts = periodParts(req.from, req.to)
  const openAt = parts.endsAt < now ? parts.endsAt : now
  const [closedByLevel, openByLevel] = await Promise.all([closedRows(sql, prefix, parts, 'level'), openRows(sql, prefix, openAt, 'level')])
  const levels = orderLevels(new Set([...levelsIn(directory, prefix), ...closedByLevel.map((r) => r.level), ...openByLevel.map((r) => r.level)]))
    .map((level): LevelFigures => ({ level, ...closedOf(closedByLevel.find((r) => r.level === level)), ...openOf(openByLevel.find((r) => r.level === level)) }))
  const report: OnlineShareReport = { from: req.from, to: req.to, under: req.under, openAt: openAt.toISOString(), levels }
  if (req.by === 'agency') report.agencies = await agencyFigures(sql, directory, prefix, parts, openAt)
  if (req.by === 'month') report.months = await monthFigures(sql, prefix, req)
  return report
}

export function shareOf (closed: number, online: number): number | null {
  return closed === 0 ? null : online / closed
}

function closedOf (row: { closed: number, online: number } | undefined): ClosedFigures {
  const closed = row?.closed ?? 0
  const online = row?.online ?? 0
  return { closed, online, share: shareOf(closed, online) }
}

function openOf (row: OpenRow | undefined): { open: number, overdue: number } {
  return { open: row?.open ?? 0, overdue: row?.overdue ?? 0 }
}

/** The four tiers in their order, then any other level the data holds. */
function orderLevels (found: Set<string>): string[] {
  const known = GOVERNMENT_LEVELS.filter((l) => found.has(l))
  return [...known, ...[...found].filter((l) => !(GOVERNMENT_LEVELS as readonly string[]).includes(l)).sort()]
}

function levelsIn (directory: DirectoryView, prefix: string): Set<string> {
  const levels = new Set<string>()
  for (const a of directory.values()) if (codeToSubjectTokens(a.code).startsWith(prefix)) levels.add(a.level)
  return levels
}

const EMPTY = { from: '1970-01-01', to: '1970-01-01' }

/** Completed and fully online per level, or per agency and level, over the period. */
async function closedRows (sql: Sql, prefix: string, parts: PeriodParts, by: 'level' | 'agency'): Promise<ClosedRow[]> {
  const key = by === 'level' ? sql`level` : sql`agency`
  const months = parts.months ?? EMPTY
  const [a = EMPTY, b = EMPTY] = parts.days
  const rows = await sql<Array<{ key: string, level: string, closed: string, online: string }>>`
    select ${key} as key, level, sum(closed) as closed, sum(online) as online from (
      select agency, level, closed, online from audit.monthly_rollups
        where month >= ${months.from} and month < ${months.to} and path like ${prefix + '%'}
      union all
      select agency, level, closed, online from audit.daily_rollups
        where ((day >= ${a.from} and day < ${a.to}) or (day >= ${b.from} and day < ${b.to})) and path like ${prefix + '%'}
    ) r group by ${key}, level`
  return rows.map((r) => ({ key: r.key, level: r.level, closed: Number(r.closed), online: Number(r.online) }))
}

/**
 * Work files open at `at` (opened before, not closed by then), and of them past their due time: the
 * files still open (a small partial index) plus those closed since `at` (few, for a recent period).
 */
async function openRows (sql: Sql, prefix: string, at: Date, by: 'level' | 'agency'): Promise<OpenRow[]> {
  const key = by === 'level' ? sql`coalesce(level, 'unknown')` : sql`agency`
  const t = at.toISOString()
  const like = prefix + '%'
  return await sql<OpenRow[]>`
    select ${key} as key, coalesce(level, 'unknown') as level, count(*)::int as open, (count(*) filter (where due_at < ${t}::timestamptz))::int as overdue
    from (
      select agency, level, due_at from audit.work_files
        where closed_at is null and path like ${like} and opened_at < ${t}::timestamptz
      union all
      select agency, level, due_at from audit.work_files
        where closed_at >= ${t}::timestamptz and opened_at < ${t}::timestamptz and path like ${like}
    ) f
    group by 1, 2`
}

async function agencyFigures (sql: Sql, directory: DirectoryView, prefix: string, parts: PeriodParts, openAt: Date): Promise<AgencyFigures[]> {
  const [closed, open] = await Promise.all([closedRows(sql, prefix, parts, 'agency'), openRows(sql, prefix, openAt, 'agency')])
  const rows = new Map<string, AgencyFigures>()
  const row = (code: string, level: string): AgencyFigures => {
    const k = `${code}|${level}`
    let r = rows.get(k)
    if (r === undefined) {
      const entry = directory.get(code)
      r = { code, name: entry?.name ?? code, level, parent: entry?.parent ?? null, hasChildren: false, closed: 0, online: 0, share: null, open: 0, overdue: 0 }
      rows.set(k, r)
    }
    return r
  }
  for (const c of closed) Object.assign(row(c.key, c.level), { closed: c.closed, online: c.online, share: shareOf(c.closed, c.online) })
  for (const o of open) Object.assign(row(o.key, o.level), { open: o.open, overdue: o.overdue })
  const parents = new Set<string>()
  for (const a of directory.values()) if (a.parent !== null) parents.add(a.parent)
  return [...rows.values()]
    .map((r) => ({ ...r, hasChildren: parents.has(r.code) }))
    .sort((x, y) => codeToSubjectTokens(x.code).localeCompare(codeToSubjectTokens(y.code)) || x.level.localeCompare(y.level))
}

/** Per month the period touches and per level: completed and fully online (a month cut by the period counts only its days inside). */
async function monthFigures (sql: Sql, prefix: string, req: ReportRequest): Promise<MonthFigures[]> {
  const parts = periodParts(req.from, req.to)
  const months = parts.months ?? EMPTY
  const [a = EMPTY, b = EMPTY] = parts.days
  const rows = await sql<Array<{ month: string, level: string, closed: string, online: string }>>`
    select to_char(month, 'YYYY-MM') as month, level, sum(closed) as closed, sum(online) as online from (
      select month, level, closed, online from audit.monthly_rollups
        where month >= ${months.from} and month < ${months.to} and path like ${prefix + '%'}
      union all
      select date_trunc('month', day)::date as month, level, closed, online from audit.daily_rollups
        where ((day >= ${a.from} and day < ${a.to}) or (day >= ${b.from} and day < ${b.to})) and path like ${prefix + '%'}
    ) r group by 1, 2`
  const levels = orderLevels(new Set(rows.map((r) => r.level)))
  return monthsOf(req.from, req.to).map((month) => ({
    month,
    levels: levels.map((level) => ({ level, ...closedOf(((r) => r === undefined ? undefined : { closed: Number(r.closed), online: Number(r.online) })(rows.find((r) => r.month === month && r.level === level))) }))
  }))
}
