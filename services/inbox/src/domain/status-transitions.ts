import type { StatusCode } from '@lienthong/contracts'

/**
 * The steps a recipient may record next, from each state: arrived (01) is accepted (03) or refused
 * (02); an accepted document is assigned (04), worked on (05) and completed (06). A recall
 * requested (13) is agreed (15) or refused (16).
 */
export const NEXT_STEPS: Readonly<Record<StatusCode, readonly StatusCode[]>> = {
  '01': ['02', '03'],
  '02': [],
  '03': ['04', '05', '06'],
  '04': ['05', '06'],
  '05': ['06'],
  '06': [],
  '13': ['15', '16'],
  '15': [],
  '16': []
}

export function allowedNext (state: StatusCode): readonly StatusCode[] {
  return NEXT_STEPS[state]
}

/** The answers to a recall: they never change an item's work state. */
export const RECALL_ANSWERS: readonly StatusCode[] = ['15', '16']

/**
 * An item's two states: the work (`state`, 01…06) and the sender's recall beside it, so that a
 * refused recall (16) leaves the work exactly where it was.
 */
export interface ItemStates {
  state: string
  recallRequestedAt: Date | null
  recallAnswer: string | null
}

export type NextSteps = { withdrawn: true } | { withdrawn: false, allowed: readonly StatusCode[] }

/**
 * What the recipient may record next. A withdrawn item (recall agreed) takes nothing more; while a
 * recall waits for its answer the work pauses and only 15 or 16 is allowed; otherwise the work
 * goes on from its state.
 */
export function nextSteps (item: ItemStates): NextSteps {
  if (item.recallAnswer === '15') return { withdrawn: true }
  if (item.recallRequestedAt !== null && item.recallAnswer === null) return { withdrawn: false, allowed: NEXT_STEPS['13'] }
  return { withdrawn: false, allowed: NEXT_STEPS[item.state as StatusCode] ?? [] }
}

/**
 * A recall takes effect at once, answered 15 by the exchange for the recipient, where the
 * recipient has not taken the document in: it only arrived (01) or was refused (02). An accepted
 * one (03…06) is in someone's hands, so the recipient's DMS answers.
 */
export function recallTakesEffectAtOnce (state: string): boolean {
  return state === '01' || state === '02'
}
