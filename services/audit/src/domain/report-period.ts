import { vietnamDayStart } from './work-file-measure.ts'

/**
 * A report period cut into what the rollups can answer cheaply: whole months from the monthly
 * rollups, the days before the first and after the last whole month from the daily ones.
 */
export interface PeriodParts {
  /** whole months [from, to), their first days; absent when the period holds none */
  months?: { from: string, to: string }
  /** day ranges [from, to) */
  days: Array<{ from: string, to: string }>
  /** the instant the period ends (the start of the day after `to`, in Viet Nam) */
  endsAt: Date
}

export function periodParts (from: string, to: string): PeriodParts {
  const end = nextDay(to)
  const firstWhole = from.endsWith('-01') ? from : firstOfNextMonth(from)
  const afterWhole = end.endsWith('-01') ? end : `${end.slice(0, 7)}-01`
  const endsAt = vietnamDayStart(end)
  if (firstWhole >= afterWhole) return { days: [{ from, to: end }], endsAt }
  const days = [{ from, to: firstWhole }, { from: afterWhole, to: end }].filter((d) => d.from < d.to)
  return { months: { from: firstWhole, to: afterWhole }, days, endsAt }
}

/** Every month the period touches, as YYYY-MM. */
export function monthsOf (from: string, to: string): string[] {
  const months: string[] = []
  for (let m = `${from.slice(0, 7)}-01`; m <= to; m = firstOfNextMonth(m)) months.push(m.slice(0, 7))
  return months
}

export function nextDay (day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}

function firstOfNextMonth (day: string): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`)
  d.setUTCMonth(d.getUTCMonth() + 1)
  return d.toISOString().slice(0, 10)
}
