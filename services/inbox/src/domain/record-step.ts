import type { Channel, InboxEvent, Receipt, StatusCode } from '@lienthong/contracts'
import { CustodyUnavailableError, TurnBatcher, type SignatureFinding } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { findItem, findStep, markStepsPublished, redateReceipt, saveSignature, type ItemRow, type StepRow } from './item-store.ts'
import { appendSteps, findItems, lockItems } from './step-batch-store.ts'
import { custodyReceiptSignature, receiptOf } from './receipts.ts'
import { sendStep, stepWrites } from './status-publisher.ts'
import { appendRecallAnswer } from './recall-store.ts'
import { RECALL_ANSWERS, nextSteps } from './status-transitions.ts'
import { advanceWorkFiles, stepEvent, type WorkFileRow } from './work-file-store.ts'

export interface StepInput {
  code: StatusCode
  channel: Channel
  note?: string
  official?: { id?: string, name: string }
  /** with `signature`: the step's time as the DMS signed it in the receipt */
  at?: string
  /** the agency's detached JWS of the step's receipt, when its DMS signs for itself */
  signature?: string
}

export interface RecordedStep { item: ItemRow, step: StepRow, file: WorkFileRow }

/** A step to record on an item of an agency's inbox. */
export interface StepRequest { itemId: string, agency: string, input: StepInput }

/** What became of one step of a batch: recorded, or refused with the error the single route answers. */
export type StepOutcome = { ok: true, recorded: RecordedStep } | { ok: false, error: unknown }

/**
 * Records a step on an item of the agency's inbox and sends it to the sender as a signed status
 * message. The receipt is signed before anything is stored (by the DMS in the request, or by the
 * signatures service for an agency in its custody), so a step that cannot be signed is not
 * recorded at all. The step is committed before it is sent; if JetStream does not acknowledge
 * the message, the outbox sweeper sends it later, so the answer never claims less than was stored.
 *
 * Steps asked for in the same turn of the event loop are recorded together (recordSteps): under
 * load the database sees one statement for many steps rather than several for each.
 */
export async function recordStep (ctx: InboxContext, itemId: string, agency: string, input: StepInput): Promise<RecordedStep> {
  const outcome = await stepBatcherOf(ctx).call({ itemId, agency, input })
  if (!outcome.ok) throw outcome.error
  return outcome.recorded
}

const stepBatchers = new WeakMap<InboxContext, TurnBatcher<StepRequest, StepOutcome>>()

function stepBatcherOf (ctx: InboxContext): TurnBatcher<StepRequest, StepOutcome> {
  let batcher = stepBatchers.get(ctx)
  if (batcher === undefined) {
    batcher = new TurnBatcher(async (requests) => await recordSteps(ctx, requests))
    stepBatchers.set(ctx, batcher)
  }
  return batcher
}

/**
 * Records many steps as recordStep does each, in as few round trips as their number allows: the
 * items read in one query, the receipts signed in one request to the signatures service, the steps
 * stored in one transaction (each item locked and checked again there), and each sent. An item
 * that cannot take its step is answered with the error recordStep would throw, and the others go
 * on. Outcomes come in the order of the requests. Throws only when the database fails.
 */
export async function recordSteps (ctx: InboxContext, requests: readonly StepRequest[]): Promise<StepOutcome[]> {
  const outcomes = new Array<StepOutcome>(requests.length)
  const current = await findItems(ctx.db, requests.map((r) => r.itemId))
  const signed = (await Promise.all(requests.map(async (request, n): Promise<SignedStep | undefined> => {
    try {
      return { n, request, ...await signedReceipt(ctx, current.get(request.itemId), request) }
    } catch (err) {
      outcomes[n] = { ok: false, error: err }
      return undefined
    }
  }))).filter((s) => s !== undefined)
  // The same item twice is stored in turn, the second checked against what the first left.
  for (let pending = signed, wave = 0; pending.length > 0; wave++) {
    const first = new Map<string, SignedStep>()
    for (const s of pending) if (!first.has(s.request.itemId)) first.set(s.request.itemId, s)
    const now = [...first.values()]
    pending = pending.filter((s) => !now.includes(s))
    try {
      for (const [n, outcome] of await storeSteps(ctx, now)) outcomes[n] = outcome
    } catch (err) {
      // Alone, the batch is retried step by step (TurnBatcher), so that one step's failure is its
      // own; once a wave is stored, the failure of another is only that wave's.
      if (wave === 0 && pending.length === 0) throw err
      for (const s of now) outcomes[s.n] = { ok: false, error: err }
    }
  }
  await Promise.all(outcomes.map(async (outcome) => {
    if (outcome.ok) outcome.recorded.step = await trySend(ctx, outcome.recorded.item, outcome.recorded.step)
  }))
  return outcomes
}

