import { randomBytes } from 'node:crypto'
import t from 'tap'
import { agencyCustodyKeys, enrollAgencies, liveCustodyKeys, rotateCustodyKeys } from '../../src/domain/custody-keys.ts'
import { jwkThumbprint } from '@lienthong/crypto'
import { MasterKeySet } from '../../src/domain/master-keys.ts'
import { migratedDatabase } from '../fixtures/db.ts'

const { db, sql } = await migratedDatabase(t)
const masters = new MasterKeySet([{ id: 'mk', key: randomBytes(32) }])

t.test('the kid is the RFC 7638 thumbprint (RFC 8037 appendix A.3)', async (t) => {
  t.equal(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k')
  const [key] = await enrollAgencies(db, masters, ['000.01.31.H38'])
  t.equal(key!.kid, jwkThumbprint(key!.publicJwk as Record<string, unknown>))
})

t.test('enrolling 2,000 agencies at once, then again: one live key per role each, the same on the second run', async (t) => {
  const codes = Array.from({ length: 2_000 }, (_, i) => `${String(i + 1).padStart(3, '0')}.01.32.H38`)
  const first = await enrollAgencies(db, masters, codes)
  t.equal(first.length, 4_000)
  t.same(first.slice(0, 2).map((k) => [k.agency, k.role]), [[codes[0], 'agency'], [codes[0], 'signer']])
  t.same(first.slice(-2).map((k) => [k.agency, k.role]), [[codes[1_999], 'agency'], [codes[1_999], 'signer']])
  const [again, concurrent] = await Promise.all([enrollAgencies(db, masters, codes), enrollAgencies(db, masters, codes.slice(0, 10))])
  t.same(again.map((k) => k.kid), first.map((k) => k.kid))
  t.same(concurrent.map((k) => k.kid), first.slice(0, 20).map((k) => k.kid))
})

t.test('new agencies enrolled at once by two requests end with one key per role', async (t) => {
  const codes = ['001.02.32.H38', '002.02.32.H38', '003.02.32.H38']
  const [a, b] = await Promise.all([enrollAgencies(db, masters, codes), enrollAgencies(db, masters, [...codes].reverse())])
  t.same(new Set(a.map((k) => k.kid)), new Set(b.map((k) => k.kid)))
  t.equal((await liveCustodyKeys(db, codes)).length, 6)
})

t.test('rotation keeps the old key, retired; two rotations at once both happen, one after the other', async (t) => {
  const agency = '000.03.32.H38'
  await enrollAgencies(db, masters, [agency])
  t.equal(await rotateCustodyKeys(db, masters, '000.04.32.H38', ['agency']), undefined, 'never enrolled')
  const [x, y] = await Promise.all([rotateCustodyKeys(db, masters, agency, ['signer']), rotateCustodyKeys(db, masters, agency, ['signer', 'agency'])])
  t.equal(x!.length + y!.length, 3)
  const all = await agencyCustodyKeys(db, agency)
  t.equal(all.length, 5)
  t.same(all.filter((k) => k.retiredAt === null).map((k) => k.role).sort(), ['agency', 'signer'], 'one live key per role')
  const [count] = await sql`select count(*)::int as n from signatures.custody_keys where agency = ${agency} and retired_at is not null`
  t.equal(count!.n, 3)
})

t.test('the table refuses a second live key of a role', async (t) => {
  const agency = '000.05.32.H38'
  const [key] = await enrollAgencies(db, masters, [agency])
  await t.rejects(sql`insert into signatures.custody_keys (agency, role, kid, alg, public_jwk, master_key_id, iv, auth_tag, ciphertext)
    values (${agency}, 'agency', 'other', 'EdDSA', '{}'::jsonb, 'mk', '\\x00', '\\x00', '\\x00')`, /custody_keys_live_role/)
  await t.rejects(sql`update signatures.custody_keys set role = 'chairman' where kid = ${key!.kid}`, /custody_keys_role/)
})
