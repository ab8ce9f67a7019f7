/**
 * How many villages each commune gets when only the province's total is known (the GSO list
 * stops at communes). Commune i gets ⌊(i+1)·n/c⌋ − ⌊i·n/c⌋, i.e. ⌊n/c⌋ or one more, with the
 * extra ones spaced evenly along the list instead of all landing in the first district.
 * No randomness: two runs give the same directory, so codes are stable between seedings.
 */
export function spreadVillages (total: number, communes: number): number[] {
  if (!Number.isInteger(total) || total < 0) throw new Error(`village count must be a whole number ≥ 0, got ${total}`)
  if (communes === 0) {
    if (total > 0) throw new Error(`cannot place ${total} villages: the province has no communes`)
    return []
  }
  const counts: number[] = []
  for (let i = 0; i < communes; i++) {
    counts.push(Math.floor((i + 1) * total / communes) - Math.floor(i * total / communes))
  }
  return counts
}
