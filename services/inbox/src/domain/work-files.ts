import { eq, sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { Channel, InboxEvent, StatusCode } from '@lienthong/contracts'
import type { InboxContext } from '../context.ts'
import { steps, workFiles } from '../db/schema.ts'
import type { StepRow } from './item-store.ts'
import { recordStep, type StepInput } from './record-step.ts'
import { advanceWorkFile, findWorkFile, stepEvent, workFileNextSteps, type WorkFileRow } from './work-file-store.ts'

export interface OpenWorkFile {
  title: string
  /** how the matter came in: `paper` for, say, an application handed in at the desk */
  channel: Channel
  dueAt?: string
  note?: string
  official?: { id?: string, name: string }
}

/**
 * The DMS opens a work file for work that did not start with an incoming document. It opens
 * registered (03), the step the agency took by opening it, done on the channel the matter came in
 * by; from there it moves as any work file does.
 */
export async function openWorkFile (ctx: InboxContext, agency: string, input: OpenWorkFile): Promise<{ file: WorkFileRow, step: StepRow }> {
  const now = new Date()
  let recorded: InboxEvent[] = []
  const opened = await ctx.db.transaction(async (tx) => {
    const [file] = await tx.insert(workFiles).values({
      id: uuidv7(),
      agency,
      origin: 'dms',
      itemId: null,
      title: input.title,
      state: '03',
      dueAt: input.dueAt === undefined ? null : new Date(input.dueAt),
      openedAt: now,
      paper: input.channel === 'paper',
      official: input.official ?? null,
      note: input.note ?? null,
      updatedAt: now
    }).returning()
    const [step] = await tx.insert(steps).values({
      workFileId: file!.id, code: '03', channel: input.channel, at: now, note: input.note ?? null, official: input.official ?? null
    }).returning()
    recorded = await ctx.events.record(tx, [{
      type: 'work-file.opened',
      agency,
      at: now.toISOString(),
      workFileId: file!.id,
      origin: 'dms',
      title: input.title,
      channel: input.channel,
      official: input.official ?? null,
      dueAt: file!.dueAt?.toISOString() ?? null
    }])
    return { file: file!, step: step! }
  })
  ctx.events.publish(recorded)
  return opened
}

/**
 * A step on a work file. On a file opened by an arrival it is the item's step, signed and sent to
 * the sender as always; on a file the DMS opened there is no sender, so the step is only recorded
 * (and told as an event).
 */
export async function recordWorkFileStep (ctx: InboxContext, id: string, agency: string, input: StepInput): Promise<{ file: WorkFileRow, step: StepRow }> {
  const found = await findWorkFile(ctx.db, id, agency)
  if (found === undefined) throw ctx.fail('WORK_FILE_NOT_FOUND', `no work file ${id} of ${agency}`)
  if (found.itemId !== null) {
    const { step, file } = await recordStep(ctx, found.itemId, agency, input)
    return { file, step }
  }
  if (input.signature !== undefined) {
    throw ctx.fail('VALIDATION_FAILED', 'a work file the DMS opened has no sender to send a signed receipt to: leave out `signature` and `at`')
  }
  const now = new Date()
  let recorded: InboxEvent[] = []
  const result = await ctx.db.transaction(async (tx) => {
    const file = await findWorkFile(tx, id, agency, true)
    if (file === undefined) throw ctx.fail('WORK_FILE_NOT_FOUND', `no work file ${id} of ${agency}`)
    const allowed = workFileNextSteps(file)
    if (!allowed.includes(input.code)) {
      throw ctx.fail('TRANSITION_NOT_ALLOWED', `the work file is at ${file.state}; allowed next: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`, { state: file.state, allowed })
    }
    const [step] = await tx.insert(steps).values({
      workFileId: file.id, code: input.code, channel: input.channel, at: now, note: input.note ?? null, official: input.official ?? null
    }).returning()
    const moved = await advanceWorkFile(tx, file.id, { code: input.code, channel: input.channel, at: now })
    recorded = await ctx.events.record(tx, [stepEvent(moved, step!)])
    return { file: moved, step: step! }
  })
  ctx.events.publish(recorded)
  return result
}

/** Sets or clears a work file's due time (the DMS extends a deadline, or sets one the document lacked). */
export async function changeDue (ctx: InboxContext, id: string, agency: string, dueAt: string | null): Promise<WorkFileRow> {
  let recorded: InboxEvent[] = []
  const changed = await ctx.db.transaction(async (tx) => {
    const file = await findWorkFile(tx, id, agency, true)
    if (file === undefined) throw ctx.fail('WORK_FILE_NOT_FOUND', `no work file ${id} of ${agency}`)
    const [updated] = await tx.update(workFiles).set({ dueAt: dueAt === null ? null : new Date(dueAt), updatedAt: sql`now()` })
      .where(eq(workFiles.id, id)).returning()
    recorded = await ctx.events.record(tx, [{
      type: 'work-file.changed', agency, at: updated!.updatedAt.toISOString(), workFileId: id, dueAt: updated!.dueAt?.toISOString() ?? null
    }])
    return updated!
  })
  ctx.events.publish(recorded)
  return changed
}
