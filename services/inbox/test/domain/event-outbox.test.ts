import t from 'tap'
import { STREAMS, eventSubject } from '@lienthong/contracts'
import { EventOutbox } from '../../src/domain/event-outbox.ts'
import { migratedDatabase, quietLog } from '../fixtures/db.ts'
import { eventsNats } from '../../../../test/harness/test-nats.ts'

const { db, sql } = await migratedDatabase(t)
const { nats, nc, js } = await eventsNats(t)
const AGENCY = '000.00.31.H38'
const outbox = new EventOutbox(db, js, () => 'district', quietLog)

async function streamed (): Promise<any[]> {
  const consumer = await js.consumers.get(STREAMS.events.name, { filter_subjects: eventSubject(AGENCY, 'inbox') })
  const pending = (await consumer.info(true)).num_pending
  if (pending === 0) return []
  const out: any[] = []
  for await (const m of await consumer.fetch({ max_messages: pending, expires: 2_000 })) out.push(m.json())
  return out
}

const changed = (n: number): any => ({ type: 'work-file.changed', agency: AGENCY, at: new Date().toISOString(), workFileId: '0190a3f0-0000-7000-8000-00000000000' + String(n), dueAt: null })

t.test('recorded in the caller\u2019s transaction, published in order after it, then deleted', async (t) => {
  const made = await db.transaction(async (tx) => await outbox.record(tx, [changed(1), changed(2), changed(3)]))
  t.same(made.map((e) => e.level), ['district', 'district', 'district'])
  t.equal((await sql`select count(*)::int as n from inbox.events`)[0]!.n, 3, 'in the table until published')
  outbox.publish(made)
  const seen = await (async () => {
    for (let i = 0; i < 100; i++) {
      const left = (await sql`select count(*)::int as n from inbox.events`)[0]!.n
      if (left === 0) return await streamed()
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('never published')
  })()
  t.same(seen.map((e) => e.workFileId), made.map((e) => (e as { workFileId?: string }).workFileId), 'in their order')
})

t.test('a rolled-back transaction leaves no event', async (t) => {
  await t.rejects(db.transaction(async (tx) => { await outbox.record(tx, [changed(4)]); throw new Error('rolled back') }))
  t.equal((await sql`select count(*)::int as n from inbox.events`)[0]!.n, 0)
})

t.test('the sweeper publishes what JetStream missed, and a second publish is dropped by the event id', async (t) => {
  const made = await db.transaction(async (tx) => await outbox.record(tx, [changed(5)]))
  // as if the process died before publishing: nothing published, the row stays
  t.equal(await outbox.sweep(60_000), 0, 'too recent for the sweeper')
  t.equal(await outbox.sweep(0), 1)
  t.equal(await outbox.sweep(0), 0, 'deleted once published')
  await db.transaction(async (tx) => await outbox.record(tx, [changed(6), changed(7), changed(8), changed(9), changed(0)]))
  t.equal(await outbox.sweep(0, 2), 5, 'a backlog goes out in one sweep, page after page')
  await js.publish(eventSubject(AGENCY, 'inbox'), JSON.stringify(made[0]), { msgID: made[0]!.id })
  const seen = (await streamed()).filter((e) => e.id === made[0]!.id)
  t.equal(seen.length, 1, 'the stream has it once')
})
