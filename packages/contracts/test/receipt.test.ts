import t from 'tap'
import { Receipt, StatusMessage } from '../src/receipt.ts'

const receipt = {
  type: 'lienthong.receipt',
  v: 1,
  documentId: '000.00.00.H38,2026/11/26,12/UBND-VP',
  envelopeDigest: 'a'.repeat(64),
  sender: '000.00.00.H38',
  recipient: '000.00.31.H38',
  code: '03',
  channel: 'online',
  at: '2026-11-26T08:00:00+07:00'
}

t.test('a receipt names the document, its envelope digest, the step and its time', async (t) => {
  t.same(Receipt.parse(receipt), receipt)
  t.ok(Receipt.safeParse({ ...receipt, at: '2026-11-26T01:00:00Z', note: 'ok', official: { name: 'B' } }).success)
  t.equal(Receipt.safeParse({ ...receipt, at: '2026-11-26' }).success, false, 'at must be a datetime')
  t.equal(Receipt.safeParse({ ...receipt, code: '07' }).success, false)
  t.equal(Receipt.safeParse({ ...receipt, channel: 'fax' }).success, false)
  t.equal(Receipt.safeParse({ ...receipt, recipient: 'x' }).success, false)
  t.equal(Receipt.safeParse({ ...receipt, note: 'x'.repeat(2001) }).success, false)
  t.equal(Receipt.safeParse({ ...receipt, envelopeDigest: 'A'.repeat(64) }).success, false, 'lowercase hex only')
  t.equal(Receipt.safeParse({ ...receipt, type: 'lienthong.envelope' }).success, false, 'an envelope type never passes as a receipt')
  t.equal(Receipt.safeParse({ ...receipt, extra: 1 }).success, false, 'nothing unsigned rides along')
})

t.test('a status message is a receipt with its signature', async (t) => {
  const msg = { receipt, signature: 'eyJhbGciOiJFZERTQSJ9..c2ln' }
  t.same(StatusMessage.parse(msg), msg)
  t.equal(StatusMessage.safeParse({ receipt }).success, false, 'an unsigned status is not a status message')
  t.equal(StatusMessage.safeParse({ ...msg, signature: '' }).success, false)
  t.equal(StatusMessage.safeParse({ ...msg, signature: 'x'.repeat(64 * 1024 + 1) }).success, false)
})
