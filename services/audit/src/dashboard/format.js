// How the dashboard writes its figures, and what it knows of agency codes. Pure functions, no DOM:
// the page uses them, and the browser test imports them to expect exactly what the page shows.

/** The government levels' names as an auditor reads them; a level not listed shows as its key. */
export const LEVEL_LABELS = { province: 'Tỉnh', district: 'Huyện', commune: 'Xã', village: 'Thôn' }

export function levelLabel (level) {
  return LEVEL_LABELS[level] ?? level
}

/** A share (0…1) as a Vietnamese percent with two decimals, "97,40 %"; nothing closed is "—". */
export function formatShare (share) {
  if (share === null || share === undefined) return '—'
  const hundredths = Math.round(share * 10000)
  const whole = Math.trunc(hundredths / 100)
  const cents = String(hundredths % 100).padStart(2, '0')
  return `${formatCount(whole)},${cents} %`
}

/** A count with Vietnamese digit grouping: 1562 is "1.562". */
export function formatCount (n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.')
}

const CODE = /^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})$/

export function isAgencyCode (code) {
  return CODE.test(code)
}

/** The parent's code: the most specific non-zero part zeroed (QCVN 102:2016); null at level 1. */
export function parentCode (code) {
  const m = CODE.exec(code)
  if (m === null) return null
  const [, village, commune, district, top] = m
  if (village !== '000') return `000.${commune}.${district}.${top}`
  if (commune !== '00') return `000.00.${district}.${top}`
  if (district !== '00') return `000.00.00.${top}`
  return null
}

/** The codes from the top down to `code`, itself included. */
export function lineage (code) {
  const chain = []
  for (let c = code; c !== null; c = parentCode(c)) chain.unshift(c)
  return chain
}

// Report periods are calendar days in Viet Nam (UTC+7, no daylight saving time), wherever the
// auditor's browser is: at 20:00 UTC it is already tomorrow there.
const VIET_NAM_OFFSET_MS = 7 * 3600 * 1000

/** The day it is in Viet Nam at `now`, as YYYY-MM-DD. */
export function vietnamDate (now) {
  return new Date(now.getTime() + VIET_NAM_OFFSET_MS).toISOString().slice(0, 10)
}

/** The default period: this year in Viet Nam, from 1 January to today. */
export function defaultPeriod (now) {
  const today = vietnamDate(now)
  return { from: `${today.slice(0, 4)}-01-01`, to: today }
}

/** "2026-03" as "03/2026", the way months are written in Vietnamese reports. */
export function monthLabel (month) {
  const [y, m] = month.split('-')
  return `${m}/${y}`
}
