import type { Contribution } from './work-file-measure.ts'

/** A change to one rollup row: files completed on that day, at that level, by that agency. */
export interface RollupDelta {
  day: string
  level: string
  agency: string
  path: string
  closed: number
  online: number
}

/**
 * The rollup changes that turn `before` contributions into `after` ones, summed per row. A file
 * whose contribution moved (its arrival's signature check came after its completion, say) is
 * taken out of its old row and put into its new one, so the rollups always equal a recount.
 */
export class RollupDeltas {
  readonly #rows = new Map<string, RollupDelta>()

  change (before: Contribution | undefined, after: Contribution | undefined): void {
    if (sameContribution(before, after)) return
    if (before !== undefined) this.#add(before, -1)
    if (after !== undefined) this.#add(after, 1)
  }

  /** The rows that change, without those whose changes cancelled out. */
  rows (): RollupDelta[] {
    return [...this.#rows.values()].filter((r) => r.closed !== 0 || r.online !== 0)
  }

  #add (c: Contribution, sign: 1 | -1): void {
    const key = `${c.day}|${c.level}|${c.agency}`
    let row = this.#rows.get(key)
    if (row === undefined) {
      row = { day: c.day, level: c.level, agency: c.agency, path: c.path, closed: 0, online: 0 }
      this.#rows.set(key, row)
    }
    row.closed += sign
    if (c.online) row.online += sign
  }
}

function sameContribution (a: Contribution | undefined, b: Contribution | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.day === b.day && a.level === b.level && a.agency === b.agency && a.online === b.online
}
