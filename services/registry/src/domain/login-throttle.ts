/**
 * Slows down guessing: each client id and each address that keeps failing waits longer before its
 * answer, and past a limit is refused outright for a while. Kept per process, which is enough to
 * make guessing slow; a successful request clears the client's count.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, { count: number, first: number }>()
  readonly #windowMs: number
  readonly #lockAfter: number
  readonly #maxDelayMs: number

  constructor (opts: { windowMs?: number, lockAfter?: number, maxDelayMs?: number } = {}) {
    this.#windowMs = opts.windowMs ?? 15 * 60_000
    this.#lockAfter = opts.lockAfter ?? 10
    this.#maxDelayMs = opts.maxDelayMs ?? 5_000
  }

  #count (key: string, now: number): number {
    const entry = this.#failures.get(key)
    if (entry === undefined || now - entry.first > this.#windowMs) return 0
    return entry.count
  }

  /** Seconds to wait before trying again, when these keys failed too often; otherwise 0. */
  lockedFor (keys: string[], now = Date.now()): number {
    let wait = 0
    for (const key of keys) {
      const entry = this.#failures.get(key)
      if (entry !== undefined && this.#count(key, now) >= this.#lockAfter) {
        wait = Math.max(wait, Math.ceil((entry.first + this.#windowMs - now) / 1000))
      }
    }
    return wait
  }

  /** Records a failure and returns how long to hold the answer: nothing for the first three, then doubling up to the maximum. */
  fail (keys: string[], now = Date.now()): number {
    let worst = 0
    for (const key of keys) {
      const count = this.#count(key, now) + 1
      const first = count === 1 ? now : this.#failures.get(key)!.first
      this.#failures.set(key, { count, first })
      worst = Math.max(worst, count)
    }
    if (this.#failures.size > 100_000) this.#prune(now)
    return worst <= 3 ? 0 : Math.min(this.#maxDelayMs, 100 * 2 ** (worst - 4))
  }

  succeed (key: string): void {
    this.#failures.delete(key)
  }

  #prune (now: number): void {
    for (const [key, entry] of this.#failures) if (now - entry.first > this.#windowMs) this.#failures.delete(key)
  }
}
