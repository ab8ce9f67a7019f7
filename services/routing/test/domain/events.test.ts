import t from 'tap'
import { STREAMS, eventSubject, RoutingEvent } from '@lienthong/contracts'
import { storeDocument, type NewDocument } from '../../src/domain/document-store.ts'
import { storeRecall } from '../../src/domain/recall.ts'
import { RoutingOutbox } from '../../src/domain/event-outbox.ts'
import { eventsNats } from '../../../../test/harness/test-nats.ts'
import { eventually } from '../../../../test/harness/http.ts'
import { migratedDatabase, quietLog, recordingOutbox } from '../fixtures/db.ts'

const SENDER = '000.00.00.H38'
const A = '000.00.31.H38'
const B = '000.00.32.H38'

function newDocument (number: string, recipients: string[], signedBy: 'dms' | 'custody' = 'custody'): NewDocument {
  const id = `${SENDER},2026/11/26,${number}/UBND-VP`
  return {
    id,
    sender: SENDER,
    idempotencyKey: id,
    requestDigest: `digest-${number}`,
    fields: { number, notation: 'UBND-VP', type: 'Công văn', subject: `Trích yếu ${number}`, issuedAt: '2026-11-26', priority: 1 },
    recipients,
    signed: {
      envelope: { attachments: [{ sha256: 'a'.repeat(64) }, { sha256: 'b'.repeat(64) }] } as never,
      signatures: { signer: 'x', agency: 'y' } as never,
      digest: 'envelope-digest',
      signedBy
    }
  }
}

async function rows (sql: Awaited<ReturnType<typeof migratedDatabase>>['sql']): Promise<any[]> {
  return (await sql`select agency, body from routing.events order by created_at, id`).map((r) => r.body)
}

t.test('a document sent is told in the transaction that stores it, once', async (t) => {
  const { db, sql } = await migratedDatabase(t)
  const outbox = recordingOutbox(db, { [SENDER]: 'province' })
  const first = await storeDocument(db, outbox, newDocument('1', [A, B], 'dms'))
  t.ok(first.created)
  const [sent, ...others] = await rows(sql)
  t.same(others, [])
  t.same(RoutingEvent.parse(sent), sent, 'a valid routing event')
  t.match(sent, {
    type: 'document.sent', agency: SENDER, level: 'province', documentId: first.row.id, sender: SENDER, recipients: [A, B], priority: 1,
    number: '1', notation: 'UBND-VP', documentType: 'Công văn', subject: 'Trích yếu 1', issuedAt: '2026-11-26', attachments: 2,
    signedBy: 'dms', envelopeDigest: 'envelope-digest', businessType: null, originalId: null, responseFor: null
  })

  const repeat = await storeDocument(db, outbox, newDocument('1', [A, B]))
  t.notOk(repeat.created, 'a retry stores nothing')
  t.equal((await rows(sql)).length, 1, 'and tells nothing')

  await t.rejects(storeDocument(db, outbox, newDocument('2', [A, A])), 'a delivery that cannot be stored rolls the send back')
  t.equal((await rows(sql)).length, 1, 'and its event with it')
  t.equal((await sql`select count(*)::int as n from routing.documents`)[0]!.n, 1)
})

t.test('a recall is told with the recipients it recalled for the first time, in its transaction', async (t) => {
  const { db, sql } = await migratedDatabase(t)
  const outbox = recordingOutbox(db)
  const { row } = await storeDocument(db, outbox, newDocument('3', [A, B]))
  await sql`delete from routing.events`
  const now = new Date()
  await storeRecall(db, outbox, row.id, { recipients: [A], note: 'nhầm' }, now)
  t.match(await rows(sql), [{ type: 'document.recalled', agency: SENDER, level: null, at: now.toISOString(), documentId: row.id, recipients: [A], note: 'nhầm' }])
  await storeRecall(db, outbox, row.id, {}, now)
  const [, second, ...more] = await rows(sql)
  t.match(second, { type: 'document.recalled', recipients: [B], note: null }, 'A was recalled before: only B is new')
  t.same(more, [])
  await storeRecall(db, outbox, row.id, {}, now)
  await storeRecall(db, outbox, row.id, { recipients: ['000.00.39.H38'] }, now)
  t.equal((await rows(sql)).length, 2, 'a repeat, or a recall of no recipient, tells nothing')
})

t.test('published to EVENTS on the sender\u2019s routing subject and deleted; the sweeper sends what was left', async (t) => {
  const { db, sql } = await migratedDatabase(t)
  const { nats, nc, js } = await eventsNats(t)
  const outbox = new RoutingOutbox(db, js, () => 'province', quietLog)
  const subject = eventSubject(SENDER, 'routing')
  t.equal(subject, 'events.H38.00.00.000.routing')
  const streamed = async (): Promise<any[]> => {
    const consumer = await js.consumers.get(STREAMS.events.name, { filter_subjects: subject })
    const pending = (await consumer.info(true)).num_pending
    const out: any[] = []
    if (pending === 0) return out
    for await (const m of await consumer.fetch({ max_messages: pending, expires: 2_000 })) out.push(m.json())
    return out
  }

  const { row } = await storeDocument(db, outbox, newDocument('4', [A]))
  await eventually(async () => (await rows(sql)).length === 0 ? true : undefined, 10_000, 'published and deleted')
  t.match(await streamed(), [{ type: 'document.sent', documentId: row.id, level: 'province' }])

  // as if routing died between the commit and the publish
  const { row: other } = await storeDocument(db, recordingOutbox(db), newDocument('5', [A]))
  t.equal(await outbox.sweep(60_000), 0, 'too recent for the sweeper')
  t.equal(await outbox.sweep(0), 1)
  t.equal((await rows(sql)).length, 0)
  const all = await streamed()
  t.same(all.map((e) => e.documentId), [row.id, other.id], 'each once')
})
