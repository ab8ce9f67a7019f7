import t from 'tap'
import type { AgencyStatus, DirectoryEntry, GovernmentLevel, Recipients } from '@lienthong/contracts'
import { AppError, errorFactory } from '@lienthong/platform'
import { resolveAddressing } from '../../src/domain/addressing.ts'

const PROVINCE = '000.00.00.H38'
const D31 = '000.00.31.H38'
const D32 = '000.00.32.H38'
const D33 = '000.00.33.H38' // suspended
const D34 = '000.00.34.H38' // retired
const C1_31 = '000.01.31.H38'
const C2_31 = '000.02.31.H38'
const C1_32 = '000.01.32.H38' // suspended
const V1_C1_31 = '001.01.31.H38'

function entry (code: string, level: GovernmentLevel, parent: string | null, status: AgencyStatus = 'active'): DirectoryEntry {
  return { code, name: `Agency ${code}`, level, kind: level === 'village' ? 'village' : 'people_committee', parent, status, statusSince: '2023-04-10T00:00:00.000Z', endpoints: { webhookUrl: null, mailAddress: null }, version: 3 }
}

const directory = new Map<string, DirectoryEntry>([
  entry(PROVINCE, 'province', null),
  entry(D31, 'district', PROVINCE),
  entry(D32, 'district', PROVINCE),
  entry(D33, 'district', PROVINCE, 'suspended'),
  entry(D34, 'district', PROVINCE, 'retired'),
  entry(C1_31, 'commune', D31),
  entry(C2_31, 'commune', D31),
  entry(C1_32, 'commune', D32, 'suspended'),
  entry(V1_C1_31, 'village', C1_31)
].map((e) => [e.code, e]))

const fail = errorFactory('routing')

function refusal (fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected a refusal')
}

const resolve = (sender: string, to: Recipients): string[] => resolveAddressing(directory, sender, to, fail)

t.test('a list of known, active agencies is returned as given', async (t) => {
  t.same(resolve(PROVINCE, [D31]), [D31])
  t.same(resolve(PROVINCE, [D32, D31, V1_C1_31]), [D32, D31, V1_C1_31])
})

t.test('a group is resolved against the directory', async (t) => {
  t.same(resolve(PROVINCE, { group: 'subtree', of: D31, level: 'commune' }), [C1_31, C2_31])
  t.same(resolve(D31, { group: 'children' }), [C1_31, C2_31])
  t.same(resolve(C1_31, { group: 'parent' }), [D31])
  t.same(resolve(PROVINCE, { group: 'children', level: 'district' }), [D31, D32], 'suspended and retired districts left out')
})

t.test('unknown recipients → RTE_UNKNOWN_RECIPIENT listing every unknown code', async (t) => {
  const err = refusal(() => resolve(PROVINCE, [D31, '000.00.38.H38', '000.00.39.H38']))
  t.equal(err.code, 'RTE_UNKNOWN_RECIPIENT')
  t.equal(err.status, 422)
  t.same(err.extensions.recipients, ['000.00.38.H38', '000.00.39.H38'])
  t.match(err.message, '000.00.38.H38')
  t.match(err.message, '000.00.39.H38')
  t.notMatch(err.message, D31, 'known codes are not named')
  t.same(err.toProblem().recipients, ['000.00.38.H38', '000.00.39.H38'], 'the list reaches the problem body')
})

t.test('unknown is reported before inactive', async (t) => {
  const err = refusal(() => resolve(PROVINCE, [D33, '000.00.39.H38']))
  t.equal(err.code, 'RTE_UNKNOWN_RECIPIENT')
  t.same(err.extensions.recipients, ['000.00.39.H38'])
})

t.test('suspended or retired recipients → RTE_INACTIVE_RECIPIENT', async (t) => {
  const err = refusal(() => resolve(PROVINCE, [D31, D33, D34]))
  t.equal(err.code, 'RTE_INACTIVE_RECIPIENT')
  t.equal(err.status, 422)
  t.same(err.extensions.recipients, [D33, D34])
  t.equal(refusal(() => resolve(D31, [C1_32])).code, 'RTE_INACTIVE_RECIPIENT')
})

t.test('a sender among its own recipients → RTE_SELF_ADDRESSED', async (t) => {
  const err = refusal(() => resolve(D31, [C1_31, D31]))
  t.equal(err.code, 'RTE_SELF_ADDRESSED')
  t.equal(err.status, 422)
  t.match(err.message, D31)
  t.equal(refusal(() => resolve(D31, [D31])).code, 'RTE_SELF_ADDRESSED')
})

t.test('an inactive or unknown sender → RTE_SENDER_INACTIVE, whatever the recipients', async (t) => {
  for (const sender of [D33, D34, '000.00.39.H38']) {
    const err = refusal(() => resolve(sender, [D31]))
    t.equal(err.code, 'RTE_SENDER_INACTIVE', sender)
    t.equal(err.status, 403)
    t.match(err.message, sender)
  }
  t.equal(refusal(() => resolve(D33, { group: 'peers' })).code, 'RTE_SENDER_INACTIVE', 'also for a group')
  t.equal(refusal(() => resolve(D33, ['000.00.39.H38'])).code, 'RTE_SENDER_INACTIVE', 'the sender is checked first')
})

t.test('a group that names no active agency → RTE_EMPTY_GROUP', async (t) => {
  const cases: Recipients[] = [
    { group: 'children', of: V1_C1_31 },
    { group: 'parent', of: PROVINCE },
    { group: 'children', of: '000.00.39.H38' },
    { group: 'children', of: D32 }, // its only commune is suspended
    { group: 'subtree', of: D31, level: 'district' }
  ]
  for (const to of cases) {
    const err = refusal(() => resolve(PROVINCE, to))
    t.equal(err.code, 'RTE_EMPTY_GROUP', JSON.stringify(to))
    t.equal(err.status, 422)
  }
  t.equal(refusal(() => resolve(V1_C1_31, { group: 'peers' })).code, 'RTE_EMPTY_GROUP', 'an only child has no peers')
  t.equal(refusal(() => resolve(C2_31, { group: 'children', of: C1_31, level: 'commune' })).code, 'RTE_EMPTY_GROUP')
})
