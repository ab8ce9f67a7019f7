import t from 'tap'
import { errorFactory } from '@lienthong/platform'
import type { InboxContext } from '../../src/context.ts'
import { changeDue, openWorkFile, recordWorkFileStep } from '../../src/domain/work-files.ts'
import { advanceWorkFile, listWorkFiles, stepEvent, workFileNextSteps } from '../../src/domain/work-file-store.ts'
import { migratedDatabase, quietLog, recordingOutbox } from '../fixtures/db.ts'

const { db, sql } = await migratedDatabase(t)
const AGENCY = '000.05.31.H38'
const ctx = { db, events: recordingOutbox(db, { [AGENCY]: 'commune' }), fail: errorFactory('inbox'), log: quietLog } as unknown as InboxContext

const eventsOf = async (id: string): Promise<any[]> => (await sql`select body from inbox.events where body->>'workFileId' = ${id} order by id`).map((r) => r.body)

t.test('a DMS work file opens at 03 on its channel and is told once', async (t) => {
  const { file, step } = await openWorkFile(ctx, AGENCY, { title: 'Đơn đề nghị', channel: 'paper', official: { name: 'A' } })
  t.match(file, { agency: AGENCY, origin: 'dms', itemId: null, state: '03', paper: true, closedAt: null })
  t.match(step, { code: '03', channel: 'paper', itemId: null, workFileId: file.id, publishedAt: null })
  const told = await eventsOf(file.id)
  t.equal(told.length, 1)
  t.match(told[0], { type: 'work-file.opened', agency: AGENCY, level: 'commune', channel: 'paper', origin: 'dms', official: { name: 'A' } })
  const [unsent] = await sql`select count(*)::int as n from inbox.steps where published_at is null and item_id is not null and work_file_id = ${file.id}`
  t.equal(unsent!.n, 0, 'its steps never wait in the status outbox: there is no sender')
})

t.test('steps follow the state machine; paper sticks; 06 closes', async (t) => {
  const { file } = await openWorkFile(ctx, AGENCY, { title: 'Hồ sơ', channel: 'online' })
  await t.rejects(recordWorkFileStep(ctx, file.id, AGENCY, { code: '02', channel: 'online' }), { code: 'INB_TRANSITION_NOT_ALLOWED', extensions: { allowed: ['04', '05', '06'] } })
  await t.rejects(recordWorkFileStep(ctx, file.id, '000.06.31.H38', { code: '04', channel: 'online' }), { code: 'INB_WORK_FILE_NOT_FOUND' }, 'another agency\u2019s file is not found')
  await t.rejects(recordWorkFileStep(ctx, file.id, AGENCY, { code: '04', channel: 'online', signature: 'a..b', at: new Date().toISOString() }), { code: 'INB_VALIDATION_FAILED' }, 'no receipt to sign')
  const assigned = await recordWorkFileStep(ctx, file.id, AGENCY, { code: '04', channel: 'paper' })
  t.match(assigned.file, { state: '04', paper: true, closedAt: null })
  const done = await recordWorkFileStep(ctx, file.id, AGENCY, { code: '06', channel: 'online', note: 'xong' })
  t.match(done.file, { state: '06', paper: true })
  t.not(done.file.closedAt, null)
  await t.rejects(recordWorkFileStep(ctx, file.id, AGENCY, { code: '05', channel: 'online' }), { code: 'INB_TRANSITION_NOT_ALLOWED', extensions: { allowed: [] } }, 'nothing after 06')
  const told = await eventsOf(file.id)
  t.same(told.map((e) => [e.type, e.code ?? null, e.state ?? null, e.closed ?? null, e.paper ?? null]), [
    ['work-file.opened', null, null, null, null],
    ['work-file.step', '04', '04', false, true],
    ['work-file.step', '06', '06', true, true]
  ], 'each step told once, with the file as it left it; refusals tell nothing')
})

