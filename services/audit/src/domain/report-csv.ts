import type { OnlineShareReport } from '@lienthong/contracts'

/**
 * The report as CSV (RFC 4180) for a spreadsheet: the per-level table, then per agency or per month
 * when asked for, each under a header line. UTF-8 with a byte-order mark, which is how spreadsheet
 * programs know the agency names are Vietnamese and not Latin-1.
 */
export function reportCsv (report: OnlineShareReport): string {
  const lines: string[][] = [['level', 'closed', 'online', 'share_percent', 'open', 'overdue']]
  for (const l of report.levels) lines.push([l.level, String(l.closed), String(l.online), percent(l.share), String(l.open), String(l.overdue)])
  if (report.agencies !== undefined) {
    lines.push([], ['code', 'name', 'level', 'parent', 'closed', 'online', 'share_percent', 'open', 'overdue'])
    for (const a of report.agencies) lines.push([a.code, a.name, a.level, a.parent ?? '', String(a.closed), String(a.online), percent(a.share), String(a.open), String(a.overdue)])
  }
  if (report.months !== undefined) {
    lines.push([], ['month', 'level', 'closed', 'online', 'share_percent'])
    for (const m of report.months) for (const l of m.levels) lines.push([m.month, l.level, String(l.closed), String(l.online), percent(l.share)])
  }
  return '\uFEFF' + lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

/** A share as a percentage with two decimals (97.40), empty when nothing was closed. */
export function percent (share: number | null): string {
  return share === null ? '' : (share * 100).toFixed(2)
}

function csvCell (value: string): string {
  // A leading = + - @ would make a spreadsheet run the cell as a formula (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}
