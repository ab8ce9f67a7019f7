import { randomBytes } from 'node:crypto'
import t from 'tap'
import { agencyKeyBucketKey, type AgencyKeyEntry, type KeyRole } from '@lienthong/contracts'
import { AgencyKeysMirror } from '@lienthong/platform'
import type { CustodyKeyRow } from '../../src/db/schema.ts'
import { CustodyKeyRing } from '../../src/domain/custody-key-ring.ts'
import { makeCustodyKey } from '../../src/domain/custody-keys.ts'
import { MasterKeySet } from '../../src/domain/master-keys.ts'

const AGENCY = '000.05.31.H38'

/** Counts how often a sealed key is opened. */
class CountingMasterKeys extends MasterKeySet {
  opened = 0
  override key (id: string): Buffer | undefined {
    this.opened++
    return super.key(id)
  }
}

let nextId = 1
function row (masters: MasterKeySet, role: KeyRole, agency = AGENCY): CustodyKeyRow {
  return { id: nextId++, createdAt: new Date(), retiredAt: null, ...makeCustodyKey(agency, role, masters) } as CustodyKeyRow
}

function register (mirror: AgencyKeysMirror, key: CustodyKeyRow, change: Partial<AgencyKeyEntry> = {}): void {
  mirror.set(agencyKeyBucketKey(key.agency, key.kid), {
    agency: key.agency, kid: key.kid, alg: 'EdDSA', role: key.role as KeyRole, holder: null, jwk: key.publicJwk as Record<string, unknown>,
    certificate: null, notBefore: new Date(Date.now() - 1000).toISOString(), notAfter: null, revokedAt: null, ...change
  })
}

function setUp (rows: CustodyKeyRow[], masters: MasterKeySet, opts: { ttlMs?: number, now?: () => number } = {}): { ring: CustodyKeyRing, mirror: AgencyKeysMirror, loads: string[][], unreadable: string[] } {
  const mirror = new AgencyKeysMirror()
  const loads: string[][] = []
  const unreadable: string[] = []
  const ring = new CustodyKeyRing({
    load: async (agencies) => {
      loads.push([...agencies])
      await new Promise((resolve) => setImmediate(resolve))
      return rows.filter((r) => agencies.includes(r.agency))
    },
    masters,
    agencyKeys: mirror,
    ttlMs: opts.ttlMs ?? 60_000,
    onUnreadable: (err) => { unreadable.push(err.message) },
    ...(opts.now !== undefined ? { now: opts.now } : {})
  })
  return { ring, mirror, loads, unreadable }
}

t.test('reads an agency once, however many batches ask at once', async (t) => {
  const masters = new MasterKeySet([{ id: 'mk', key: randomBytes(32) }])
  const { ring, loads } = setUp([row(masters, 'agency')], masters)
  await Promise.all([ring.ensureLoaded([AGENCY, AGENCY]), ring.ensureLoaded([AGENCY]), ring.ensureLoaded(['000.06.31.H38', AGENCY])])
  await ring.ensureLoaded([AGENCY])
  t.same(loads, [[AGENCY], ['000.06.31.H38']])
  t.ok(ring.holds(AGENCY))
  t.notOk(ring.holds('000.06.31.H38'))
})

