import t from 'tap'
import type { AgencyStatus, DirectoryEntry, GovernmentLevel } from '@lienthong/contracts'
import { resolveGroup } from '../../src/domain/recipient-groups.ts'

// A small directory: a plain data fixture for a pure function.
const PROVINCE = '000.00.00.H38'
const DEPT = '000.00.01.H38'
const D31 = '000.00.31.H38'
const D32 = '000.00.32.H38'
const C1_31 = '000.01.31.H38'
const C2_31 = '000.02.31.H38'
const C3_31 = '000.03.31.H38' // suspended
const C1_32 = '000.01.32.H38'
const V1_C1_31 = '001.01.31.H38'
const V2_C1_31 = '002.01.31.H38'
const V3_C1_31 = '003.01.31.H38' // retired
const V1_C2_31 = '001.02.31.H38'
const V1_C3_31 = '001.03.31.H38' // active, under the suspended commune
const V1_C1_32 = '001.01.32.H38'
const OTHER_PROVINCE = '000.00.00.H39'
const OTHER_D31 = '000.00.31.H39'

function entry (code: string, level: GovernmentLevel, parent: string | null, status: AgencyStatus = 'active'): DirectoryEntry {
  const kind = level === 'village' ? 'village' : code === DEPT ? 'department' : 'people_committee'
  return { code, name: `Agency ${code}`, level, kind, parent, status, statusSince: '2023-04-10T00:00:00.000Z', endpoints: { webhookUrl: null, mailAddress: null }, version: 1 }
}

const ENTRIES = [
  entry(PROVINCE, 'province', null),
  entry(DEPT, 'province', PROVINCE),
  entry(D31, 'district', PROVINCE),
  entry(D32, 'district', PROVINCE),
  entry(C1_31, 'commune', D31),
  entry(C2_31, 'commune', D31),
  entry(C3_31, 'commune', D31, 'suspended'),
  entry(C1_32, 'commune', D32),
  entry(V1_C1_31, 'village', C1_31),
  entry(V2_C1_31, 'village', C1_31),
  entry(V3_C1_31, 'village', C1_31, 'retired'),
  entry(V1_C2_31, 'village', C2_31),
  entry(V1_C3_31, 'village', C3_31),
  entry(V1_C1_32, 'village', C1_32),
  entry(OTHER_PROVINCE, 'province', null),
  entry(OTHER_D31, 'district', OTHER_PROVINCE)
]
// insertion order deliberately not sorted, to check the result is
const directory = new Map<string, DirectoryEntry>(ENTRIES.slice().reverse().map((e) => [e.code, e]))

t.test('children of a district: its active communes', async (t) => {
  t.same(resolveGroup(directory, PROVINCE, { group: 'children', of: D31 }), [C1_31, C2_31])
})

t.test('children of the province: departments and districts; level narrows them', async (t) => {
  t.same(resolveGroup(directory, OTHER_PROVINCE, { group: 'children', of: PROVINCE }), [DEPT, D31, D32])
  t.same(resolveGroup(directory, OTHER_PROVINCE, { group: 'children', of: PROVINCE, level: 'district' }), [D31, D32])
  t.same(resolveGroup(directory, OTHER_PROVINCE, { group: 'children', of: PROVINCE, level: 'province' }), [DEPT], 'a department counts at province level')
})

t.test('children of a commune: its active villages (retired left out)', async (t) => {
  t.same(resolveGroup(directory, PROVINCE, { group: 'children', of: C1_31 }), [V1_C1_31, V2_C1_31])
})

t.test('children of a village: none', async (t) => {
  t.same(resolveGroup(directory, PROVINCE, { group: 'children', of: V1_C1_31 }), [])
})

t.test('subtree of a district: everything under it, at every depth', async (t) => {
  t.same(resolveGroup(directory, PROVINCE, { group: 'subtree', of: D31 }), [V1_C1_31, V2_C1_31, V1_C2_31, V1_C3_31, C1_31, C2_31].sort())
})

t.test('subtree with a level', async (t) => {
  t.same(resolveGroup(directory, PROVINCE, { group: 'subtree', of: D31, level: 'commune' }), [C1_31, C2_31])
  t.same(resolveGroup(directory, PROVINCE, { group: 'subtree', of: D31, level: 'village' }), [V1_C1_31, V2_C1_31, V1_C2_31, V1_C3_31].sort())
  t.same(resolveGroup(directory, PROVINCE, { group: 'subtree', of: D31, level: 'district' }), [], 'the anchor itself is not in its subtree')
})

