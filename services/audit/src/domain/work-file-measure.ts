import { codeToSubjectTokens, REPORT_UTC_OFFSET_HOURS } from '@lienthong/contracts'

/**
 * What the measure needs of one work file, folded from its events. Folding is order-tolerant: an
 * event published again by an outbox sweep may come after later ones, so every field is either
 * set once (origin, opening, signatures), only ever grows (paper), or kept from the latest event
 * that set it (due date), and a completion is kept from the first 06.
 */
export interface WorkFileFacts {
  id: string
  agency: string
  path: string
  level: string | null
  origin: 'exchange' | 'dms' | null
  signaturesValid: boolean | null
  paper: boolean
  state: string | null
  openedAt: string | null
  dueAt: string | null
  dueSetAt: string | null
  closedAt: string | null
  completedAt: string | null
  completedLevel: string | null
}

/** The events of the ledger the measure reads; others leave work files alone. */
export type MeasureEvent =
  | { type: 'item.arrived', workFileId: string, agency: string, level: string | null, at: string, signaturesValid: boolean | null, dueAt: string | null }
  | { type: 'work-file.opened', workFileId: string, agency: string, level: string | null, at: string, channel: string, dueAt: string | null }
  | { type: 'work-file.step', workFileId: string, agency: string, level: string | null, at: string, origin: 'exchange' | 'dms', code: string, channel: string, state: string, closed: boolean, closedAt: string | null, dueAt: string | null, openedAt: string, paper: boolean }
  | { type: 'work-file.changed', workFileId: string, agency: string, level: string | null, at: string, dueAt: string | null }

const MEASURE_TYPES = new Set(['item.arrived', 'work-file.opened', 'work-file.step', 'work-file.changed'])

/** The event as the measure reads it, or undefined when it is not about a work file. */
export function measureEvent (event: unknown): MeasureEvent | undefined {
  if (typeof event !== 'object' || event === null) return undefined
  const e = event as Record<string, unknown>
  if (typeof e.type !== 'string' || !MEASURE_TYPES.has(e.type)) return undefined
  if (typeof e.workFileId !== 'string' || typeof e.agency !== 'string' || typeof e.at !== 'string') return undefined
  return e as unknown as MeasureEvent
}

export function emptyFacts (id: string, agency: string): WorkFileFacts {
  return {
    id, agency, path: codeToSubjectTokens(agency), level: null, origin: null, signaturesValid: null, paper: false,
    state: null, openedAt: null, dueAt: null, dueSetAt: null, closedAt: null, completedAt: null, completedLevel: null
  }
}

/** The facts after one more event (a new object; the one given is not changed). */
export function foldEvent (facts: WorkFileFacts, event: MeasureEvent): WorkFileFacts {
  const next = { ...facts }
  if (event.level !== null) next.level = event.level
  const setDue = (dueAt: string | null): void => {
    if (next.dueSetAt === null || Date.parse(event.at) >= Date.parse(next.dueSetAt)) {
      next.dueAt = dueAt
      next.dueSetAt = event.at
    }
  }
  switch (event.type) {
    case 'item.arrived':
      next.origin = 'exchange'
      next.signaturesValid = event.signaturesValid
      next.openedAt ??= event.at
      next.state ??= '01'
      if (next.dueSetAt === null) setDue(event.dueAt)
      break
    case 'work-file.opened':
      next.origin = 'dms'
      next.openedAt ??= event.at
      next.state ??= '03'
      if (event.channel === 'paper') next.paper = true
      if (next.dueSetAt === null) setDue(event.dueAt)
      break
    case 'work-file.step':
      next.origin ??= event.origin
      next.openedAt ??= event.openedAt
      if (event.paper || event.channel === 'paper') next.paper = true
      if (next.closedAt === null || Date.parse(event.at) >= Date.parse(next.closedAt)) next.state = event.state
      if (event.closed && next.closedAt === null) next.closedAt = event.closedAt ?? event.at
      if (event.code === '06' && next.completedAt === null) {
        next.completedAt = event.at
        next.completedLevel = event.level ?? next.level
      }
      setDue(event.dueAt)
      break
    case 'work-file.changed':
      setDue(event.dueAt)
      break
  }
  return next
}

/**
 * Fully online (DESIGN.md, "The measure"): the incoming document arrived through the exchange with
 * a valid signature, and no step was done on paper. A file the DMS opened itself never is.
 */
export function fullyOnline (facts: WorkFileFacts): boolean {
  return facts.origin === 'exchange' && facts.signaturesValid === true && !facts.paper
}

/** What a work file adds to the rollups: one completed file on a day, at a level, online or not. */
export interface Contribution {
  day: string
  level: string
  agency: string
  path: string
  online: boolean
}

export function contributionOf (facts: WorkFileFacts): Contribution | undefined {
  if (facts.completedAt === null) return undefined
  return {
    day: vietnamDay(facts.completedAt),
    level: facts.completedLevel ?? facts.level ?? 'unknown',
    agency: facts.agency,
    path: facts.path,
    online: fullyOnline(facts)
  }
}

/** The calendar day in Viet Nam (UTC+7, no daylight saving) of an instant, as YYYY-MM-DD. */
export function vietnamDay (instant: string): string {
  return new Date(Date.parse(instant) + REPORT_UTC_OFFSET_HOURS * 3_600_000).toISOString().slice(0, 10)
}

/** The instant a Viet Nam calendar day starts. */
export function vietnamDayStart (day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - REPORT_UTC_OFFSET_HOURS * 3_600_000)
}
