import t from 'tap'
import { eq } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { Receipt } from '@lienthong/contracts'
import { items, steps, workFiles } from '../../src/db/schema.ts'
import { WITHDRAWN_AT_ONCE_NOTE, appendRecallAnswer, storeRecall } from '../../src/domain/recall-store.ts'
import { originalLinks, laterLinks } from '../../src/domain/business-links.ts'
import { migratedDatabase, recordingOutbox } from '../fixtures/db.ts'

const SENDER = '000.00.00.H38'
const ME = '000.00.31.H38'
const DIGEST = 'a'.repeat(64)

type Db = Awaited<ReturnType<typeof migratedDatabase>>['db']

async function arrived (db: Db, number: string, state: string, business?: { type: 2 | 3, original: string }): Promise<typeof items.$inferSelect> {
  const documentId = `${SENDER},2026/11/26,${number}/UBND-VP`
  const [row] = await db.insert(items).values({
    id: uuidv7(), documentId, recipient: ME, sender: SENDER, subject: 's', priority: 0,
    fields: { number, notation: 'UBND-VP', ...(business !== undefined ? { business } : {}) },
    recipients: [ME], sentAt: new Date(), state, envelopeDigest: DIGEST
  }).returning()
  await db.insert(workFiles).values({ id: row!.id, agency: ME, origin: 'exchange', itemId: row!.id, title: 's', state })
  return row!
}

const recallOf = (item: { documentId: string }, sender = SENDER): any => ({ documentId: item.documentId, sender, recipient: ME, requestedAt: '2026-11-26T08:00:00.000Z', note: 'nhầm' })

t.test('storeRecall', async (t) => {
  const { db } = await migratedDatabase(t)

  t.same(await storeRecall(db, recordingOutbox(db), recallOf({ documentId: `${SENDER},2026/11/26,0/UBND-VP` })), { kind: 'not_arrived' }, 'before its delivery: retried later')

  const fresh = await arrived(db, '1', '01')
  const foreign = await storeRecall(db, recordingOutbox(db), recallOf(fresh, '000.00.32.H38'))
  t.equal(foreign.kind, 'foreign', 'only the document\u2019s sender recalls it')
  t.equal((await db.select().from(items).where(eq(items.id, fresh.id)))[0]!.recallRequestedAt, null, 'and nothing is kept of it')

  const atOnce = await storeRecall(db, recordingOutbox(db), recallOf(fresh))
  if (atOnce.kind !== 'taken') throw new Error('expected taken')
  t.match(atOnce.item, { state: '01', recallAnswer: '15', recallNote: 'nhầm' }, 'not accepted yet: withdrawn at once, the work state kept')
  t.equal(atOnce.item.recallRequestedAt?.toISOString(), '2026-11-26T08:00:00.000Z')
  t.match(atOnce.agreed, { code: '15', signature: null, publishedAt: null, note: WITHDRAWN_AT_ONCE_NOTE }, 'its 15 is stored, to be signed and sent')
  t.match(atOnce.agreed?.receipt, { code: '15', documentId: fresh.documentId, envelopeDigest: DIGEST, recipient: ME, sender: SENDER })

  const again = await storeRecall(db, recordingOutbox(db), recallOf(fresh))
  if (again.kind !== 'taken') throw new Error('expected taken')
  t.equal(again.agreed?.id, atOnce.agreed?.id, 'a redelivery finds the same 15, so an unsent one is sent')
  t.equal((await db.select().from(steps).where(eq(steps.itemId, fresh.id))).length, 1, 'one 15')

  const refused = await arrived(db, '2', '02')
  const r = await storeRecall(db, recordingOutbox(db), recallOf(refused))
  t.match(r, { kind: 'taken', item: { recallAnswer: '15' } }, 'a refused document is withdrawn at once too')

  const accepted = await arrived(db, '3', '04')
  const pending = await storeRecall(db, recordingOutbox(db), recallOf(accepted))
  t.match(pending, { kind: 'taken', item: { state: '04', recallAnswer: null }, agreed: undefined }, 'accepted: kept for the DMS to answer')
  t.ok(pending.kind === 'taken' && pending.item.recallRequestedAt !== null)

  const receipt: Receipt = { type: 'lienthong.receipt', v: 1, documentId: accepted.documentId, envelopeDigest: DIGEST, sender: SENDER, recipient: ME, code: '16', channel: 'online', at: new Date().toISOString() }
  const answered = await db.transaction(async (tx) => await appendRecallAnswer(tx, (pending as { item: typeof items.$inferSelect }).item, receipt, 'sig'))
  t.match(answered.item, { state: '04', recallAnswer: '16' }, 'a refusal leaves the work state where it was')
  t.match(answered.step, { code: '16', signature: 'sig' })
  const redelivered = await storeRecall(db, recordingOutbox(db), recallOf(accepted))
  t.match(redelivered, { kind: 'taken', item: { recallAnswer: '16' }, agreed: undefined }, 'a late redelivery changes nothing')
})

t.test('links between an update or replacement and its original', async (t) => {
  const { db } = await migratedDatabase(t)
  const original = await arrived(db, '10', '03')
  const update = await arrived(db, '11', '01', { type: 2, original: original.documentId })
  const replacement = await arrived(db, '12', '01', { type: 3, original: original.documentId })
  const orphan = await arrived(db, '13', '01', { type: 3, original: `${SENDER},2026/01/01,1/UBND-VP` })
  const links = await originalLinks(db, ME, [original, update, replacement, orphan])
  t.equal(links.get(original.id), undefined)
  t.same(links.get(update.id), { type: 2, documentId: original.documentId, reason: null, itemId: original.id })
  t.equal(links.get(replacement.id)?.itemId, original.id)
  t.equal(links.get(orphan.id)?.itemId, null, 'an original this agency never received')
  t.same(await originalLinks(db, '000.00.32.H38', [update]).then((m) => m.get(update.id)?.itemId), null, 'never another agency\u2019s item')
  t.same(await laterLinks(db, ME, original.documentId), {
    updates: [{ documentId: update.documentId, itemId: update.id }],
    replacements: [{ documentId: replacement.documentId, itemId: replacement.id }]
  })
  t.same(await laterLinks(db, '000.00.32.H38', original.documentId), { updates: [], replacements: [] })
})
