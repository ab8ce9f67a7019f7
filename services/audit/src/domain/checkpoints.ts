import type { Sql } from 'postgres'
import type { FastifyBaseLogger } from 'fastify'
import type { LedgerCheckpoint } from '@lienthong/contracts'
import type { CustodySigner } from '@lienthong/platform'
import type { LedgerHead } from './ledger-append.ts'

export interface CheckpointPolicy {
  /** sign after this many new entries … */
  every: number
  /** … or when entries are waiting and this long has passed */
  intervalMs: number
  /** the agency whose custody key signs (the one that answers for the ledger) */
  agency: string
}

/**
 * Signs the ledger's head now and then through the signatures service, so that rewriting the
 * chain (altering a row and every hash after it) would also need that agency's key. A signing
 * that fails (the service away, the agency not in custody) is logged and tried again later; the
 * ledger goes on without waiting for it.
 */
export class Checkpointer {
  readonly #sql: Sql
  readonly #signer: Pick<CustodySigner, 'sign'>
  readonly #policy: CheckpointPolicy
  readonly #log: FastifyBaseLogger
  #signedSeq = 0
  #signedAt = Date.now()
  #latest: LedgerHead | undefined
  #busy: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined

  constructor (sql: Sql, signer: Pick<CustodySigner, 'sign'>, policy: CheckpointPolicy, log: FastifyBaseLogger) {
    this.#sql = sql
    this.#signer = signer
    this.#policy = policy
    this.#log = log
  }

  async start (): Promise<void> {
    const [last] = await this.#sql<Array<{ seq: string }>>`select seq from audit.checkpoints order by seq desc limit 1`
    this.#signedSeq = last === undefined ? 0 : Number(last.seq)
    this.#timer = setInterval(() => { this.#maybeSign(true) }, Math.max(100, Math.floor(this.#policy.intervalMs / 2)))
    this.#timer.unref()
  }

  /** The ledger's head moved. */
  headMoved (head: LedgerHead): void {
    this.#latest = head
    this.#maybeSign(false)
  }

  async stop (): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    await this.#busy
  }

  /** Signs the head given now, whatever the policy says; returns the checkpoint or undefined when refused. */
  async signNow (head: LedgerHead): Promise<LedgerCheckpoint | undefined> {
    const checkpoint: LedgerCheckpoint = { ledger: 'lienthong-audit-ledger', seq: head.seq, hash: head.hash, at: new Date().toISOString() }
    const result = await this.#signer.sign({ kind: 'checkpoint', agency: this.#policy.agency, value: checkpoint })
    if (!result.ok) {
      this.#log.warn({ refusal: result.refusal, detail: result.detail, seq: head.seq }, 'the ledger checkpoint was not signed; will try again')
      return undefined
    }
    await this.#sql`insert into audit.checkpoints (seq, hash, at, agency, signature)
      values (${head.seq}, ${head.hash}, ${checkpoint.at}, ${this.#policy.agency}, ${result.signatures.agency!}) on conflict (seq) do nothing`
    this.#signedSeq = Math.max(this.#signedSeq, head.seq)
    this.#signedAt = Date.now()
    return checkpoint
  }

  #maybeSign (byTime: boolean): void {
    const head = this.#latest
    if (head === undefined || head.seq <= this.#signedSeq || this.#busy !== undefined) return
    const due = head.seq - this.#signedSeq >= this.#policy.every || (byTime && Date.now() - this.#signedAt >= this.#policy.intervalMs)
    if (!due) return
    this.#busy = this.signNow(head)
      .then(() => undefined, (err: unknown) => { this.#log.warn({ err, seq: head.seq }, 'could not sign a ledger checkpoint; will try again') })
      .finally(() => { this.#busy = undefined; this.#signedAt = Date.now() })
  }
}
