import t from 'tap'
import { migratedDatabase, recordingOutbox } from '../fixtures/db.ts'
import { buildEnvelope, type DeliveryMessage } from '@lienthong/contracts'
import type { EnvelopeCheck } from '@lienthong/platform'
import { storeArrival, storeArrivals } from '../../src/domain/item-store.ts'

const { db, sql } = await migratedDatabase(t)
const outbox = recordingOutbox(db)

const SENDER = '000.00.00.H38'
const signedAt = '2026-11-26T08:00:00.000Z'

function delivery (n: number, recipient: string): DeliveryMessage {
  const envelope = buildEnvelope({
    sender: SENDER,
    to: [recipient],
    document: { number: String(n), notation: 'UBND-VP', type: 'Công văn', subject: `Văn bản số ${n}`, issuedAt: '2026-11-26', priority: (n % 4) as 0 | 1 | 2 | 3 },
    signedAt
  })
  return { documentId: envelope.id, recipient, recipients: [recipient, '000.00.32.H38'], recipientCount: 2, sentAt: signedAt, envelope, signatures: { signer: 'a..b', agency: 'c..d' } }
}

const check = (n: number): EnvelopeCheck => ({ valid: n % 2 === 0, digest: `digest-${n}`, findings: [{ valid: true, role: 'signer', agency: SENDER, kid: 'k', alg: 'EdDSA' } as never] })

t.test('many deliveries in one call: one row and one arrival step each, as stored one by one', async (t) => {
  const batch = Array.from({ length: 50 }, (_, n) => ({ delivery: delivery(n, '000.00.31.H38'), check: check(n) }))
  const stored = await storeArrivals(db, outbox, batch)
  t.equal(stored.length, 50)
  t.ok(stored.every((s) => s.created), 'each one new')
  const [one] = stored
  const [row] = await sql`select * from inbox.items where id = ${one!.item.id}`
  t.equal(row!.document_id, batch[0]!.delivery.documentId)
  t.same(row!.recipients, ['000.00.31.H38', '000.00.32.H38'])
  t.same(row!.envelope, batch[0]!.delivery.envelope, 'the envelope kept as delivered')
  t.same(row!.fields, batch[0]!.delivery.envelope.document)
  t.same(row!.signatures, batch[0]!.delivery.signatures)
  t.equal(row!.signatures_valid, true)
  t.equal(row!.envelope_digest, 'digest-0')
  t.equal(row!.state, '01')
  t.equal(row!.priority, 0)
  t.equal(stored[3]!.item.priority, 3)
  t.equal(new Date(row!.sent_at).toISOString(), signedAt)
  t.equal(one!.item.receivedAt.getTime(), new Date(row!.received_at).getTime(), 'the returned item carries the stored times')
  t.same(one!.item.recipients, row!.recipients)
  t.equal(one!.step.code, '01')
  t.equal((one!.step.receipt as { envelopeDigest: string }).envelopeDigest, 'digest-0', 'the receipt names the envelope')

  const single = await storeArrival(db, outbox, delivery(999, '000.00.33.H38'), check(999))
  t.equal(single.created, true)
  t.equal(single.item.signaturesValid, false)
})

t.test('a delivery that comes again, alone or twice in one call, stays one row with one step', async (t) => {
  const d = delivery(500, '000.00.34.H38')
  const first = await storeArrival(db, outbox, d, check(500))
  const again = await storeArrivals(db, outbox, [{ delivery: d, check: check(500) }, { delivery: delivery(501, '000.00.34.H38'), check: check(501) }, { delivery: d, check: check(500) }])
  t.same(again.map((a) => a.created), [false, true, false])
  t.equal(again[0]!.item.id, first.item.id)
  t.equal(again[2]!.step.id, first.step.id, 'the same arrival step')
  const twice = delivery(502, '000.00.35.H38')
  const both = await storeArrivals(db, outbox, [{ delivery: twice, check: check(502) }, { delivery: twice, check: check(502) }])
  t.same(both.map((a) => a.created), [true, false], 'the same delivery twice in one call: stored once')
  t.equal(both[0]!.item.id, both[1]!.item.id)
  const [counts] = await sql`select count(*)::int as items, (select count(*)::int from inbox.steps s join inbox.items i on i.id = s.item_id where i.recipient in ('000.00.34.H38', '000.00.35.H38')) as steps from inbox.items where recipient in ('000.00.34.H38', '000.00.35.H38')`
  t.same(counts, { items: 3, steps: 3 })
})
