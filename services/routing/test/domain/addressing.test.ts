import t from 'tap'
import { DEFAULT_SEND_POLICY, parentCode, SendPolicy, type AgencyStatus, type DirectoryEntry, type GovernmentLevel, type Recipients } from '@lienthong/contracts'
import { laocaiDirectory } from '@lienthong/seeds'
import { AppError, errorFactory } from '@lienthong/platform'
import { REFUSALS_LISTED, resolveAddressing, type AddressingRules } from '../../src/domain/addressing.ts'

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

const DEFAULTS: AddressingRules = { policy: DEFAULT_SEND_POLICY, recipientsMax: 10_000 }
const resolve = (sender: string, to: Recipients, rules = DEFAULTS): string[] => resolveAddressing(directory, sender, to, fail, rules)

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

t.test('the policy checks every recipient of a list: one refused recipient refuses the whole send', async (t) => {
  const err = refusal(() => resolve(C1_31, [D31, C2_31, V1_C1_31, D32]))
  t.equal(err.code, 'RTE_POLICY_REFUSED')
  t.equal(err.status, 403)
  t.equal(err.extensions.rule, 'no-rule-allows')
  t.same(err.extensions.recipients, [D32])
  t.same(err.extensions.refusals, [{ recipient: D32, rule: 'no-rule-allows' }])
  t.equal(err.extensions.refusedCount, 1)
  t.same(err.extensions.rulesConsidered, ['commune-to-own-villages', 'commune-to-own-district', 'commune-to-district-communes', 'commune-to-province-level'])
  t.match(err.message, /does not let 000\.01\.31\.H38 send to 000\.00\.32\.H38: no-rule-allows \(rules for this sender: commune-to-own-villages, /)
  t.equal(err.toProblem().rule, 'no-rule-allows', 'the rule reaches the problem body')
  t.same(resolve(C1_31, [D31, C2_31, V1_C1_31]), [D31, C2_31, V1_C1_31], 'the same list without it is accepted')
})

t.test('a deny rule is named in the detail and the extensions', async (t) => {
  const policy = SendPolicy.parse({ rules: [{ name: 'no-district-to-villages', effect: 'deny', sender: { level: ['district'] }, recipient: { within: 'anywhere', level: ['village'] } }, ...DEFAULT_SEND_POLICY.rules] })
  const err = refusal(() => resolve(D31, [C1_31, V1_C1_31], { ...DEFAULTS, policy }))
  t.equal(err.code, 'RTE_POLICY_REFUSED')
  t.equal(err.extensions.rule, 'no-district-to-villages')
  t.same(err.extensions.rules, ['no-district-to-villages'])
  t.match(err.message, /rule no-district-to-villages/)
  t.notMatch(err.message, /no-rule-allows/)
})

t.test('policy is checked after unknown, inactive and self-addressed', async (t) => {
  t.equal(refusal(() => resolve(V1_C1_31, [D32, '000.00.39.H38'])).code, 'RTE_UNKNOWN_RECIPIENT')
  t.equal(refusal(() => resolve(V1_C1_31, [D32, D33])).code, 'RTE_INACTIVE_RECIPIENT')
  t.equal(refusal(() => resolve(V1_C1_31, [D32, V1_C1_31])).code, 'RTE_SELF_ADDRESSED')
})

// A big directory for the caps: one commune with 30 villages, another district's commune.
const big = new Map(directory)
const BIG_VILLAGES = Array.from({ length: 30 }, (_, i) => `${String(i + 1).padStart(3, '0')}.02.31.H38`)
for (const code of BIG_VILLAGES) big.set(code, entry(code, 'village', C2_31))
big.set('000.02.32.H38', entry('000.02.32.H38', 'commune', D32))
const resolveBig = (sender: string, to: Recipients, rules = DEFAULTS): string[] => resolveAddressing(big, sender, to, fail, rules)

t.test('a refusal lists at most the first 20 refused recipients and counts them all', async (t) => {
  const err = refusal(() => resolveAddressing(big, C1_31, [C2_31, ...BIG_VILLAGES], fail, DEFAULTS))
  t.equal(REFUSALS_LISTED, 20)
  t.equal(err.extensions.refusedCount, 30)
  t.same(err.extensions.recipients, BIG_VILLAGES.slice(0, 20))
  t.equal((err.extensions.refusals as unknown[]).length, 20)
  t.match(err.message, /and 10 more/)
  t.notMatch(err.message, BIG_VILLAGES[20] as string)
})

t.test('a group leaves out the members the policy refuses (decision 012)', async (t) => {
  // A commune's view of its district: the district and its communes, not the other communes' villages.
  t.same(resolveBig(C1_31, { group: 'subtree', of: D31 }), [V1_C1_31, C2_31].sort(), 'its own village and the sibling commune; C2\'s 30 villages left out')
  t.same(resolve(C1_31, { group: 'peers' }), [C2_31])
  t.same(resolve(D31, { group: 'children', of: PROVINCE }), [D32], 'district peers allowed by district-to-districts')
})

t.test('a group the policy refuses entirely → RTE_POLICY_REFUSED naming the group and the rule', async (t) => {
  const err = refusal(() => resolve(V1_C1_31, { group: 'children', of: PROVINCE }))
  t.equal(err.code, 'RTE_POLICY_REFUSED')
  t.equal(err.extensions.rule, 'no-rule-allows')
  t.same(err.extensions.recipients, [D31, D32])
  t.match(err.message, /^the group \{"group":"children","of":"000\.00\.00\.H38"\}: the sending policy does not let 001\.01\.31\.H38 send to/)
  t.equal(refusal(() => resolve(V1_C1_31, { group: 'children', of: PROVINCE, level: 'commune' })).code, 'RTE_EMPTY_GROUP', 'a group of no one is empty before it is refused')
})

t.test('more recipients than the limit → RTE_TOO_MANY_RECIPIENTS, for a list and for a group', async (t) => {
  const max = (recipientsMax: number): AddressingRules => ({ ...DEFAULTS, recipientsMax })
  t.same(resolve(PROVINCE, [D31, D32, C1_31], max(3)), [D31, D32, C1_31], 'exactly the limit is fine')
  const list = refusal(() => resolve(PROVINCE, [D31, D32, C1_31, C2_31], max(3)))
  t.equal(list.code, 'RTE_TOO_MANY_RECIPIENTS')
  t.equal(list.status, 422)
  t.same(list.extensions, { count: 4, max: 3 })
  t.match(list.message, /4 recipients, more than the 3/)

  t.equal(resolveBig(C2_31, { group: 'children' }).length, 30)
  const group = refusal(() => resolveBig(C2_31, { group: 'children' }, max(29)))
  t.equal(group.code, 'RTE_TOO_MANY_RECIPIENTS')
  t.same(group.extensions, { count: 30, max: 29 })
  t.equal(resolveBig(C2_31, { group: 'children' }, max(30)).length, 30)
})

t.test('the limit counts the recipients the policy leaves in a group', async (t) => {
  // 32 in the subtree, 2 of them reachable for the commune: a limit of 2 is enough.
  t.same(resolveBig(C1_31, { group: 'subtree', of: D31 }, { ...DEFAULTS, recipientsMax: 2 }), [V1_C1_31, C2_31].sort())
  t.equal(refusal(() => resolveBig(C1_31, { group: 'subtree', of: D31 }, { ...DEFAULTS, recipientsMax: 1 })).code, 'RTE_TOO_MANY_RECIPIENTS')
})

t.test('policy is checked before the limit for a list', async (t) => {
  t.equal(refusal(() => resolve(V1_C1_31, [C1_31, D31], { ...DEFAULTS, recipientsMax: 1 })).code, 'RTE_POLICY_REFUSED')
})

t.test('a province broadcast on the real Lào Cai directory: 1,744 recipients', async (t) => {
  const laocai = new Map<string, DirectoryEntry>(laocaiDirectory().map((a) => [a.code, { ...a, parent: parentCode(a.code), status: 'active', statusSince: '2023-04-10T00:00:00.000Z', endpoints: { webhookUrl: null, mailAddress: null }, version: 1 }]))
  t.equal(resolveAddressing(laocai, PROVINCE, { group: 'subtree' }, fail, DEFAULTS).length, 1744)
  const communes = resolveAddressing(laocai, '000.01.31.H38', { group: 'subtree', of: PROVINCE }, fail, DEFAULTS)
  t.ok(communes.length < 60 && communes.includes('000.00.01.H38') && communes.includes('000.00.31.H38') && !communes.includes('001.02.31.H38'), `a commune's province-wide group narrowed to ${communes.length} it may write to`)
})
