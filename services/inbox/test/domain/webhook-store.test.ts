import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import { webhookDeliveries } from '../../src/db/schema.ts'
import {
  claimDueDeliveries, enqueueDeliveries, enqueueDelivery, listDeadLetters, pruneDelivered, recordDelivered, recordFailure, replayDeadLetters
} from '../../src/domain/webhook-delivery-store.ts'
import { findWebhook, registerWebhook, removeWebhook } from '../../src/domain/webhook-store.ts'
import { migratedDatabase } from '../fixtures/db.ts'

const A = '000.00.31.H38'
const B = '000.00.32.H38'
const C = '000.00.33.H38'
const LEASE = 60_000

type Db = Awaited<ReturnType<typeof migratedDatabase>>['db']

async function enqueue (db: Db, agency: string, seq: number): Promise<{ id: string, made: boolean }> {
  const id = uuidv7()
  const made = await enqueueDelivery(db, { agency, eventId: id, eventSeq: seq, body: { id, agency, type: 'item.arrived', subject: `s${seq}` } })
  return { id, made }
}

async function rowOf (db: Db, eventId: string): Promise<typeof webhookDeliveries.$inferSelect> {
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId))
  return row!
}

async function dbNow (db: Db): Promise<number> {
  const [row] = await db.execute<{ now: string }>(sql`select now()::text as now`)
  return new Date(row!.now).getTime()
}

t.test('registering, replacing, showing and removing a webhook', async (t) => {
  const { db } = await migratedDatabase(t)
  t.equal(await findWebhook(db, A), undefined)
  const first = await registerWebhook(db, A, 'https://dms.example.vn/a', 'whsec_first')
  t.equal(first.created, true)
  const again = await registerWebhook(db, A, 'https://dms.example.vn/a2', 'whsec_second')
  t.equal(again.created, false, 'a replacement')
  t.equal(again.createdAt.getTime(), first.createdAt.getTime(), 'the first registration\u2019s time is kept')
  t.ok(again.updatedAt >= first.updatedAt)
  const [stored] = await db.execute<{ url: string, secret: string }>(sql`select url, secret from inbox.webhooks where agency = ${A}`)
  t.same(stored, { url: 'https://dms.example.vn/a2', secret: 'whsec_second' }, 'the new URL and secret replace the old')

  const e1 = await enqueue(db, A, 1)
  const e2 = await enqueue(db, A, 2)
  await db.update(webhookDeliveries).set({ state: 'dead' }).where(eq(webhookDeliveries.eventId, e2.id))
  const view = await findWebhook(db, A)
  t.match(view, { url: 'https://dms.example.vn/a2', pending: 1, dead: 1 })
  t.notOk(Object.keys(view!).includes('secret'), 'never the secret')

  await registerWebhook(db, B, 'https://dms.example.vn/b', 'whsec_b')
  const b1 = await enqueue(db, B, 3)
  t.equal(await removeWebhook(db, A), true)
  t.equal(await findWebhook(db, A), undefined)
  t.equal(await removeWebhook(db, A), false, 'nothing left to remove')
  const left = await db.select({ eventId: webhookDeliveries.eventId }).from(webhookDeliveries)
  t.same(left.map((r) => r.eventId), [b1.id], 'its pending and dead deliveries went with it, another agency\u2019s stayed')
  t.ok(e1.made)
})

t.test('an event is stored once, and only for an agency with a webhook', async (t) => {
  const { db } = await migratedDatabase(t)
  t.equal((await enqueue(db, A, 1)).made, false, 'no webhook: nothing stored')
  await registerWebhook(db, A, 'https://dms.example.vn/a', 'whsec_a')
  const id = uuidv7()
  const event = { agency: A, eventId: id, eventSeq: 7, body: { id, agency: A, type: 'item.arrived' } }
  t.equal(await enqueueDelivery(db, event), true)
  t.equal(await enqueueDelivery(db, { ...event, eventSeq: 8 }), false, 'a redelivery of the event is a no-op')
  t.match(await rowOf(db, id), { agency: A, eventSeq: 7, state: 'pending', attempts: 0, body: { type: 'item.arrived' } })
})

t.test('many events in one statement: stored for agencies with a webhook, once each', async (t) => {
  const { db } = await migratedDatabase(t)
  await registerWebhook(db, A, 'https://dms.example.vn/a', 'whsec_a')
  await registerWebhook(db, C, 'https://dms.example.vn/c', 'whsec_c')
  const ev = (agency: string, seq: number): { agency: string, eventId: string, eventSeq: number, body: unknown } => ({ agency, eventId: uuidv7(), eventSeq: seq, body: { agency, seq } })
  const [a1, b1, c1, a2] = [ev(A, 1), ev(B, 2), ev(C, 3), ev(A, 4)]
  t.same(await enqueueDeliveries(db, [a1!, b1!, c1!, a2!, a1!]), [true, false, true, true, false], 'B has no webhook; the repeat of a1 in the same batch is stored once')
  t.same(await enqueueDeliveries(db, [a2!, c1!]), [false, false], 'a redelivery stores nothing')
  const rows = await db.select().from(webhookDeliveries)
  t.same(rows.map((r) => [r.agency, r.eventSeq]).sort(), [[A, 1], [A, 4], [C, 3]])
})

