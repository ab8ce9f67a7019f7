import type { NatsConnection } from '@nats-io/transport-node'
import {
  CUSTODY_SIGN_BATCH_MAX, CUSTODY_SIGN_SUBJECT, CustodySignResponse,
  type CustodySignItem, type CustodySignResult
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

/** Well under nats-server's default max_payload (1 MiB), so one request always fits. */
export const CUSTODY_SIGN_BATCH_BYTES = 512 * 1024

interface Pending {
  item: CustodySignItem
  /** the item's JSON, made once: it sizes the batch and becomes part of the request */
  text: string
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
      this.#queue.push({ item, text: JSON.stringify(item), resolve, reject })
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
    let batch: Pending[] = []
    let bytes = 0
    for (const p of queue) {
      if (batch.length > 0 && (batch.length === this.#batchMax || bytes + p.text.length > CUSTODY_SIGN_BATCH_BYTES)) {
        void this.#send(batch)
        batch = []
        bytes = 0
      }
      batch.push(p)
      bytes += p.text.length + 1
    }
    if (batch.length > 0) void this.#send(batch)
  }

  async #send (batch: Pending[]): Promise<void> {
    // The same text JSON.stringify would make of `{ items }`, from the items' own.
    const request = `{"items":[${batch.map((p) => p.text).join(',')}]}`
    let results: CustodySignResult[]
    try {
      const reply = await this.#nc.request(CUSTODY_SIGN_SUBJECT, request, { timeout: this.#timeoutMs })
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