t.test('due dates: set, cleared, told; overdue files listed', async (t) => {
  const { file } = await openWorkFile(ctx, AGENCY, { title: 'Hạn', channel: 'online', dueAt: '2020-01-01T00:00:00+07:00' })
  const late = await listWorkFiles(db, AGENCY, { overdue: true, limit: 500 })
  t.ok(late.files.some((f) => f.id === file.id), 'past due and open: overdue')
  const moved = await changeDue(ctx, file.id, AGENCY, '2999-01-01T00:00:00Z')
  t.equal(moved.dueAt?.toISOString(), '2999-01-01T00:00:00.000Z')
  t.notOk((await listWorkFiles(db, AGENCY, { overdue: true, limit: 500 })).files.some((f) => f.id === file.id))
  t.equal((await changeDue(ctx, file.id, AGENCY, null)).dueAt, null)
  await t.rejects(changeDue(ctx, file.id, '000.06.31.H38', null), { code: 'INB_WORK_FILE_NOT_FOUND' })
  t.same((await eventsOf(file.id)).filter((e) => e.type === 'work-file.changed').map((e) => e.dueAt), ['2999-01-01T00:00:00.000Z', null])
})

t.test('listing: newest first, filters, a cursor that new files do not shift', async (t) => {
  const other = '000.07.31.H38'
  const opened = []
  for (let n = 0; n < 5; n++) opened.push((await openWorkFile(ctx, other, { title: `F${n}`, channel: 'online' })).file.id)
  const first = await listWorkFiles(db, other, { limit: 2 })
  t.same(first.files.map((f) => f.id), [opened[4], opened[3]])
  await openWorkFile(ctx, other, { title: 'new', channel: 'online' })
  const second = await listWorkFiles(db, other, { limit: 2, cursor: first.next! })
  t.same(second.files.map((f) => f.id), [opened[2], opened[1]], 'a file opened in between does not shift the next page')
  await recordWorkFileStep(ctx, opened[0]!, other, { code: '06', channel: 'online' })
  t.same((await listWorkFiles(db, other, { open: false, limit: 10 })).files.map((f) => f.id), [opened[0]])
  t.same((await listWorkFiles(db, other, { state: '06', limit: 10 })).files.map((f) => f.id), [opened[0]])
  t.equal((await listWorkFiles(db, other, { origin: 'exchange', limit: 10 })).files.length, 0)
})

t.test('a recall of a closed file: the first closing time stays, and only 15 or 16 may follow while it waits', async (t) => {
  const { file } = await openWorkFile(ctx, AGENCY, { title: 'Đã xong', channel: 'online' })
  const done = await recordWorkFileStep(ctx, file.id, AGENCY, { code: '06', channel: 'online' })
  const closedAt = done.file.closedAt!
  t.same(workFileNextSteps(done.file), [])
  const later = new Date(closedAt.getTime() + 86_400_000)
  const asked = await db.transaction(async (tx) => await advanceWorkFile(tx, file.id, { code: '13', channel: 'online', at: later }))
  t.equal(asked.recallPending, true)
  t.same(workFileNextSteps(asked), ['15', '16'], 'a recall to answer, even on a closed file')
  const agreed = await db.transaction(async (tx) => await advanceWorkFile(tx, file.id, { code: '15', channel: 'online', at: new Date(later.getTime() + 1000) }))
  t.equal(agreed.closedAt?.getTime(), closedAt.getTime(), 'still closed when it was completed, not moved to the recall')
  t.equal(agreed.state, '06', 'the work state stays')
  t.equal(agreed.recallPending, false)
  t.same(workFileNextSteps(agreed), [])
  t.match(stepEvent(agreed, { code: '15', channel: 'online', at: later, official: null, note: null }), { closed: true, closedAt: closedAt.toISOString(), state: '06' })
  const open = await db.transaction(async (tx) => await advanceWorkFile(tx, (await openWorkFile(ctx, AGENCY, { title: 'Đang làm', channel: 'online' })).file.id, { code: '13', channel: 'online', at: later }))
  const refused = await db.transaction(async (tx) => await advanceWorkFile(tx, open.id, { code: '16', channel: 'online', at: later }))
  t.same(workFileNextSteps(refused), ['04', '05', '06'], 'a refused recall resumes the work where it was')
  t.equal(refused.closedAt, null)
})

t.test('a step cannot exist without its work file', async (t) => {
  await t.rejects(sql`insert into inbox.steps (work_file_id, code, channel) values (${'0190a3f0-0000-7000-8000-000000000001'}, '04', 'online')`, /foreign key/)
  await t.rejects(sql`insert into inbox.work_file_documents (work_file_id, document_id, role) values (${'0190a3f0-0000-7000-8000-000000000001'}, 'x', 'response')`, /foreign key/)
})