t.test('claiming: due rows only, each by one claimer, with a lease', async (t) => {
  const { db } = await migratedDatabase(t)
  await registerWebhook(db, A, 'https://dms.example.vn/a', 'whsec_a')
  await registerWebhook(db, B, 'https://dms.example.vn/b', 'whsec_b')
  const events = []
  for (let i = 0; i < 10; i++) events.push(await enqueue(db, i % 2 === 0 ? A : B, i))
  const later = events[9]!
  await db.update(webhookDeliveries).set({ nextAttemptAt: sql`now() + interval '1 hour'` }).where(eq(webhookDeliveries.eventId, later.id))

  // Two claimers at once (as two copies of the inbox would) never get the same row.
  const before = await dbNow(db)
  const [one, two] = await Promise.all([claimDueDeliveries(db, 4, LEASE), claimDueDeliveries(db, 4, LEASE)])
  const ids = [...one!, ...two!].map((d) => d.eventId)
  t.equal(ids.length, 8)
  t.equal(new Set(ids).size, 8, 'no row claimed twice')
  t.notOk(ids.includes(later.id), 'a row not due yet is not claimed')
  const claimed = one![0]!
  t.match(claimed, { url: claimed.agency === A ? 'https://dms.example.vn/a' : 'https://dms.example.vn/b', secret: claimed.agency === A ? 'whsec_a' : 'whsec_b', attempts: 0 })
  t.match(claimed.body, { id: claimed.eventId, type: 'item.arrived' })
  const leased = await rowOf(db, claimed.eventId)
  t.ok(leased.nextAttemptAt.getTime() >= before + LEASE, 'the lease moves the next attempt ahead')
  t.equal(leased.state, 'pending')

  const rest = await claimDueDeliveries(db, 10, LEASE)
  t.equal(rest.length, 1, 'the one row left due')
  t.same(await claimDueDeliveries(db, 10, LEASE), [], 'nothing left due while the lease lasts')
  await db.update(webhookDeliveries).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(webhookDeliveries.eventId, claimed.eventId))
  t.same((await claimDueDeliveries(db, 10, LEASE)).map((d) => d.eventId), [claimed.eventId], 'a lease that ran out (a copy died mid-call) is claimed again')
})

t.test('delivered, retried on its schedule, given up, replayed', async (t) => {
  const { db } = await migratedDatabase(t)
  await registerWebhook(db, A, 'https://dms.example.vn/a', 'whsec_a')
  const ok = await enqueue(db, A, 1)
  const failing = await enqueue(db, A, 2)
  const [d1, d2] = await claimDueDeliveries(db, 2, LEASE)

  await recordDelivered(db, d1!.id, 204)
  t.match(await rowOf(db, ok.id), { state: 'delivered', attempts: 1, lastStatus: 204, lastError: null })
  t.ok((await rowOf(db, ok.id)).finishedAt !== null)

  const before = await dbNow(db)
  t.equal(await recordFailure(db, d2!.id, { status: 500, error: 'the receiver answered 500', delayMs: 20_000, giveUpMs: 3_600_000 }), 'pending')
  const after = await dbNow(db)
  const retried = await rowOf(db, failing.id)
  t.match(retried, { state: 'pending', attempts: 1, lastStatus: 500, lastError: 'the receiver answered 500', finishedAt: null })
  t.ok(retried.nextAttemptAt.getTime() >= before + 20_000 && retried.nextAttemptAt.getTime() <= after + 20_000, 'the next attempt after the wait given')
  t.equal(await recordFailure(db, d2!.id, { status: null, error: 'ECONNREFUSED', delayMs: 40_000, giveUpMs: 3_600_000 }), 'pending')
  t.match(await rowOf(db, failing.id), { attempts: 2, lastStatus: null, lastError: 'ECONNREFUSED' })

  // The same failure once the delivery is as old as the give-up period: given up.
  await db.update(webhookDeliveries).set({ createdAt: sql`now() - interval '1 hour'` }).where(eq(webhookDeliveries.id, d2!.id))
  t.equal(await recordFailure(db, d2!.id, { status: 503, error: 'the receiver answered 503', delayMs: 40_000, giveUpMs: 3_600_000 }), 'dead')
  const dead = await rowOf(db, failing.id)
  t.match(dead, { state: 'dead', attempts: 3, lastStatus: 503 })
  t.ok(dead.finishedAt !== null)
  t.equal(await recordFailure(db, d2!.id, { status: 500, error: 'late', delayMs: 1, giveUpMs: 1 }), undefined, 'an outcome for a settled row changes nothing')
  t.equal(await recordFailure(db, d1!.id, { status: 500, error: 'late', delayMs: 1, giveUpMs: 1 }), undefined)
  t.equal((await rowOf(db, ok.id)).state, 'delivered')
  t.same(await claimDueDeliveries(db, 10, LEASE), [], 'neither delivered nor dead rows are claimed')

  const replayedAt = await dbNow(db)
  t.equal(await replayDeadLetters(db, { ids: [d2!.id] }), 1)
  const back = await rowOf(db, failing.id)
  t.match(back, { state: 'pending', attempts: 0, finishedAt: null })
  t.ok(back.createdAt.getTime() >= replayedAt, 'a whole give-up period again')
  t.ok(back.nextAttemptAt.getTime() <= await dbNow(db), 'due at once')
  t.equal(await replayDeadLetters(db, { ids: [d2!.id, d1!.id] }), 0, 'only dead letters are replayed')
  t.same((await claimDueDeliveries(db, 10, LEASE)).map((d) => d.id), [d2!.id])
})

