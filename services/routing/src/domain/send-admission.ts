import type { RoutingContext } from '../context.ts'

/**
 * How many sends routing takes on at once. Beyond it a send is refused at the door (503, retry
 * with the same Idempotency-Key) before anything is stored: an exchange offered more than it can
 * sign and store would otherwise hold every waiting request, and its memory and every sender's
 * wait would grow without bound instead of some senders being asked to come back.
 */
export class SendAdmission {
  readonly #max: number
  #inFlight = 0

  constructor (max: number) {
    this.#max = max
  }

  get inFlight (): number {
    return this.#inFlight
  }

  async admit<T> (fail: RoutingContext['fail'], send: () => Promise<T>): Promise<T> {
    if (this.#inFlight >= this.#max) {
      throw fail('UNAVAILABLE', `routing is taking ${this.#max} sends at once, its limit; nothing was stored: retry in a moment with the same Idempotency-Key`)
    }
    this.#inFlight++
    try {
      return await send()
    } finally {
      this.#inFlight--
    }
  }
}
