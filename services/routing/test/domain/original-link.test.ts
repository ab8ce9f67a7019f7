import t from 'tap'
import { eq } from 'drizzle-orm'
import { errorFactory } from '@lienthong/platform'
import { documents } from '../../src/db/schema.ts'
import { businessLinks } from '../../src/domain/delivery-status.ts'
import { checkOriginal } from '../../src/domain/original-link.ts'
import { migratedDatabase } from '../fixtures/db.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const fields = (number: string, business?: { type: 2 | 3, original: string }): any => ({
  number, notation: 'UBND-VP', type: 'Công văn', subject: 's', issuedAt: '2026-11-26', priority: 0, ...(business !== undefined ? { business } : {})
})

t.test('an update or replacement names the sender\u2019s own document; the link is read back both ways', async (t) => {
  const { db } = await migratedDatabase(t)
  const ctx = { db, fail: errorFactory('routing') }
  const store = async (sender: string, number: string, business?: { type: 2 | 3, original: string }): Promise<string> => {
    const id = `${sender},2026/11/26,${number}/UBND-VP`
    await db.insert(documents).values({ id, sender, idempotencyKey: id, requestDigest: 'x', priority: 0, issuedYear: 2026, number, notation: 'UBND-VP', fields: fields(number, business), recipients: [] })
    return id
  }
  const original = await store(PROVINCE, '1')
  const theirs = await store(DISTRICT, '1')

  await t.resolves(checkOriginal(ctx, PROVINCE, fields('2')), 'a new document names nothing')
  await t.resolves(checkOriginal(ctx, PROVINCE, fields('2', { type: 2, original })))
  await t.rejects(checkOriginal(ctx, PROVINCE, fields('2', { type: 3, original: `${PROVINCE},2026/01/01,9/UBND-VP` })), { code: 'RTE_ORIGINAL_NOT_FOUND', status: 422 })
  await t.rejects(checkOriginal(ctx, PROVINCE, fields('2', { type: 2, original: theirs })), { code: 'RTE_ORIGINAL_NOT_FOUND' }, 'not another agency\u2019s')

  const update = await store(PROVINCE, '2', { type: 2, original })
  const replacement = await store(PROVINCE, '3', { type: 3, original })
  const [row] = await db.select().from(documents).where(eq(documents.id, update))
  t.same([row!.businessType, row!.originalId], [2, original], 'Postgres derives the link from the signed fields')
  const [orig] = await db.select().from(documents).where(eq(documents.id, original))
  t.same(await businessLinks(db, orig!), { original: null, updates: [update], replacements: [replacement] })
  t.same(await businessLinks(db, row!), { original: { id: original, type: 2 }, updates: [], replacements: [] })
})
