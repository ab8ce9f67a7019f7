import { and, eq, inArray, isNull, lte, or } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { RecallRequest, RoutingEvent } from '@lienthong/contracts'
import type { RoutingContext } from '../context.ts'
import { deliveries, deliveryStatuses, documents } from '../db/schema.ts'
import { senderDocument } from './delivery-status.ts'
import { sendPendingRecalls } from './recalls-publisher.ts'
import type { RoutingOutbox } from './event-outbox.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/** What routing knows of one recipient of a document when a recall is asked for. */
export interface RecallFacts {
  recipient: string
  /** set when an earlier request already recalled the document from this recipient */
  recallRequestedAt: Date | null
  /** the recipient refused the document (02): there is nothing to recall */
  refused: boolean
}

export type NotRecalledReason = 'refused' | 'not_a_recipient'

export interface RecallPlan {
  /** recipients this request recalls the document from */
  fresh: string[]
  /** recipients an earlier request already recalled it from: answered from what was stored */
  repeated: string[]
  notRecalled: { recipient: string, reason: NotRecalledReason }[]
}

/**
 * Which recipients a recall request reaches. A recipient is recalled once: a repeat of the request
 * (or one naming a recipient recalled before) is answered with the first request, whatever the
 * recipient answered since, so retrying a recall is always safe.
 */
export function planRecall (facts: readonly RecallFacts[], wanted?: readonly string[]): RecallPlan {
  const byRecipient = new Map(facts.map((f) => [f.recipient, f]))
  const plan: RecallPlan = { fresh: [], repeated: [], notRecalled: [] }
  for (const recipient of new Set(wanted ?? facts.map((f) => f.recipient))) {
    const f = byRecipient.get(recipient)
    if (f === undefined) plan.notRecalled.push({ recipient, reason: 'not_a_recipient' })
    else if (f.recallRequestedAt !== null) plan.repeated.push(recipient)
    else if (f.refused) plan.notRecalled.push({ recipient, reason: 'refused' })
    else plan.fresh.push(recipient)
  }
  return plan
}

export interface RecalledRecipient {
  recipient: string
  requestedAt: string
  note: string | null
  /** the recipient's answer so far: 15 agreed (withdrawn), 16 refused, null not yet */
  answer: '15' | '16' | null
  answeredAt: string | null
  /** recalled by an earlier request */
  repeat: boolean
}

export interface RecallOutcome {
  id: string
  recalled: RecalledRecipient[]
  notRecalled: { recipient: string, reason: NotRecalledReason }[]
}

/**
 * The sender asks for a document back (13). The request is stored first — the recall on each
 * delivery and a 13 in each recipient's history, in one transaction — then one recall message
 * per recipient is published; what JetStream does not acknowledge stays in the recall outbox and
 * the sweeper sends it, so the answer 202 is given only once every message is in the stream.
 */
export async function requestRecall (ctx: RoutingContext, id: string, agency: string, body: RecallRequest, now = new Date()): Promise<RecallOutcome> {
  const doc = await senderDocument(ctx.db, id, agency)
  // Another agency's document answers exactly as a missing one.
  if (doc === undefined) throw ctx.fail('DOCUMENT_NOT_FOUND', `no document ${id} sent by ${agency}`)
  const { plan, outcome } = await storeRecall(ctx.db, ctx.events, id, body, now)
  if (outcome.recalled.length === 0) {
    throw ctx.fail('RECALL_NOT_ALLOWED', 'none of these recipients can be recalled: each refused the document or is not one of its recipients', { notRecalled: plan.notRecalled })
  }
  try {
    // Also sends an earlier request's recalls that are still unsent: a retry after a 503 completes it.
    await sendPendingRecalls(ctx.js, ctx.db, doc)
  } catch (err) {
    ctx.log.warn({ err, documentId: id }, 'recall messages not acknowledged by JetStream')
    throw ctx.fail('UNAVAILABLE', 'the recall is stored but not yet sent to every recipient; it will be, and a retry of this request is safe')
  }
  return outcome
}

/**
 * Stores a recall under a lock on the document's deliveries, so concurrent requests recall each
 * recipient once; the `document.recalled` event (of the recipients recalled for the first time) is
 * written in the same transaction, so a repeat tells nothing new.
 */
export async function storeRecall (db: Db, outbox: RoutingOutbox, id: string, body: RecallRequest, now: Date): Promise<{ plan: RecallPlan, outcome: RecallOutcome }> {
  let recorded: RoutingEvent[] = []
  const stored = await db.transaction(async (tx) => {
    const [doc] = await tx.select({ sender: documents.sender }).from(documents).where(eq(documents.id, id))
    const rows = await tx.select({ recipient: deliveries.recipient, recallRequestedAt: deliveries.recallRequestedAt })
      .from(deliveries).where(eq(deliveries.documentId, id)).for('update')
    const answers = await tx.select({ recipient: deliveryStatuses.recipient, code: deliveryStatuses.code, at: deliveryStatuses.at })
      .from(deliveryStatuses).where(and(eq(deliveryStatuses.documentId, id), inArray(deliveryStatuses.code, ['02', '15', '16'])))
    const refused = new Set(answers.filter((a) => a.code === '02').map((a) => a.recipient))
    const plan = planRecall(rows.map((r) => ({ ...r, refused: refused.has(r.recipient) })), body.recipients)
    const note = body.note ?? null
    for (let i = 0; i < plan.fresh.length; i += 5000) {
      const chunk = plan.fresh.slice(i, i + 5000)
      await tx.update(deliveries).set({ recallRequestedAt: now, recallNote: note })
        .where(and(eq(deliveries.documentId, id), inArray(deliveries.recipient, chunk), isNull(deliveries.recallRequestedAt)))
      await tx.insert(deliveryStatuses).values(chunk.map((recipient) => ({ documentId: id, recipient, code: '13', channel: 'online', at: now, note })))
        .onConflictDoNothing()
      // The current status follows the latest time, as with the recipients' own statuses.
      await tx.update(deliveries).set({ status: '13', statusAt: now })
        .where(and(eq(deliveries.documentId, id), inArray(deliveries.recipient, chunk), or(isNull(deliveries.statusAt), lte(deliveries.statusAt, now))))
    }
    if (doc !== undefined && plan.fresh.length > 0) {
      recorded = await outbox.record(tx, [{ type: 'document.recalled', agency: doc.sender, at: now.toISOString(), documentId: id, recipients: plan.fresh, note }])
    }
    const fresh = new Set(plan.fresh)
    const wanted = new Set([...plan.fresh, ...plan.repeated])
    const recalled = wanted.size === 0
      ? []
      : (await tx.select({ recipient: deliveries.recipient, requestedAt: deliveries.recallRequestedAt, note: deliveries.recallNote })
          .from(deliveries).where(and(eq(deliveries.documentId, id), inArray(deliveries.recipient, [...wanted]))).orderBy(deliveries.recipient))
    const answerOf = new Map(answers.filter((a) => a.code !== '02').map((a) => [a.recipient, a]))
    return {
      plan,
      outcome: {
        id,
        recalled: recalled.map((r) => {
          const answer = answerOf.get(r.recipient)
          return {
            recipient: r.recipient,
            requestedAt: r.requestedAt!.toISOString(),
            note: r.note,
            answer: (answer?.code ?? null) as RecalledRecipient['answer'],
            answeredAt: answer?.at.toISOString() ?? null,
            repeat: !fresh.has(r.recipient)
          }
        }),
        notRecalled: plan.notRecalled
      }
    }
  })
  outbox.publish(recorded)
  return stored
}
