import t from 'tap'
import { migratedDatabase, recordingOutbox } from '../fixtures/db.ts'
import { buildEnvelope, type DeliveryMessage } from '@lienthong/contracts'
import { markStepsAwaitingSignature, saveSignatures } from '../../src/domain/arrival-receipts.ts'
import { markStepsPublished, storeArrivals } from '../../src/domain/item-store.ts'

const { db, sql } = await migratedDatabase(t)
const outbox = recordingOutbox(db, { '000.00.00.H38': 'province' })

function delivery (n: number): DeliveryMessage {
  const recipient = `000.${String(n).padStart(2, '0')}.31.H38`
  const envelope = buildEnvelope({ sender: '000.00.00.H38', to: [recipient], document: { number: String(n), notation: 'UBND-VP', type: 'Công văn', subject: `Số ${n}`, issuedAt: '2026-11-26' }, signedAt: '2026-11-26T08:00:00.000Z' })
  return { documentId: envelope.id, recipient, recipients: [recipient], recipientCount: 1, sentAt: envelope.signedAt, envelope, signatures: { signer: 'a..b', agency: 'c..d' } }
}

const stored = await storeArrivals(db, outbox, [1, 2, 3].map((n) => ({ delivery: delivery(n), check: { valid: true, digest: `d${n}`, findings: [] } })))
const [a, b, c] = stored.map((s) => s.step.id) as [number, number, number]

t.test('signatures of many steps in one statement; a step already signed keeps its own', async (t) => {
  await saveSignatures(db, [{ stepId: a, signature: 'first-a' }])
  await saveSignatures(db, [{ stepId: a, signature: 'second-a' }, { stepId: b, signature: 'sig-b' }])
  const rows = await sql`select id, signature, awaiting_signature from inbox.steps where id in (${a}, ${b}, ${c}) order by id`
  t.same(rows.map((r) => [Number(r.id), r.signature, r.awaiting_signature]), [[a, 'first-a', false], [b, 'sig-b', false], [c, null, false]])
})

t.test('many steps marked sent in one statement; a step marked before keeps its time', async (t) => {
  await markStepsPublished(db, outbox, [a])
  const [before] = await sql`select published_at from inbox.steps where id = ${a}`
  await markStepsPublished(db, outbox, [a, b])
  const rows = await sql`select id, published_at from inbox.steps where id in (${a}, ${b}, ${c}) order by id`
  t.equal(new Date(rows[0]!.published_at).getTime(), new Date(before!.published_at).getTime())
  t.not(rows[1]!.published_at, null)
  t.equal(rows[2]!.published_at, null, 'a step not named stays in the outbox')
  const told = await sql`select body from inbox.events where body->>'type' = 'document.status' order by body->>'recipient'`
  t.same(told.map((r) => [r.body.agency, r.body.level, r.body.recipient, r.body.code]), [['000.00.00.H38', 'province', '000.01.31.H38', '01'], ['000.00.00.H38', 'province', '000.02.31.H38', '01']],
    'the sender is told once per step sent, however often it is marked')
})

t.test('many steps marked as waiting for their DMS in one statement; a signed step is not', async (t) => {
  await markStepsAwaitingSignature(db, [a, c])
  const rows = await sql`select id, awaiting_signature from inbox.steps where id in (${a}, ${b}, ${c}) order by id`
  t.same(rows.map((r) => [Number(r.id), r.awaiting_signature]), [[a, false], [b, false], [c, true]], 'a was signed above; b was not named')
})
