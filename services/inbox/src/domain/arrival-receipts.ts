import { and, isNull, sql } from 'drizzle-orm'
import type { InboxContext } from '../context.ts'
import { TurnBatcher } from '@lienthong/platform'
import { steps } from '../db/schema.ts'
import { markStepsPublished, type ItemRow, type StepRow } from './item-store.ts'
import { sendStep, type StepWrites } from './status-publisher.ts'

type Db = InboxContext['db']

/** saveSignature for many steps in one statement (one array per column, so its size does not grow the statement); a step already signed keeps its signature. */
export async function saveSignatures (db: Db, signed: Array<{ stepId: number, signature: string }>): Promise<void> {
  await db.execute(sql`update ${steps} set signature = v.signature, awaiting_signature = false
    from unnest(${sql.param(signed.map((s) => s.stepId))}::bigint[], ${sql.param(signed.map((s) => s.signature))}::text[]) as v(id, signature)
    where ${steps.id} = v.id and ${steps.signature} is null`)
}

/** markAwaitingSignature for many steps in one statement. */
export async function markStepsAwaitingSignature (db: Db, stepIds: number[]): Promise<void> {
  await db.update(steps).set({ awaitingSignature: true }).where(and(sql`${steps.id} = any(${sql.param(stepIds)}::bigint[])`, isNull(steps.signature)))
}

/**
 * sendStep (status-publisher.ts) for the arrival steps of a broadcast: the same stages in the same
 * order — the signature stored before the status is sent, the step marked sent only after
 * JetStream acknowledged it — with the writes of the steps in hand at once made as one statement.
 */
export class ArrivalReceipts {
  readonly #ctx: InboxContext
  readonly #writes: StepWrites

  constructor (ctx: InboxContext) {
    this.#ctx = ctx
    const signatures = new TurnBatcher<{ stepId: number, signature: string }, undefined>(async (batch) => { await saveSignatures(ctx.db, batch); return batch.map(() => undefined) })
    const published = new TurnBatcher<number, undefined>(async (batch) => { await markStepsPublished(ctx.db, ctx.events, batch); return batch.map(() => undefined) })
    const awaiting = new TurnBatcher<number, undefined>(async (batch) => { await markStepsAwaitingSignature(ctx.db, batch); return batch.map(() => undefined) })
    this.#writes = {
      markAwaitingSignature: async (stepId) => { await awaiting.call(stepId) },
      saveSignature: async (stepId, signature) => { await signatures.call({ stepId, signature }) },
      markPublished: async (stepId) => { await published.call(stepId) }
    }
  }

  async send (item: ItemRow, step: StepRow): Promise<'sent' | 'awaiting_signature'> {
    return await sendStep(this.#ctx, item, step, this.#writes)
  }
}
