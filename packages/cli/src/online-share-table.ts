import { REPORT_UTC_OFFSET_HOURS, type AgencyFigures, type ClosedFigures, type OnlineShareReport } from '@lienthong/contracts'

/** The levels' names as a Vietnamese report writes them. */
export const LEVEL_NAMES: Record<string, string> = {
  province: 'Cấp tỉnh',
  district: 'Cấp huyện',
  commune: 'Cấp xã',
  village: 'Thôn, tổ dân phố'
}

const count = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 })
const percent = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** 97,40 % as written in Viet Nam (decimal comma); a dash where nothing was closed. */
export function formatShare (share: number | null): string {
  return share === null ? '–' : `${percent.format(share * 100)} %`
}

/** 12.345 as written in Viet Nam. */
export function formatCount (n: number): string {
  return count.format(n)
}

/** dd/mm/yyyy, the way dates are written on Vietnamese official documents. */
export function formatDate (isoDate: string): string {
  const [y, m, d] = isoDate.split('-')
  return `${d}/${m}/${y}`
}

/** A moment as a Vietnamese reader reads it: dd/mm/yyyy hh:mm, Viet Nam time (UTC+7, no daylight saving). */
export function formatMoment (iso: string): string {
  const local = new Date(Date.parse(iso) + REPORT_UTC_OFFSET_HOURS * 3_600_000).toISOString()
  return `${formatDate(local.slice(0, 10))} ${local.slice(11, 16)}`
}

const FIGURE_HEAD = ['Hoàn thành', 'Trực tuyến', 'Tỷ lệ', 'Đang xử lý', 'Quá hạn']
const closedCells = (f: ClosedFigures): string[] => [formatCount(f.closed), formatCount(f.online), formatShare(f.share)]

/**
 * The online-share report as tables for a terminal: per level (closed in the period, of them
 * fully online, the share, open and overdue now), then per agency or per month when asked.
 */
export function onlineShareTable (report: OnlineShareReport): string {
  const out: string[] = []
  out.push(`Tỷ lệ hồ sơ công việc xử lý trực tuyến toàn trình, ${formatDate(report.from)} – ${formatDate(report.to)}${report.under !== null ? `, thuộc ${report.under}` : ''}`)
  out.push(`(hoàn thành trong kỳ; đang xử lý và quá hạn tính đến ${formatMoment(report.openAt)} giờ Việt Nam)`, '')
  out.push(table(['Cấp', ...FIGURE_HEAD], report.levels.map((l) => [LEVEL_NAMES[l.level] ?? l.level, ...closedCells(l), formatCount(l.open), formatCount(l.overdue)]), 1))
  if (report.agencies !== undefined) {
    out.push('', table(['Mã định danh', 'Cơ quan', 'Cấp', ...FIGURE_HEAD], report.agencies.map((a: AgencyFigures) =>
      [a.code, a.name, LEVEL_NAMES[a.level] ?? a.level, ...closedCells(a), formatCount(a.open), formatCount(a.overdue)]), 3))
  }
  if (report.months !== undefined) {
    const rows = report.months.flatMap((m) => m.levels.map((l) => [m.month, LEVEL_NAMES[l.level] ?? l.level, ...closedCells(l)]))
    out.push('', table(['Tháng', 'Cấp', ...FIGURE_HEAD.slice(0, 3)], rows, 2))
  }
  return out.join('\n')
}

/** Columns padded to their widest cell: the first `textColumns` to the left, the figures after them to the right. */
function table (head: string[], rows: string[][], textColumns: number): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => i < textColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join('  ').trimEnd()
  return [line(head), ...rows.map(line)].join('\n') + '\n'
}