interface SignedStep { n: number, request: StepRequest, receipt: Receipt, signature: string }

/** The step's receipt and its signature, once the item is found able to take the step. */
async function signedReceipt (ctx: InboxContext, item: ItemRow | undefined, { itemId, agency, input }: StepRequest): Promise<{ receipt: Receipt, signature: string }> {
  // Another agency's item answers exactly as a missing one, so ids reveal nothing.
  if (item === undefined || item.recipient !== agency) throw ctx.fail('ITEM_NOT_FOUND', `no item ${itemId} in the inbox of ${agency}`)
  checkTransition(ctx, item, input.code)
  // A DMS's `at` goes into the receipt as it wrote it: it signed that text, in whatever ISO form.
  const at = input.signature === undefined ? new Date() : signedTime(ctx, input.at)
  const receipt = receiptOf(item, { ...input, at })
  const signature = input.signature === undefined
    ? await custodySignature(ctx, receipt)
    : checkedSignature(ctx, receipt, input.signature)
  return { receipt, signature }
}

/** Stores signed steps of distinct items in one transaction; the outcome of each by its request's place. */
async function storeSteps (ctx: InboxContext, signed: SignedStep[]): Promise<Array<[number, StepOutcome]>> {
  let recorded: InboxEvent[] = []
  const outcomes = await ctx.db.transaction(async (tx) => {
    const locked = await lockItems(tx, signed.map((s) => s.request.itemId))
    const refused: Array<[number, StepOutcome]> = []
    const ready = signed.flatMap((s) => {
      const item = locked.get(s.request.itemId)
      try {
        if (item === undefined || item.recipient !== s.request.agency) throw ctx.fail('ITEM_NOT_FOUND', `no item ${s.request.itemId} in the inbox of ${s.request.agency}`)
        // Checked again under the lock: another step may have been recorded while this one was signed.
        checkTransition(ctx, item, s.request.input.code)
        return [{ ...s, item }]
      } catch (err) {
        refused.push([s.n, { ok: false, error: err }])
        return []
      }
    })
    if (ready.length === 0) return refused
    // An answer to a recall sits beside the work state, so a refusal (16) resumes the work where
    // it was. The work files move with the steps' facts, sent along with the steps' own
    // statements: one wait for the database whatever their number.
    const work = ready.filter((s) => !RECALL_ANSWERS.includes(s.receipt.code))
    const [workSteps, answers, files] = await Promise.all([
      appendSteps(tx, work.map((s) => ({ item: s.item, receipt: s.receipt, signature: s.signature }))),
      Promise.all(ready.filter((s) => RECALL_ANSWERS.includes(s.receipt.code)).map(async (s) => [s.n, await appendRecallAnswer(tx, s.item, s.receipt, s.signature)] as const)),
      advanceWorkFiles(tx, ready.map((s) => ({ workFileId: s.item.id, code: s.receipt.code, channel: s.receipt.channel, at: new Date(s.receipt.at) })))
    ])
    const answered = new Map(answers)
    const done = ready.map((s): [number, RecordedStep] => {
      const answer = answered.get(s.n)
      const recordedStep = answer ?? { item: { ...s.item, state: s.receipt.code }, step: workSteps.get(s.item.id)! }
      return [s.n, { ...recordedStep, file: files.get(s.item.id)! }]
    })
    recorded = await ctx.events.record(tx, done.map(([, d]) => stepEvent(d.file, d.step, d.item)))
    return [...refused, ...done.map(([n, d]): [number, StepOutcome] => [n, { ok: true, recorded: d }])]
  })
  ctx.events.publish(recorded)
  return outcomes
}

/**
 * The DMS signs a step's receipt after the fact: the arrival (01) of an agency that signs for
 * itself waits for this before its status message goes to the sender.
 */
export async function signStep (ctx: InboxContext, itemId: string, agency: string, code: StatusCode, signature: string, at?: string): Promise<{ item: ItemRow, step: StepRow }> {
  const item = await findItem(ctx.db, itemId, agency)
  if (item === undefined) throw ctx.fail('ITEM_NOT_FOUND', `no item ${itemId} in the inbox of ${agency}`)
  const step = await findStep(ctx.db, itemId, code)
  if (step === undefined) throw ctx.fail('STEP_NOT_FOUND', `item ${itemId} has no step ${code}`)
  if (step.signature !== null) throw ctx.fail('RECEIPT_ALREADY_SIGNED', `the receipt of step ${code} is already signed`)
  // With `at`, the receipt says when the DMS acknowledged it (its key may be newer than the arrival).
  const receipt = at === undefined ? step.receipt as Receipt : { ...(step.receipt as Receipt), at: signedTime(ctx, at) }
  checkedSignature(ctx, receipt, signature)
  if (at !== undefined) await redateReceipt(ctx.db, step.id, receipt)
  const saved = await saveSignature(ctx.db, step.id, signature)
  if (saved === undefined) throw ctx.fail('RECEIPT_ALREADY_SIGNED', `the receipt of step ${code} is already signed`)
  return { item, step: await trySend(ctx, item, saved) }
}

