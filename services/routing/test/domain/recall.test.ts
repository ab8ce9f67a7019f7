import t from 'tap'
import { eq } from 'drizzle-orm'
import { connect } from '@nats-io/transport-node'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { STREAMS, recallSubject } from '@lienthong/contracts'
import { AppError, ensureStreams, errorFactory } from '@lienthong/platform'
import type { RoutingContext } from '../../src/context.ts'
import { deliveries, deliveryStatuses, documents } from '../../src/db/schema.ts'
import { planRecall, requestRecall, storeRecall } from '../../src/domain/recall.ts'
import { documentsWithUnsentRecalls } from '../../src/domain/recalls-publisher.ts'
import { sweepOutbox } from '../../src/domain/outbox-sweeper.ts'
import { createTestNats } from '../../../../test/harness/test-nats.ts'
import { eventually } from '../../../../test/harness/http.ts'
import { migratedDatabase, quietLog, recordingOutbox } from '../fixtures/db.ts'

const SENDER = '000.00.00.H38'
const A = '000.00.31.H38'
const B = '000.00.32.H38'
const C = '000.00.33.H38'

t.test('planRecall: each recipient once, refused and strangers left out', async (t) => {
  const facts = [
    { recipient: A, recallRequestedAt: null, refused: false },
    { recipient: B, recallRequestedAt: new Date(), refused: false },
    { recipient: C, recallRequestedAt: null, refused: true }
  ]
  t.same(planRecall(facts), { fresh: [A], repeated: [B], notRecalled: [{ recipient: C, reason: 'refused' }] }, 'every recipient by default')
  t.same(planRecall(facts, [A, A, '000.00.39.H38']), { fresh: [A], repeated: [], notRecalled: [{ recipient: '000.00.39.H38', reason: 'not_a_recipient' }] }, 'only those named, once each')
  t.same(planRecall([{ recipient: C, recallRequestedAt: new Date(), refused: true }]).repeated, [C], 'a recall already made stays made, whatever came after')
  t.same(planRecall([]), { fresh: [], repeated: [], notRecalled: [] })
})

async function seed (db: Awaited<ReturnType<typeof migratedDatabase>>['db'], number: string, recipients: string[]): Promise<string> {
  const id = `${SENDER},2026/11/26,${number}/UBND-VP`
  await db.insert(documents).values({
    id, sender: SENDER, idempotencyKey: id, requestDigest: 'x', priority: 0, issuedYear: 2026, number, notation: 'UBND-VP',
    fields: { number, notation: 'UBND-VP', type: 'Công văn', subject: 's', issuedAt: '2026-11-26', priority: 0 },
    recipients, publishedAt: new Date()
  })
  await db.insert(deliveries).values(recipients.map((recipient) => ({ documentId: id, recipient, status: '01', statusAt: new Date(Date.now() - 60_000) })))
  return id
}

t.test('storeRecall: the 13 in each history and on each delivery, once', async (t) => {
  const { db } = await migratedDatabase(t)
  const id = await seed(db, '1', [A, B, C])
  await db.insert(deliveryStatuses).values({ documentId: id, recipient: C, code: '02', channel: 'online', at: new Date() })
  const now = new Date()
  const first = await storeRecall(db, recordingOutbox(db), id, { note: 'nhầm' }, now)
  t.same(first.outcome.recalled.map((r) => [r.recipient, r.repeat, r.requestedAt, r.note]), [[A, false, now.toISOString(), 'nhầm'], [B, false, now.toISOString(), 'nhầm']])
  t.same(first.outcome.notRecalled, [{ recipient: C, reason: 'refused' }])
  const rows = await db.select().from(deliveries).orderBy(deliveries.recipient)
  t.same(rows.map((r) => [r.recipient, r.status, r.recallRequestedAt?.toISOString() ?? null, r.recallPublishedAt]), [
    [A, '13', now.toISOString(), null], [B, '13', now.toISOString(), null], [C, '01', null, null]
  ], 'the current status moves to 13; the refused one is untouched')
  const thirteens = await db.select().from(deliveryStatuses).where(eq(deliveryStatuses.code, '13'))
  t.equal(thirteens.length, 2)

  const later = new Date(now.getTime() + 1000)
  const again = await storeRecall(db, recordingOutbox(db), id, { recipients: [A], note: 'khác' }, later)
  t.same(again.outcome.recalled.map((r) => [r.recipient, r.repeat, r.requestedAt, r.note]), [[A, true, now.toISOString(), 'nhầm']], 'a repeat is answered with the first request')
  t.equal((await db.select().from(deliveryStatuses)).length, 3, 'no second 13: the 02 and the two 13s')
})

t.test('requestRecall publishes one message per recipient; a NATS outage leaves it to the sweeper', async (t) => {
  const { db } = await migratedDatabase(t)
  const nats = await createTestNats()
  t.teardown(async () => { await nats.dispose() })
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 })
  t.teardown(async () => { await nc.close() })
  await ensureStreams(nc, [STREAMS.recalls])
  const ctx = { db, js: jetstream(nc, { timeout: 2_000 }), events: recordingOutbox(db), fail: errorFactory('routing'), log: quietLog } as unknown as RoutingContext
  const jsm = await jetstreamManager(nc)
  const count = async (): Promise<number> => (await jsm.streams.info(STREAMS.recalls.name)).state.messages

  await t.rejects(requestRecall(ctx, 'nope', SENDER, {}), { code: 'RTE_DOCUMENT_NOT_FOUND' })
  const id = await seed(db, '2', [A, B])
  await t.rejects(requestRecall(ctx, id, '000.00.31.H38', {}), { code: 'RTE_DOCUMENT_NOT_FOUND' }, 'only the sender recalls')
  await t.rejects(requestRecall(ctx, id, SENDER, { recipients: [C] }), { code: 'RTE_RECALL_NOT_ALLOWED' })

  const outcome = await requestRecall(ctx, id, SENDER, {})
  t.same(outcome.recalled.map((r) => r.recipient), [A, B])
  t.equal(await count(), 2)
  const msg = await jsm.streams.getMessage(STREAMS.recalls.name, { last_by_subj: recallSubject(A) })
  t.match(msg?.json(), { documentId: id, sender: SENDER, recipient: A })
  await requestRecall(ctx, id, SENDER, {})
  t.equal(await count(), 2, 'a repeat publishes nothing new')
  t.same(await documentsWithUnsentRecalls(db, 0), [])

  const other = await seed(db, '3', [A])
  await nats.stop()
  const down = await requestRecall(ctx, other, SENDER, {}).then(() => undefined, (err: unknown) => err)
  t.ok(down instanceof AppError && down.code === 'RTE_UNAVAILABLE', 'no 202 while the recall is not in JetStream')
  t.same(await documentsWithUnsentRecalls(db, 0), [{ id: other, sender: SENDER }], 'but it is stored, in the outbox')
  await nats.start()
  await eventually(async () => (await sweepOutbox(ctx, 0)) > 0 ? true : undefined, 20_000, 'the sweeper sends the recall')
  t.same(await documentsWithUnsentRecalls(db, 0), [])
  t.equal(await count(), 3)
})