t.test('the dead-letter list and replays by agency', async (t) => {
  const { db } = await migratedDatabase(t)
  for (const agency of [A, B, C]) await registerWebhook(db, agency, `https://dms.example.vn/${agency}`, 'whsec_x')
  const rows = []
  for (let i = 0; i < 7; i++) rows.push(await enqueue(db, [A, B, C][i % 3]!, i))
  await db.update(webhookDeliveries).set({ state: 'dead', finishedAt: sql`now()`, lastError: 'the receiver answered 500', attempts: 9 })
  await db.update(webhookDeliveries).set({ state: 'delivered' }).where(eq(webhookDeliveries.eventId, rows[6]!.id))

  const page1 = await listDeadLetters(db, { limit: 4 })
  t.equal(page1.items.length, 4)
  t.match(page1.items[0], { agency: A, eventId: rows[0]!.id, eventSeq: 0, eventType: 'item.arrived', attempts: 9, lastError: 'the receiver answered 500' })
  const page2 = await listDeadLetters(db, { limit: 4, cursor: page1.next! })
  t.same(page2.items.map((d) => d.eventId), [rows[4]!.id, rows[5]!.id], 'the rest, a delivered row not among them')
  t.equal(page2.next, null)
  const ofB = await listDeadLetters(db, { agency: B, limit: 10 })
  t.same(ofB.items.map((d) => d.eventId), [rows[1]!.id, rows[4]!.id])

  t.equal(await replayDeadLetters(db, { agency: C }), 2)
  t.equal(await replayDeadLetters(db, { agency: A, ids: [ofB.items[0]!.id] }), 0, 'ids and agency together: those ids of that agency')
  t.equal(await replayDeadLetters(db, { agency: B, ids: [ofB.items[0]!.id] }), 1)
  t.same((await listDeadLetters(db, { limit: 10 })).items.map((d) => d.eventId), [rows[0]!.id, rows[3]!.id, rows[4]!.id])
  await t.rejects(replayDeadLetters(db, {}), /name the dead letters/)
})

t.test('delivered rows are forgotten after a while; pending and dead ones are kept', async (t) => {
  const { db } = await migratedDatabase(t)
  await registerWebhook(db, A, 'https://dms.example.vn/a', 'whsec_a')
  const old = await enqueue(db, A, 1)
  const recent = await enqueue(db, A, 2)
  const deadOld = await enqueue(db, A, 3)
  await db.update(webhookDeliveries).set({ state: 'delivered', finishedAt: sql`now() - interval '8 days'` }).where(eq(webhookDeliveries.eventId, old.id))
  await db.update(webhookDeliveries).set({ state: 'delivered', finishedAt: sql`now() - interval '1 day'` }).where(eq(webhookDeliveries.eventId, recent.id))
  await db.update(webhookDeliveries).set({ state: 'dead', finishedAt: sql`now() - interval '30 days'` }).where(eq(webhookDeliveries.eventId, deadOld.id))
  t.equal(await pruneDelivered(db, 7 * 24 * 3_600_000), 1)
  const left = await db.select({ eventId: webhookDeliveries.eventId }).from(webhookDeliveries)
  t.same(left.map((r) => r.eventId).sort(), [recent.id, deadOld.id].sort())
})

t.test('claiming shares the slots: at most perAgency of one agency, less what is already in flight', async (t) => {
  const { db } = await migratedDatabase(t)
  await registerWebhook(db, A, 'https://dms.example.vn/a', 'whsec_a')
  await registerWebhook(db, B, 'https://dms.example.vn/b', 'whsec_b')
  for (let i = 0; i < 20; i++) await enqueue(db, A, i)
  for (let i = 20; i < 23; i++) await enqueue(db, B, i)
  const first = await claimDueDeliveries(db, 8, LEASE, { perAgency: 2 })
  t.same(first.map((d) => d.agency).sort(), [A, A, B, B], 'a backlog of A does not take every slot')
  const second = await claimDueDeliveries(db, 8, LEASE, { perAgency: 2, busy: new Map([[A, 2], [B, 1]]) })
  t.same(second.map((d) => d.agency), [B], 'an agency with its share in flight waits; B had one slot left')
  const third = await claimDueDeliveries(db, 8, LEASE, { perAgency: 2, busy: new Map([[A, 1]]) })
  t.same(third.map((d) => d.agency), [A])
})