/**
 * Marks steps JetStream acknowledged, those of one turn of the event loop in one transaction. The
 * answer does not wait for the mark: the step is stored and signed, and JetStream has its status
 * message; a mark lost to a crash only lets the sweeper send the message again, which JetStream
 * takes once (its id).
 */
const publishedMarks = new WeakMap<InboxContext, TurnBatcher<number, undefined>>()

function markPublishedSoon (ctx: InboxContext, stepId: number): void {
  let marks = publishedMarks.get(ctx)
  if (marks === undefined) {
    marks = new TurnBatcher(async (ids) => { await markStepsPublished(ctx.db, ctx.events, ids); return ids.map(() => undefined) })
    publishedMarks.set(ctx, marks)
  }
  marks.call(stepId).catch((err: unknown) => { ctx.log.warn({ err, stepId }, 'step sent but not yet marked; the outbox will send it again') })
}

/** Sends the step now if JetStream takes it; otherwise the outbox sweeper will, and the answer says it is not sent yet. */
async function trySend (ctx: InboxContext, item: ItemRow, step: StepRow): Promise<StepRow> {
  try {
    const writes = { ...stepWrites(ctx), markPublished: async (stepId: number) => { markPublishedSoon(ctx, stepId) } }
    if (await sendStep(ctx, item, step, writes) === 'sent') return { ...step, publishedAt: new Date() }
  } catch (err) {
    ctx.log.warn({ err, itemId: item.id, code: step.code }, 'status message not yet acknowledged; the outbox will send it')
  }
  return step
}

function checkTransition (ctx: InboxContext, item: ItemRow, code: StatusCode): void {
  const next = nextSteps(item)
  if (next.withdrawn) {
    throw ctx.fail('ITEM_WITHDRAWN', `the sender recalled ${item.documentId} and the recall was agreed (15)`, { state: item.state, recall: '15' })
  }
  const { allowed } = next
  if (!allowed.includes(code)) {
    const where = item.recallRequestedAt !== null && item.recallAnswer === null ? `the item is at ${item.state} with a recall (13) to answer` : `the item is at ${item.state}`
    throw ctx.fail('TRANSITION_NOT_ALLOWED', `${where}; allowed next: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`, { state: item.state, allowed })
  }
}

function signedTime (ctx: InboxContext, at: string | undefined): string {
  if (at === undefined) throw ctx.fail('SIGNATURE_INVALID', 'a signed step gives `at`, the time written in the receipt it signed', { reason: 'malformed' })
  const time = new Date(at)
  if (Math.abs(Date.now() - time.getTime()) > ctx.config.SIGNATURE_SKEW_MS) {
    throw ctx.fail('SIGNATURE_INVALID', `the receipt is dated ${at}; a step is signed when it is recorded`, { reason: 'stale' })
  }
  return at
}

function checkedSignature (ctx: InboxContext, receipt: Receipt, signature: string): string {
  const finding = ctx.signatures.checkReceipt(receipt, signature)
  if (!finding.valid) throw ctx.fail('SIGNATURE_INVALID', `${finding.reason ?? 'invalid'}: ${finding.detail ?? ''}`, findingFacts(finding))
  return signature
}

function findingFacts (f: SignatureFinding): Record<string, unknown> {
  return { reason: f.reason, kid: f.kid }
}

async function custodySignature (ctx: InboxContext, receipt: Receipt): Promise<string> {
  let signature: string | undefined
  try {
    signature = await custodyReceiptSignature(ctx, receipt)
  } catch (err) {
    if (!(err instanceof CustodyUnavailableError)) throw err
    ctx.log.warn({ err }, 'custody signing unavailable')
    throw ctx.fail('UNAVAILABLE', 'the signatures service cannot sign the receipt right now; nothing was recorded, retry')
  }
  if (signature === undefined) {
    throw ctx.fail('SIGNATURE_REQUIRED', `the signatures service holds no keys of ${receipt.recipient}: sign the step's receipt with the agency's key and send it with \`at\` and \`signature\``)
  }
  return signature
}
