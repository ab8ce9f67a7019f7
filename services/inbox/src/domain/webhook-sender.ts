import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { FastifyBaseLogger } from 'fastify'
import { callWebhook } from './webhook-call.ts'
import { claimDueDeliveries, pruneDelivered, recordDelivered, recordFailure, type ClaimedDelivery } from './webhook-delivery-store.ts'
import { retryDelayMs, type RetrySchedule } from './webhook-retry.ts'
import type { TargetGuard } from './webhook-target.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

export interface SenderOptions {
  guard: TargetGuard
  schedule: RetrySchedule
  timeoutMs: number
  /** how often due deliveries are looked for when nothing wakes the sender */
  pollMs: number
  /** how many calls are made at once by this copy */
  concurrency?: number
  log: FastifyBaseLogger
}

/** Delivered calls are kept this long (to show and to drop a late repeat of the event), then forgotten. */
export const DELIVERED_KEPT_MS = 7 * 24 * 60 * 60_000
const PRUNE_EVERY_MS = 60_000

/**
 * Makes the webhook calls: takes due deliveries (several copies of the inbox share them, each
 * claim skipping the others' rows), calls at most `concurrency` at once, and records each outcome.
 * Woken by new deliveries and by each finished call; otherwise looks every `pollMs`.
 */
export class WebhookSender {
  readonly #db: Db
  readonly #opts: Required<SenderOptions>
  readonly #leaseMs: number
  readonly #inFlight = new Set<Promise<void>>()
  /** calls in flight per agency: one agency gets at most PER_AGENCY of the slots */
  readonly #busy = new Map<string, number>()
  readonly #stopping = new AbortController()
  #woken = false
  #wakeUp: (() => void) | undefined
  #loop: Promise<void> | undefined
  #prunedAt = 0

  constructor (db: Db, opts: SenderOptions) {
    this.#db = db
    this.#opts = { concurrency: 8, ...opts }
    // Longer than any call can take, so a call still running is never claimed twice.
    this.#leaseMs = 2 * opts.timeoutMs + 30_000
  }

  start (): void {
    this.#loop ??= this.#run()
  }

  /** Something may be due now: look without waiting for the next poll. */
  wake (): void {
    // Woken while claiming or calling, the sender looks again before it waits.
    if (this.#wakeUp !== undefined) this.#wakeUp()
    else this.#woken = true
  }

  /**
   * Stops claiming and aborts the calls in hand. Their outcome is not recorded: they stay claimed
   * until their lease is over and are then tried again, by whichever copy is running.
   */
  async stop (): Promise<void> {
    this.#stopping.abort()
    this.wake()
    await this.#loop
    await Promise.allSettled(this.#inFlight)
  }

  async #run (): Promise<void> {
    while (!this.#stopping.signal.aborted) {
      const free = this.#opts.concurrency - this.#inFlight.size
      if (free > 0) {
        try {
          const perAgency = Math.max(1, Math.floor(this.#opts.concurrency / 4))
          for (const delivery of await claimDueDeliveries(this.#db, free, this.#leaseMs, { perAgency, busy: this.#busy })) this.#begin(delivery)
          await this.#pruneNowAndThen()
        } catch (err) {
          this.#opts.log.warn({ err }, 'webhook deliveries could not be claimed; will look again')
        }
      }
      await this.#nextWake()
    }
  }

  #begin (delivery: ClaimedDelivery): void {
    this.#busy.set(delivery.agency, (this.#busy.get(delivery.agency) ?? 0) + 1)
    const attempt = this.#attempt(delivery)
      .catch((err: unknown) => { this.#opts.log.warn({ err, delivery: delivery.id, agency: delivery.agency }, 'webhook attempt not recorded; it is tried again after its lease') })
      .finally(() => {
        this.#inFlight.delete(attempt)
        const left = (this.#busy.get(delivery.agency) ?? 1) - 1
        if (left > 0) this.#busy.set(delivery.agency, left)
        else this.#busy.delete(delivery.agency)
        this.wake()
      })
    this.#inFlight.add(attempt)
  }

  async #attempt (delivery: ClaimedDelivery): Promise<void> {
    const outcome = await callWebhook(delivery, { id: delivery.eventId, body: JSON.stringify(delivery.body) },
      { guard: this.#opts.guard, timeoutMs: this.#opts.timeoutMs, signal: this.#stopping.signal })
    if (this.#stopping.signal.aborted) return
    if (outcome.ok) {
      await recordDelivered(this.#db, delivery.id, outcome.status)
      return
    }
    const state = await recordFailure(this.#db, delivery.id, {
      status: outcome.status,
      error: outcome.error,
      delayMs: retryDelayMs(this.#opts.schedule, delivery.attempts + 1),
      giveUpMs: this.#opts.schedule.giveUpMs
    })
    // The URL is not logged: a DMS may put a token of its own in it.
    const fields = { delivery: delivery.id, agency: delivery.agency, eventId: delivery.eventId, attempts: delivery.attempts + 1, status: outcome.status, error: outcome.error }
    if (state === 'dead') this.#opts.log.warn(fields, 'webhook delivery given up: it is in the dead-letter list')
    else this.#opts.log.info(fields, 'webhook call failed; will retry')
  }

  async #pruneNowAndThen (): Promise<void> {
    if (Date.now() - this.#prunedAt < PRUNE_EVERY_MS) return
    this.#prunedAt = Date.now()
    await pruneDelivered(this.#db, DELIVERED_KEPT_MS)
  }

  async #nextWake (): Promise<void> {
    if (this.#woken || this.#stopping.signal.aborted) {
      this.#woken = false
      return
    }
    await new Promise<void>((resolve) => {
      const done = (): void => { clearTimeout(timer); this.#wakeUp = undefined; resolve() }
      const timer = setTimeout(done, this.#opts.pollMs)
      this.#wakeUp = done
    })
  }
}
