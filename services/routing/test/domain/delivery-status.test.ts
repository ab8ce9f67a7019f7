import t from 'tap'
import { eq } from 'drizzle-orm'
import type { StatusMessage } from '@lienthong/contracts'
import { deliveries, deliveryStatuses, documents } from '../../src/db/schema.ts'
import { deliveryDigests, recordStatuses } from '../../src/domain/delivery-status.ts'
import { migratedDatabase } from '../fixtures/db.ts'

const PROVINCE = '000.00.00.H38'
const D31 = '000.00.31.H38'
const D32 = '000.00.32.H38'
const ID = `${PROVINCE},2026/11/26,1/UBND-VP`

const status = (recipient: string, code: '01' | '03' | '04', at: string): StatusMessage => ({
  receipt: { type: 'lienthong.receipt', v: 1, documentId: ID, envelopeDigest: 'e'.repeat(64), sender: PROVINCE, recipient, code, channel: 'online', at },
  signature: `sig-${recipient}-${code}`
})

t.test('many statuses in one batch: each kept once in the history, the latest one current', async (t) => {
  const { db } = await migratedDatabase(t)
  await db.insert(documents).values({ id: ID, sender: PROVINCE, idempotencyKey: ID, requestDigest: 'x', priority: 0, issuedYear: 2026, number: '1', notation: 'UBND-VP', fields: {}, recipients: [D31, D32], envelopeDigest: 'e'.repeat(64) })
  await db.insert(deliveries).values([{ documentId: ID, recipient: D31 }, { documentId: ID, recipient: D32 }])

  t.same(await deliveryDigests(db, [
    { documentId: ID, recipient: D32, sender: PROVINCE },
    { documentId: ID, recipient: '000.00.33.H38', sender: PROVINCE },
    { documentId: ID, recipient: D31, sender: D31 },
    { documentId: ID, recipient: D31, sender: PROVINCE }
  ]), ['e'.repeat(64), undefined, undefined, 'e'.repeat(64)], 'in the order asked; only real deliveries of that sender')

  // 03 before 01 in the batch, a repeat of 01, and D32's 01 alone
  await recordStatuses(db, [
    status(D31, '03', '2026-11-26T08:05:00.000Z'),
    status(D31, '01', '2026-11-26T08:00:00.000Z'),
    status(D31, '01', '2026-11-26T08:00:00.000Z'),
    status(D32, '01', '2026-11-26T08:01:00.000Z')
  ])
  const current = await db.select().from(deliveries).orderBy(deliveries.recipient)
  t.same(current.map((d) => [d.recipient, d.status, d.statusAt?.toISOString()]), [
    [D31, '03', '2026-11-26T08:05:00.000Z'],
    [D32, '01', '2026-11-26T08:01:00.000Z']
  ])
  const history = await db.select().from(deliveryStatuses).where(eq(deliveryStatuses.recipient, D31)).orderBy(deliveryStatuses.at)
  t.same(history.map((h) => [h.code, h.signature]), [['01', `sig-${D31}-01`], ['03', `sig-${D31}-03`]])

  // a late 01 arriving after 04 does not move the current status back
  await recordStatuses(db, [status(D31, '04', '2026-11-26T08:10:00.000Z')])
  await recordStatuses(db, [status(D31, '01', '2026-11-26T08:00:00.000Z')])
  const [d31] = await db.select().from(deliveries).where(eq(deliveries.recipient, D31))
  t.equal(d31!.status, '04')
  t.equal((await db.select().from(deliveryStatuses).where(eq(deliveryStatuses.recipient, D31))).length, 3)
})
