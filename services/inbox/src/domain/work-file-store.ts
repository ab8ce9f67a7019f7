import { and, asc, desc, eq, inArray, isNull, isNotNull, lt, sql, type SQL } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { Channel, StatusCode } from '@lienthong/contracts'
import { items, steps, workFileDocuments, workFiles } from '../db/schema.ts'
import type { NewEvent } from './event-outbox.ts'
import { NEXT_STEPS } from './status-transitions.ts'
import type { ItemRow, StepRow } from './item-store.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
export type WorkFileRow = typeof workFiles.$inferSelect

/** The steps after which a work file is closed: completed, refused, or withdrawn by an agreed recall. */
export const CLOSING_STEPS: readonly string[] = ['06', '02', '15']

/** A recall and its answers sit beside the work; they never move the work file's state. */
const BESIDE_THE_WORK: readonly string[] = ['13', '15', '16']

export interface WorkFileMove { workFileId: string, code: string, channel: string, at: Date }

/**
 * Moves the work file along with a step recorded on it (in the step's transaction): its state,
 * whether it is closed, whether a recall waits, and whether any of its work was done on paper.
 */
export async function advanceWorkFile (tx: Db, workFileId: string, step: { code: string, channel: string, at: Date }): Promise<WorkFileRow> {
  const file = (await advanceWorkFiles(tx, [{ workFileId, ...step }])).get(workFileId)
  if (file === undefined) throw new Error(`no work file ${workFileId}`)
  return file
}

/**
 * advanceWorkFile for many files (each once) in one statement, as a batch of steps needs. A file
 * stays closed when it first was: a later recall of a completed file does not move it into
 * another period of the measure. A recall and its answers never move the work's state.
 */
export async function advanceWorkFiles (tx: Db, moves: readonly WorkFileMove[]): Promise<Map<string, WorkFileRow>> {
  if (moves.length === 0) return new Map()
  const list = (codes: readonly string[]): SQL => sql.join(codes.map((c) => sql`${c}`), sql`, `)
  await tx.execute(sql`update ${workFiles} w set
      state = case when v.code in (${list(BESIDE_THE_WORK)}) then w.state else v.code end,
      closed_at = case when v.code in (${list(CLOSING_STEPS)}) then coalesce(w.closed_at, v.at) else w.closed_at end,
      recall_pending = case when v.code = '13' then true when v.code in ('15', '16') then false else w.recall_pending end,
      paper = w.paper or v.channel = 'paper',
      updated_at = v.at
    from unnest(${sql.param(moves.map((m) => m.workFileId))}::text[]::uuid[], ${sql.param(moves.map((m) => m.code))}::text[],
      ${sql.param(moves.map((m) => m.channel))}::text[], ${sql.param(moves.map((m) => m.at.toISOString()))}::text[]::timestamptz[]) as v(id, code, channel, at)
    where w.id = v.id`)
  const rows = await tx.select().from(workFiles).where(inArray(workFiles.id, moves.map((m) => m.workFileId)))
  return new Map(rows.map((r) => [r.id, r]))
}

/**
 * What may be recorded next on a work file: the answer to a pending recall (15 or 16), else the
 * work's next steps while the file is open, else nothing.
 */
export function workFileNextSteps (file: Pick<WorkFileRow, 'state' | 'closedAt' | 'recallPending'>): readonly StatusCode[] {
  if (file.recallPending) return ['15', '16']
  if (file.closedAt !== null) return []
  return NEXT_STEPS[file.state as StatusCode] ?? []
}

/** The `work-file.step` event of a step, with the work file as the step left it. */
export function stepEvent (file: WorkFileRow, step: Pick<StepRow, 'code' | 'channel' | 'at' | 'official' | 'note'>, item?: Pick<ItemRow, 'id' | 'documentId'>): NewEvent {
  return {
    type: 'work-file.step',
    agency: file.agency,
    at: step.at.toISOString(),
    workFileId: file.id,
    itemId: item?.id ?? null,
    documentId: item?.documentId ?? null,
    origin: file.origin as 'exchange' | 'dms',
    code: step.code as StatusCode,
    channel: step.channel as Channel,
    official: (step.official as { id?: string, name: string } | null) ?? null,
    note: step.note,
    state: file.state as StatusCode,
    closed: file.closedAt !== null,
    closedAt: file.closedAt?.toISOString() ?? null,
    dueAt: file.dueAt?.toISOString() ?? null,
    openedAt: file.openedAt.toISOString(),
    paper: file.paper
  }
}

export async function findWorkFile (db: Db, id: string, agency: string, lock = false): Promise<WorkFileRow | undefined> {
  const query = db.select().from(workFiles).where(and(eq(workFiles.id, id), eq(workFiles.agency, agency)))
  const rows = lock ? await query.for('update') : await query
  return rows[0]
}

export interface WorkFileDocumentRow { documentId: string, role: string, addedAt: Date }

/** A work file's steps and documents: the incoming one (an exchange file's item) first, then answers. */
export async function workFileContents (db: Db, file: WorkFileRow): Promise<{ steps: StepRow[], documents: WorkFileDocumentRow[] }> {
  const [fileSteps, answers, incoming] = await Promise.all([
    db.select().from(steps).where(eq(steps.workFileId, file.id)).orderBy(asc(steps.id)),
    db.select({ documentId: workFileDocuments.documentId, role: workFileDocuments.role, addedAt: workFileDocuments.addedAt })
      .from(workFileDocuments).where(eq(workFileDocuments.workFileId, file.id)).orderBy(asc(workFileDocuments.addedAt)),
    file.itemId === null ? [] : db.select({ documentId: items.documentId, role: sql<string>`'incoming'`, addedAt: items.receivedAt }).from(items).where(eq(items.id, file.itemId))
  ])
  return { steps: fileSteps, documents: [...incoming, ...answers] }
}

export interface WorkFileQuery {
  state?: string
  origin?: string
  open?: boolean
  overdue?: boolean
  cursor?: string
  limit: number
}

/** An agency's work files, newest first; the cursor is the last one's id (uuidv7), stable while files open. */
export async function listWorkFiles (db: Db, agency: string, query: WorkFileQuery, now = new Date()): Promise<{ files: WorkFileRow[], next: string | null }> {
  const where: SQL[] = [eq(workFiles.agency, agency)]
  if (query.state !== undefined) where.push(eq(workFiles.state, query.state))
  if (query.origin !== undefined) where.push(eq(workFiles.origin, query.origin))
  if (query.open === true) where.push(isNull(workFiles.closedAt))
  if (query.open === false) where.push(isNotNull(workFiles.closedAt))
  if (query.overdue === true) where.push(isNull(workFiles.closedAt), lt(workFiles.dueAt, now))
  if (query.cursor !== undefined) where.push(lt(workFiles.id, query.cursor))
  const rows = await db.select().from(workFiles).where(and(...where)).orderBy(desc(workFiles.id)).limit(query.limit + 1)
  const files = rows.slice(0, query.limit)
  return { files, next: rows.length > query.limit ? files[files.length - 1]!.id : null }
}
