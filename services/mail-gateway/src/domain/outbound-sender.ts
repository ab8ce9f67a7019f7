import { setTimeout as sleep } from 'node:timers/promises'
import nodemailer, { type Transporter } from 'nodemailer'
import type Mail from 'nodemailer/lib/mailer'
import type { FastifyBaseLogger } from 'fastify'
import type { Sql } from 'postgres'
import { claimDueMails, markFailed, markRetry, markSent, type QueuedMail } from './outbound-queue.ts'

export interface OutboundSenderOptions {
  sql: Sql
  relayUrl: string
  /** the whole message of a queued mail */
  message: (mail: QueuedMail) => Promise<Mail.Options>
  concurrency: number
  retryMs: number
  retryMaxMs: number
  pollMs: number
  leaseMs: number
  log: FastifyBaseLogger
  onOutcome?: (outcome: 'sent' | 'retry' | 'failed', mail: QueuedMail) => void
}

/**
 * A relay's answer that will not change by trying again: a 5xx about this mail (its recipient at
 * RCPT TO, its content at DATA). A 5xx at the greeting, the login or MAIL FROM says the gateway's
 * settings are wrong, which an operator mends; every mail would fail for good meanwhile, so those
 * are retried.
 */
function permanent (err: unknown): boolean {
  const { responseCode: code, command } = err as { responseCode?: number, command?: string }
  return typeof code === 'number' && code >= 500 && code < 600 && (command === 'RCPT TO' || command === 'DATA')
}

/**
 * Sends what the queue holds through the relay. A mail is marked sent only once the relay took it
 * (250), so a relay that is down, slow or refusing for a while (4xx, no connection) means a later
 * try, never a lost mail; a crash between the relay's 250 and the mark sends it once more with
 * the same Message-ID, which receivers use to drop the repeat (docs/decisions/023).
 */
export class OutboundSender {
  readonly #opts: OutboundSenderOptions
  readonly #transport: Transporter
  #running = true
  /** set by nudge() and stop(): the loop looks again instead of sleeping, whenever it was told */
  #nudged = false
  #wake: (() => void) | undefined
  #loop: Promise<void> | undefined

  constructor (opts: OutboundSenderOptions) {
    this.#opts = opts
    this.#transport = nodemailer.createTransport(opts.relayUrl, {
      pool: true,
      maxConnections: opts.concurrency,
      maxMessages: Infinity,
      // a relay that does not answer is a retry, not a queue stuck behind one connection
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000
    } as never)
  }

  start (): void {
    this.#loop = this.#run()
  }

  /** New mail was queued: look now rather than at the next poll. */
  nudge (): void {
    this.#nudged = true
    this.#wake?.()
  }

  async stop (): Promise<void> {
    this.#running = false
    this.#nudged = true
    this.#wake?.()
    await this.#loop
    this.#transport.close()
  }

  async #run (): Promise<void> {
    const { sql, concurrency, leaseMs, pollMs, log } = this.#opts
    while (this.#running) {
      this.#nudged = false
      let due: QueuedMail[] = []
      try {
        due = await claimDueMails(sql, concurrency * 4, leaseMs)
      } catch (err) {
        log.warn({ err }, 'the outbound queue cannot be read; trying again')
      }
      if (due.length === 0) {
        // told while reading the queue: look again at once
        if (this.#nudged) continue
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs)
          this.#wake = () => { clearTimeout(timer); resolve() }
        })
        this.#wake = undefined
        continue
      }
      const inFlight = new Set<Promise<void>>()
      for (const mail of due) {
        const p = this.#sendOne(mail).finally(() => inFlight.delete(p))
        inFlight.add(p)
        if (inFlight.size >= concurrency) await Promise.race(inFlight)
      }
      await Promise.all(inFlight)
    }
  }

  async #sendOne (mail: QueuedMail): Promise<void> {
    const { sql, log } = this.#opts
    try {
      const message = await this.#opts.message(mail)
      await this.#transport.sendMail(message)
    } catch (err) {
      const text = String((err as Error)?.message ?? err)
      try {
        if (permanent(err)) {
          await markFailed(sql, mail.id, text)
          log.warn({ messageId: mail.messageId, to: mail.toAddress, err: text }, 'the relay refused a mail for good')
          this.#opts.onOutcome?.('failed', mail)
        } else {
          const delay = this.#retryDelay(mail.attempts)
          await markRetry(sql, mail.id, delay, text)
          log.info({ messageId: mail.messageId, attempts: mail.attempts, retryInMs: delay, err: text }, 'a mail did not go; will retry')
          this.#opts.onOutcome?.('retry', mail)
        }
      } catch (markErr) {
        // the lease runs out and the mail is tried again
        log.warn({ err: markErr }, 'could not record a failed try')
      }
      return
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await markSent(sql, mail.id)
        break
      } catch (err) {
        // The relay has it: keep trying to record that, or the lease ends and it goes twice.
        if (attempt >= 20 || !this.#running) { log.error({ err, messageId: mail.messageId }, 'a sent mail could not be marked sent'); break }
        await sleep(Math.min(5_000, 100 * 2 ** attempt))
      }
    }
    this.#opts.onOutcome?.('sent', mail)
  }

  #retryDelay (attempts: number): number {
    const { retryMs, retryMaxMs } = this.#opts
    const base = Math.min(retryMaxMs, retryMs * 2 ** Math.min(Math.max(attempts - 1, 0), 20))
    // a little spread, so mails that failed together do not all come back in one burst
    return Math.round(base * (0.9 + Math.random() * 0.2))
  }
}
