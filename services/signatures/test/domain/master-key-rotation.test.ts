import { randomBytes } from 'node:crypto'
import t from 'tap'
import type { KeyRole } from '@lienthong/contracts'
import { custodyKeys } from '../../src/db/schema.ts'
import { enrollAgencies } from '../../src/domain/custody-keys.ts'
import { openPrivateKey } from '../../src/domain/key-sealing.ts'
import { resealUnderCurrentMasterKey } from '../../src/domain/master-key-rotation.ts'
import { MasterKeyError, MasterKeySet } from '../../src/domain/master-keys.ts'
import { migratedDatabase } from '../fixtures/db.ts'

const { db } = await migratedDatabase(t)
const old = { id: 'mk-2025', key: randomBytes(32) }
const current = { id: 'mk-2026', key: randomBytes(32) }
const agencies = ['000.05.31.H38', '000.06.31.H38', '000.00.31.H38']

async function rows (): Promise<Array<typeof custodyKeys.$inferSelect>> {
  return await db.select().from(custodyKeys).orderBy(custodyKeys.id)
}

function privateJwkD (row: typeof custodyKeys.$inferSelect, masters: MasterKeySet): string {
  return openPrivateKey(row, { agency: row.agency, role: row.role as KeyRole, kid: row.kid }, masters).export({ format: 'jwk' }).d!
}

t.test('re-seals every key under the current master key; the keys themselves do not change', async (t) => {
  await enrollAgencies(db, new MasterKeySet([old]), agencies)
  const before = await rows()
  t.equal(before.length, 6)
  t.ok(before.every((r) => r.masterKeyId === 'mk-2025'))
  const secrets = before.map((r) => privateJwkD(r, new MasterKeySet([old])))

  const rotated = new MasterKeySet([current, old])
  t.same(await resealUnderCurrentMasterKey(db, rotated), { resealed: 6 })
  const after = await rows()
  t.ok(after.every((r) => r.masterKeyId === 'mk-2026'))
  t.same(after.map((r) => [r.agency, r.role, r.kid, r.publicJwk, r.retiredAt]), before.map((r) => [r.agency, r.role, r.kid, r.publicJwk, r.retiredAt]))
  t.ok(after.every((r, i) => !r.ciphertext.equals(before[i]!.ciphertext)), 'new ciphertexts')
  t.same(after.map((r) => privateJwkD(r, new MasterKeySet([current]))), secrets, 'the new master key alone opens them, to the same keys')
  t.same(await resealUnderCurrentMasterKey(db, rotated), { resealed: 0 }, 'a second run has nothing to do')
})

t.test('mixed rows: only those under an older key move', async (t) => {
  const rotated = new MasterKeySet([current, old])
  await enrollAgencies(db, new MasterKeySet([old]), ['000.00.00.H38'])
  t.same(await resealUnderCurrentMasterKey(db, rotated), { resealed: 2 })
  t.ok((await rows()).every((r) => r.masterKeyId === 'mk-2026'))
})

t.test('refuses to start when a key is sealed under a master key that is not configured', async (t) => {
  const lost = new MasterKeySet([{ id: 'mk-2027', key: randomBytes(32) }])
  const err = await t.rejects(resealUnderCurrentMasterKey(db, lost), MasterKeyError) as unknown as Error
  t.match(String(err), /sealed under master keys that are not configured: mk-2026 \(8 keys\)/)
  t.notMatch(String(err), current.key.toString('base64'))
  t.ok((await rows()).every((r) => r.masterKeyId === 'mk-2026'), 'nothing was touched')
})

t.test('two copies re-sealing at once: each row once, and every key still opens', async (t) => {
  const next = new MasterKeySet([{ id: 'mk-2028', key: randomBytes(32) }, current])
  const [a, b] = await Promise.all([resealUnderCurrentMasterKey(db, next), resealUnderCurrentMasterKey(db, next)])
  t.equal(a.resealed + b.resealed, 8)
  for (const r of await rows()) t.ok(privateJwkD(r, next).length > 0)
})
