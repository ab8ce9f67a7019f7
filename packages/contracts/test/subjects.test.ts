import t from 'tap'
import { CONSUMERS, DELIVERY_LANES, KV_BUCKETS, STREAMS, deliverSubject, deliverSubtreeSubject, deliveryMessageId, inboxLaneConsumer, laneOf, recallMessageId, recallSubject, statusMessageId, statusSubject } from '../src/subjects.ts'

t.test('deliver and status subjects carry the code root first', async (t) => {
  t.equal(deliverSubject('007.05.31.H38'), 'deliver.thuong.H38.31.05.007')
  t.equal(deliverSubject('000.00.31.H38', 3), 'deliver.hoatoc.H38.31.00.000')
  t.equal(recallSubject('007.05.31.H38'), 'recall.H38.31.05.007')
  t.equal(statusSubject('000.00.00.H38'), 'status.H38.00.00.000')
  t.throws(() => deliverSubject('bad'), /not an agency code/)
  t.throws(() => statusSubject('007.00.31.H38'), /not an agency code/)
})

t.test('a subtree is one wildcard of the deliveries stream', async (t) => {
  t.equal(deliverSubtreeSubject('000.00.31.H38'), 'deliver.*.H38.31.>')
  t.equal(deliverSubtreeSubject('000.00.31.H38', 'hoatoc'), 'deliver.hoatoc.H38.31.>')
  // NATS matching, spelled out: `*` is one token, `>` one or more at the end.
  const matches = (filter: string, subject: string): boolean => {
    const f = filter.split('.')
    const s = subject.split('.')
    for (let i = 0; i < f.length; i++) {
      if (f[i] === '>') return s.length > i
      if (f[i] !== '*' && f[i] !== s[i]) return false
    }
    return f.length === s.length
  }
  const wildcard = deliverSubtreeSubject('000.00.31.H38')
  t.ok(matches(wildcard, deliverSubject('000.00.31.H38', 1)), 'the district itself')
  t.ok(matches(wildcard, deliverSubject('000.05.31.H38')))
  t.ok(matches(wildcard, deliverSubject('007.05.31.H38', 4)))
  t.notOk(matches(wildcard, deliverSubject('000.05.32.H38')))
  t.notOk(matches(wildcard, deliverSubject('000.00.31.H39')))
  t.notOk(matches(deliverSubtreeSubject('000.00.31.H38', 'hoatoc'), deliverSubject('007.05.31.H38', 0)), 'a lane is part of the filter')
})

t.test('priorities map to lanes, most urgent first', async (t) => {
  t.same(DELIVERY_LANES, ['hoatoc', 'thuongkhan', 'khan', 'thuong'])
  t.same(([0, 1, 2, 3, 4] as const).map(laneOf), ['thuong', 'khan', 'thuongkhan', 'hoatoc', 'hoatoc'])
  t.equal(new Set(DELIVERY_LANES.map(inboxLaneConsumer)).size, 4)
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
  t.not(recallMessageId(doc, '000.00.31.H38'), deliveryMessageId(doc, '000.00.31.H38'))
})
