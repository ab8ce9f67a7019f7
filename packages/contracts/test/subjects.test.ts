import t from 'tap'
import { CONSUMERS, KV_BUCKETS, STREAMS, deliverSubject, deliveryMessageId, statusMessageId, statusSubject } from '../src/subjects.ts'

t.test('deliver and status subjects carry the code root first', async (t) => {
  t.equal(deliverSubject('007.05.31.H38'), 'deliver.H38.31.05.007')
  t.equal(deliverSubject('000.00.31.H38'), 'deliver.H38.31.00.000')
  t.equal(statusSubject('000.00.00.H38'), 'status.H38.00.00.000')
  t.throws(() => deliverSubject('bad'), /not an agency code/)
  t.throws(() => statusSubject('007.00.31.H38'), /not an agency code/)
})

t.test('a subtree is one wildcard of the deliveries stream', async (t) => {
  const wildcard = 'deliver.H38.31.'
  t.ok(deliverSubject('000.05.31.H38').startsWith(wildcard))
  t.ok(deliverSubject('007.05.31.H38').startsWith(wildcard))
  t.notOk(deliverSubject('000.05.32.H38').startsWith(wildcard))
  t.notOk(deliverSubject('000.00.31.H39').startsWith(wildcard))
})

t.test('subjects fall inside their streams', async (t) => {
  t.same(STREAMS.deliveries.subjects, ['deliver.>'])
  t.same(STREAMS.statuses.subjects, ['status.>'])
  t.ok(deliverSubject('000.00.31.H38').startsWith('deliver.'))
  t.ok(statusSubject('000.00.31.H38').startsWith('status.'))
  t.not(STREAMS.deliveries.name, STREAMS.statuses.name)
  t.not(CONSUMERS.inboxDeliveries, CONSUMERS.routingStatuses)
  t.not(KV_BUCKETS.directory, KV_BUCKETS.authKeys)
})

t.test('message ids are distinct per recipient and per code', async (t) => {
  const doc = '000.00.00.H38,2026/11/26,12/UBND-VP'
  const a = deliveryMessageId(doc, '000.00.31.H38')
  t.equal(a, deliveryMessageId(doc, '000.00.31.H38'), 'stable for the same delivery')
  t.not(a, deliveryMessageId(doc, '000.00.32.H38'))
  t.not(a, deliveryMessageId('000.00.00.H38,2026/11/26,13/UBND-VP', '000.00.31.H38'))
  const s = statusMessageId(doc, '000.00.31.H38', '01')
  t.equal(s, statusMessageId(doc, '000.00.31.H38', '01'))
  t.not(s, statusMessageId(doc, '000.00.31.H38', '03'))
  t.not(s, statusMessageId(doc, '000.00.32.H38', '01'))
  t.not(deliveryMessageId(doc, '000.00.31.H38'), statusMessageId(doc, '000.00.31.H38', '01'), 'deliveries and statuses never collide')
  const ids = new Set<string>()
  for (const r of ['000.00.31.H38', '000.00.32.H38', '000.05.31.H38']) {
    ids.add(deliveryMessageId(doc, r))
    for (const c of ['01', '02', '03', '04', '05', '06']) ids.add(statusMessageId(doc, r, c))
  }
  t.equal(ids.size, 3 * 7)
})