t.test('subtree of the province stays inside the province', async (t) => {
  const all = resolveGroup(directory, OTHER_PROVINCE, { group: 'subtree', of: PROVINCE })
  t.same(all, ENTRIES.filter((e) => e.code.endsWith('.H38') && e.code !== PROVINCE && e.status === 'active').map((e) => e.code).sort())
  t.notOk(all.includes(OTHER_D31))
  t.same(resolveGroup(directory, OTHER_PROVINCE, { group: 'subtree', of: PROVINCE, level: 'commune' }), [C1_31, C1_32, C2_31].sort())
  t.same(resolveGroup(directory, PROVINCE, { group: 'subtree', of: PROVINCE, level: 'district' }), [D31, D32])
})

t.test('subtree of a commune: its villages only', async (t) => {
  t.same(resolveGroup(directory, PROVINCE, { group: 'subtree', of: C1_31 }), [V1_C1_31, V2_C1_31])
  t.same(resolveGroup(directory, PROVINCE, { group: 'subtree', of: C1_32 }), [V1_C1_32])
})

t.test('parent', async (t) => {
  t.same(resolveGroup(directory, PROVINCE, { group: 'parent', of: C1_31 }), [D31])
  t.same(resolveGroup(directory, V1_C1_31, { group: 'parent' }), [C1_31], 'of defaults to the sender')
  t.same(resolveGroup(directory, D31, { group: 'parent', of: OTHER_D31 }), [OTHER_PROVINCE])
  t.same(resolveGroup(directory, D31, { group: 'parent', of: PROVINCE }), [], 'the root has no parent')
  t.same(resolveGroup(directory, D31, { group: 'parent', of: C1_31 }), [], 'the sender is never its own recipient')
  t.same(resolveGroup(directory, PROVINCE, { group: 'parent', of: V1_C3_31 }), [], 'a suspended parent is left out')
  t.same(resolveGroup(directory, V1_C1_31, { group: 'parent', level: 'district' }), [], 'level applies to the parent too')
})

t.test('peers: same parent, the sender and the anchor left out', async (t) => {
  t.same(resolveGroup(directory, C1_31, { group: 'peers' }), [C2_31], 'suspended C3 left out, sender left out')
  t.same(resolveGroup(directory, PROVINCE, { group: 'peers', of: C1_31 }), [C2_31])
  t.same(resolveGroup(directory, D31, { group: 'peers' }), [DEPT, D32])
  t.same(resolveGroup(directory, D31, { group: 'peers', level: 'district' }), [D32])
  t.same(resolveGroup(directory, PROVINCE, { group: 'peers' }), [], 'roots are no one\'s peers')
  t.same(resolveGroup(directory, C1_32, { group: 'peers' }), [], 'an only child has no peers')
  t.same(resolveGroup(directory, D32, { group: 'peers', of: D31 }), [DEPT], 'a sender among the peers is left out')
})

t.test('of defaults to the sender', async (t) => {
  t.same(resolveGroup(directory, D31, { group: 'children' }), resolveGroup(directory, D31, { group: 'children', of: D31 }))
  t.same(resolveGroup(directory, D31, { group: 'subtree', level: 'commune' }), [C1_31, C2_31])
})

t.test('the sender is excluded from its own group', async (t) => {
  t.same(resolveGroup(directory, C1_31, { group: 'children', of: D31 }), [C2_31])
  const subtree = resolveGroup(directory, D31, { group: 'subtree', of: PROVINCE })
  t.notOk(subtree.includes(D31))
  t.ok(subtree.includes(D32))
})

t.test('suspended and retired agencies are never addressed by a group', async (t) => {
  const everything = resolveGroup(directory, OTHER_PROVINCE, { group: 'subtree', of: PROVINCE })
  t.notOk(everything.includes(C3_31))
  t.notOk(everything.includes(V3_C1_31))
  t.ok(everything.includes(V1_C3_31), 'an active village under a suspended commune is still addressed')
})

t.test('an anchor missing from the directory gives no one', async (t) => {
  for (const group of ['children', 'subtree', 'parent', 'peers'] as const) {
    t.same(resolveGroup(directory, PROVINCE, { group, of: '000.00.39.H38' }), [], group)
  }
})

t.test('the result is sorted and has no duplicates', async (t) => {
  const r = resolveGroup(directory, OTHER_PROVINCE, { group: 'subtree', of: PROVINCE })
  t.same(r, r.slice().sort())
  t.equal(new Set(r).size, r.length)
})

t.test('works with any directory view, not only a Map', async (t) => {
  const view = { get: (code: string) => directory.get(code), values: () => [...directory.values()] }
  t.same(resolveGroup(view, PROVINCE, { group: 'children', of: D31 }), [C1_31, C2_31])
})
