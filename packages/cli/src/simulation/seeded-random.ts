/**
 * A small seeded generator (mulberry32): a simulation run is reproducible from its seed, and
 * Math.random cannot be seeded. Not for anything secret.
 */
export class SeededRandom {
  private state: number

  constructor (seed: number | string) {
    this.state = typeof seed === 'number' ? seed >>> 0 : hashSeed(seed)
  }

  /** a float in [0, 1) */
  next (): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** an integer in [min, max] */
  int (min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance (p: number): boolean {
    return this.next() < p
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new Error('nothing to pick from')
    return items[Math.floor(this.next() * items.length)]!
  }

  /** `n` distinct items (all of them if there are fewer) */
  sample<T> (items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, Math.min(n, items.length))
  }

  /** the index of a weight, drawn in proportion to the weights */
  weighted (weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0)
    let x = this.next() * total
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!
      if (x < 0) return i
    }
    return weights.length - 1
  }

  /** a shuffled copy (Fisher–Yates) */
  shuffle<T> (items: readonly T[]): T[] {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
    }
    return copy
  }
}

/** FNV-1a, so that `--seed laocai` is a seed as good as a number. */
function hashSeed (text: string): number {
  let h = 0x811c9dc5
  for (const ch of text) {
    h ^= ch.codePointAt(0)!
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}
