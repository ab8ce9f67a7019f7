import { z } from 'zod'
import { Channel, DetachedSignature, Official, SCOPES, STATUS_CODES, StatusCode, WorkFileOrigin } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { closedLate, isOverdue } from '../domain/due-date.ts'
import { findWorkFile, listWorkFiles, workFileContents, workFileNextSteps, type WorkFileRow } from '../domain/work-file-store.ts'
import { changeDue, openWorkFile, recordWorkFileStep } from '../domain/work-files.ts'
import { StepView, stepView } from './step-view.ts'

const WorkFileView = z.object({
  id: z.string(),
  /** `exchange`: opened by an arrival (`itemId` is its inbox item, with the same id); `dms`: opened by the agency's DMS */
  origin: WorkFileOrigin,
  itemId: z.string().nullable(),
  title: z.string(),
  state: z.string(),
  stateName: z.string(),
  /** the steps the state machine allows next (15 or 16 only, while a recall waits for its answer) */
  allowedNext: z.array(z.string()),
  openedAt: z.string(),
  dueAt: z.string().nullable(),
  /** open and past its due time */
  overdue: z.boolean(),
  closedAt: z.string().nullable(),
  closedLate: z.boolean(),
  /** some step was done on paper: the file does not count as handled fully online */
  paper: z.boolean(),
  official: z.unknown(),
  note: z.string().nullable(),
  updatedAt: z.string()
})
const WorkFileDetail = WorkFileView.extend({
  steps: z.array(StepView),
  /** the document that opened it (`incoming`) and the answers the agency sent with `responseFor` (`response`) */
  documents: z.array(z.object({ documentId: z.string(), role: z.string(), addedAt: z.string() }))
})

function workFileView (file: WorkFileRow): z.infer<typeof WorkFileView> {
  return {
    id: file.id,
    origin: file.origin as WorkFileOrigin,
    itemId: file.itemId,
    title: file.title,
    state: file.state,
    stateName: STATUS_CODES[file.state as StatusCode],
    allowedNext: [...workFileNextSteps(file)],
    openedAt: file.openedAt.toISOString(),
    dueAt: file.dueAt?.toISOString() ?? null,
    overdue: isOverdue(file),
    closedAt: file.closedAt?.toISOString() ?? null,
    closedLate: closedLate(file),
    paper: file.paper,
    official: file.official,
    note: file.note,
    updatedAt: file.updatedAt.toISOString()
  }
}

const IdParams = z.object({ id: z.string() })

export async function workFileRoutes (app: ServiceApp, ctx: InboxContext): Promise<void> {
  const notFound = (id: string, agency: string): Error => ctx.fail('WORK_FILE_NOT_FOUND', `no work file ${id} of ${agency}`)
  // Ids that are not uuids are nobody's work file; the domain functions look up the rest themselves.
  const wellFormed = (id: string, agency: string): void => { if (!z.uuid().safeParse(id).success) throw notFound(id, agency) }
  const ownFile = async (id: string, agency: string): Promise<WorkFileRow> => {
    wellFormed(id, agency)
    const file = await findWorkFile(ctx.db, id, agency)
    if (file === undefined) throw notFound(id, agency)
    return file
  }
  const detail = async (file: WorkFileRow): Promise<z.infer<typeof WorkFileDetail>> => {
    const { steps, documents } = await workFileContents(ctx.db, file)
    return { ...workFileView(file), steps: steps.map(stepView), documents: documents.map((d) => ({ ...d, addedAt: d.addedAt.toISOString() })) }
  }

  app.post('/v1/work-files', {
    onRequest: app.requireScopes(SCOPES.inboxWrite),
    schema: {
      tags: ['work files'],
      summary: 'Open a work file for work that did not start with an incoming document',
      description: 'It opens registered (03) by the token\u2019s agency, on the channel the matter came in by (`paper` for, say, an application handed in at the desk), and moves on as any work file: 04, 05, 06.',
      body: z.object({
        title: z.string().min(1).max(2000),
        channel: Channel.default('online'),
        dueAt: z.iso.datetime({ offset: true }).optional(),
        note: z.string().max(2000).optional(),
        official: Official.optional()
      }).strict(),
      response: { 201: WorkFileDetail }
    }
  }, async (request, reply) => {
    const { file } = await openWorkFile(ctx, request.agency, request.body)
    return await reply.code(201).send(await detail(file))
  })

  app.get('/v1/work-files', {
    onRequest: app.requireScopes(SCOPES.inboxRead),
    schema: {
      tags: ['work files'],
      summary: "The token agency's work files, newest first",
      querystring: z.object({
        state: StatusCode.optional(),
        origin: WorkFileOrigin.optional(),
        open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        overdue: z.literal('true').transform(() => true).optional(),
        cursor: z.uuid().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50)
      }),
      response: { 200: z.object({ workFiles: z.array(WorkFileView), next: z.string().nullable() }) }
    }
  }, async (request) => {
    const page = await listWorkFiles(ctx.db, request.agency, request.query)
    return { workFiles: page.files.map(workFileView), next: page.next }
  })

  app.get('/v1/work-files/:id', {
    onRequest: app.requireScopes(SCOPES.inboxRead),
    schema: { tags: ['work files'], summary: 'One work file with its steps and documents', params: IdParams, response: { 200: WorkFileDetail } }
  }, async (request) => await detail(await ownFile(request.params.id, request.agency)))

  app.post('/v1/work-files/:id/status', {
    onRequest: app.requireScopes(SCOPES.inboxWrite),
    schema: {
      tags: ['work files'],
      summary: 'Record a step on a work file',
      description: 'On a file opened by an arrival this is the item\u2019s step (POST /v1/inbox/{id}/status), signed and sent to the sender. A move the state machine does not allow answers 409 INB_TRANSITION_NOT_ALLOWED with `allowed`.',
      params: IdParams,
      body: z.object({
        // as on the item route: a code the state machine never allows (13) is a 409 naming what is allowed
        code: StatusCode.exclude(['01']),
        channel: Channel.default('online'),
        note: z.string().max(2000).optional(),
        official: Official.optional(),
        at: z.iso.datetime({ offset: true }).optional(),
        signature: DetachedSignature.optional()
      }),
      response: { 200: WorkFileDetail }
    }
  }, async (request) => {
    wellFormed(request.params.id, request.agency)
    const { file } = await recordWorkFileStep(ctx, request.params.id, request.agency, request.body)
    return await detail(file)
  })

  app.patch('/v1/work-files/:id', {
    onRequest: app.requireScopes(SCOPES.inboxWrite),
    schema: {
      tags: ['work files'],
      summary: 'Set or clear the due time (null clears it)',
      params: IdParams,
      body: z.object({ dueAt: z.iso.datetime({ offset: true }).nullable() }).strict(),
      response: { 200: WorkFileDetail }
    }
  }, async (request) => {
    wellFormed(request.params.id, request.agency)
    return await detail(await changeDue(ctx, request.params.id, request.agency, request.body.dueAt))
  })
}