t.test('the newest registered, usable key signs; each private key is decrypted once', async (t) => {
  const masters = new CountingMasterKeys([{ id: 'mk', key: randomBytes(32) }])
  const older = row(masters, 'agency')
  const newer = row(masters, 'agency')
  const { ring, mirror } = setUp([older, newer], masters)
  await ring.ensureLoaded([AGENCY])
  t.equal(ring.signingKey(AGENCY, 'agency'), undefined, 'nothing registered')
  register(mirror, older)
  masters.opened = 0
  t.equal(ring.signingKey(AGENCY, 'agency')?.kid, older.kid, 'the newer key is not registered yet')
  for (let i = 0; i < 100; i++) ring.signingKey(AGENCY, 'agency')
  t.equal(masters.opened, 1, 'decrypted once')
  register(mirror, newer)
  t.equal(ring.signingKey(AGENCY, 'agency')?.kid, newer.kid)
  register(mirror, newer, { revokedAt: new Date().toISOString() })
  t.equal(ring.signingKey(AGENCY, 'agency')?.kid, older.kid, 'revoked: the older registered key again')
  register(mirror, older, { role: 'signer' })
  t.equal(ring.signingKey(AGENCY, 'agency'), undefined, 'registered for another role is not registered')
  t.equal(ring.signingKey(AGENCY, 'signer'), undefined)
  register(mirror, older, { notBefore: new Date(Date.now() + 60_000).toISOString() })
  t.equal(ring.signingKey(AGENCY, 'agency'), undefined, 'not valid yet')
  // A value signed before the newest key's window began is signed with the key valid then.
  register(mirror, older, { notBefore: new Date(Date.now() - 3_600_000).toISOString() })
  register(mirror, newer, { notBefore: new Date(Date.now() - 60_000).toISOString() })
  t.equal(ring.signingKey(AGENCY, 'agency')?.kid, newer.kid)
  t.equal(ring.signingKey(AGENCY, 'agency', new Date(), new Date(Date.now() - 600_000))?.kid, older.kid)
  t.equal(ring.signingKey(AGENCY, 'agency', new Date(), new Date(Date.now() - 7_200_000)), undefined, 'signed before any key was valid')
})

t.test('invalidation and the time limit make it read again; a change during a read marks it stale', async (t) => {
  const masters = new MasterKeySet([{ id: 'mk', key: randomBytes(32) }])
  let now = 1_000_000
  const rows: CustodyKeyRow[] = []
  const { ring, loads } = setUp(rows, masters, { ttlMs: 5_000, now: () => now })
  await ring.ensureLoaded([AGENCY])
  t.notOk(ring.holds(AGENCY))
  rows.push(row(masters, 'agency'))
  await ring.ensureLoaded([AGENCY])
  t.notOk(ring.holds(AGENCY), 'held: not read again')
  ring.invalidate(AGENCY)
  await ring.ensureLoaded([AGENCY])
  t.ok(ring.holds(AGENCY), 'read again after invalidation')
  now += 5_001
  await ring.ensureLoaded([AGENCY])
  t.equal(loads.length, 3, 'read again after the time limit')
  const reading = ring.ensureLoaded((now += 5_001, [AGENCY]))
  ring.invalidate(AGENCY)
  await reading
  await ring.ensureLoaded([AGENCY])
  t.equal(loads.length, 5, 'a change during a read makes the next batch read again')
})

t.test('a key that does not open is reported once and skipped for an older registered one', async (t) => {
  const first = new MasterKeySet([{ id: 'mk-a', key: randomBytes(32) }])
  const other = new MasterKeySet([{ id: 'mk-b', key: randomBytes(32) }])
  const older = row(first, 'signer')
  const sealedElsewhere = row(other, 'signer')
  const { ring, mirror, unreadable } = setUp([older, sealedElsewhere], first)
  register(mirror, older)
  register(mirror, sealedElsewhere)
  await ring.ensureLoaded([AGENCY])
  t.equal(ring.signingKey(AGENCY, 'signer')?.kid, older.kid)
  t.equal(ring.signingKey(AGENCY, 'signer')?.kid, older.kid)
  t.equal(unreadable.length, 1)
  t.match(unreadable[0], /sealed under master key mk-b, which is not configured/)
})

t.test('a failed read fails the batch, and the next batch reads again', async (t) => {
  const masters = new MasterKeySet([{ id: 'mk', key: randomBytes(32) }])
  let fail = true
  const ring = new CustodyKeyRing({
    load: async () => { if (fail) throw new Error('postgres is away'); return [] },
    masters,
    agencyKeys: new AgencyKeysMirror(),
    ttlMs: 60_000
  })
  await t.rejects(ring.ensureLoaded([AGENCY]), /postgres is away/)
  fail = false
  await ring.ensureLoaded([AGENCY])
  t.notOk(ring.holds(AGENCY))
})
