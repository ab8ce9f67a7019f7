/**
 * Zero-padded code parts with the ranges the seeds use (see DESIGN.md, "Agency code"):
 * departments take 01–29 of level 2 and districts 31–99, communes 01–99, villages 001–999.
 * A number outside its range would silently produce a wrong or colliding code, so it throws.
 */

export const DEPARTMENT_SLOTS = { first: 1, last: 29 } as const
export const DISTRICT_SLOTS = { first: 31, last: 99 } as const
export const COMMUNE_SLOTS = { first: 1, last: 99 } as const
export const VILLAGE_SLOTS = { first: 1, last: 999 } as const

type Slots = { first: number, last: number }

/** The code part for the `index`-th (0-based) unit in `slots`, e.g. district 0 → "31". */
export function slotPart (slots: Slots, index: number, width: 2 | 3, what: string): string {
  const n = slots.first + index
  if (n > slots.last) {
    const room = slots.last - slots.first + 1
    throw new Error(`${what}: unit #${index + 1} does not fit, the code has room for ${room} (numbers ${slots.first}–${slots.last})`)
  }
  return String(n).padStart(width, '0')
}
