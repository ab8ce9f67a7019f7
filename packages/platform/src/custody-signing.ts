import type { NatsConnection } from '@nats-io/transport-node'
import {
  CUSTODY_SIGN_BATCH_MAX, CUSTODY_SIGN_SUBJECT, CustodySignResponse,
  type CustodySignItem, type CustodySignRequest, type CustodySignResult
} from '@lienthong/contracts'

/** The signatures service did not answer, or answered something unreadable: nothing was signed. */
export class CustodyUnavailableError extends Error {
  override readonly name = 'CustodyUnavailableError'
}

export interface CustodySignerOptions {
  /** how long one batch may wait for its answer */
  timeoutMs?: number
  /** items per request; more wait for the next request */
  batchMax?: number
}

interface Pending {
  item: CustodySignItem
  resolve: (result: CustodySignResult) => void
  reject: (error: Error) => void
}

/**
 * Asks `services/signatures` to sign for agencies in its custody. Calls made in the same turn of
 * the event loop travel as one request, so a fan-out or a burst of arrivals costs one round trip
 * per batch rather than one per signature.
 */
export class CustodySigner {
  readonly #nc: NatsConnection
  readonly #timeoutMs: number
  readonly #batchMax: number
  #queue: Pending[] = []
  #scheduled = false

  constructor (nc: NatsConnection, opts: CustodySignerOptions = {}) {
    this.#nc = nc
    this.#timeoutMs = opts.timeoutMs ?? 5_000
    const batchMax = opts.batchMax ?? CUSTODY_SIGN_BATCH_MAX
    if (!Number.isInteger(batchMax) || batchMax < 1) throw new RangeError('batchMax must be a positive integer')
    this.#batchMax = Math.min(batchMax, CUSTODY_SIGN_BATCH_MAX)
  }

  /** The signatures of one item, or the service's refusal; throws `CustodyUnavailableError` when it cannot be asked. */
  async sign (item: CustodySignItem): Promise<CustodySignResult> {
    return await new Promise<CustodySignResult>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => { this.#flush() })
      }
    })
  }

  #flush (): void {
    this.#scheduled = false
    const queue = this.#queue
    this.#queue = []
    for (let i = 0; i < queue.length; i += this.#batchMax) void this.#send(queue.slice(i, i + this.#batchMax))
  }

  async #send (batch: Pending[]): Promise<void> {
    const request: CustodySignRequest = { items: batch.map((p) => p.item) }
    let results: CustodySignResult[]
    try {
      const reply = await this.#nc.request(CUSTODY_SIGN_SUBJECT, JSON.stringify(request), { timeout: this.#timeoutMs })
      const parsed = CustodySignResponse.safeParse(reply.json())
      if (!parsed.success) throw new Error('unreadable answer from the signatures service')
      if ('error' in parsed.data) throw new Error(`the signatures service refused the batch: ${parsed.data.error}`)
      results = parsed.data.results
      if (results.length !== batch.length) throw new Error('the signatures service answered a different number of items')
    } catch (err) {
      const error = new CustodyUnavailableError(`custody signing is unavailable: ${(err as Error).message}`, { cause: err })
      for (const p of batch) p.reject(error)
      return
    }
    batch.forEach((p, i) => { p.resolve(results[i]!) })
  }
}
