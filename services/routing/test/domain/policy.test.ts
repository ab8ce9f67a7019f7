import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_SEND_POLICY, NO_RULE_ALLOWS, parentCode, SendPolicy, type AgencyInput, type DirectoryEntry, type GovernmentLevel } from '@lienthong/contracts'
import { laocaiDirectory } from '@lienthong/seeds'
import { loadSendPolicy, refusedRecipients, senderPolicy, type PolicyVerdict } from '../../src/domain/policy.ts'

function entry (a: Pick<AgencyInput, 'code' | 'level'> & Partial<AgencyInput>, parent = parentCode(a.code)): DirectoryEntry {
  return { name: `Agency ${a.code}`, kind: a.level === 'village' ? 'village' : 'people_committee', ...a, parent, status: 'active', statusSince: '2023-04-10T00:00:00.000Z', endpoints: { webhookUrl: null, mailAddress: null }, version: 1 }
}

// The real Lào Cai directory, plus another province to see the province boundary.
const OTHER_PROVINCE = '000.00.00.H39'
const OTHER_DISTRICT = '000.00.31.H39'
const OTHER_COMMUNE = '000.01.31.H39'
const directory = new Map<string, DirectoryEntry>(laocaiDirectory().map((a) => [a.code, entry(a)]))
for (const [code, level] of [[OTHER_PROVINCE, 'province'], [OTHER_DISTRICT, 'district'], [OTHER_COMMUNE, 'commune']] as const) directory.set(code, entry({ code, level }))

const PROVINCE = '000.00.00.H38'
const DEPT = '000.00.02.H38' // Sở Nội vụ: code depth 2, province level
const D31 = '000.00.31.H38'
const D32 = '000.00.32.H38'
const C1_31 = '000.01.31.H38'
const C2_31 = '000.02.31.H38'
const C1_32 = '000.01.32.H38'
const V1_C1_31 = '001.01.31.H38'
const V2_C1_31 = '002.01.31.H38'
const V1_C2_31 = '001.02.31.H38'
const V1_C1_32 = '001.01.32.H38'

const get = (code: string): DirectoryEntry => {
  const e = directory.get(code)
  if (e === undefined) throw new Error(`${code} is not in the fixture`)
  return e
}
const decide = (from: string, to: string, policy: SendPolicy = DEFAULT_SEND_POLICY): PolicyVerdict => senderPolicy(policy, get(from)).decide(get(to))
const allowedBy = (rule: string): PolicyVerdict => ({ allowed: true, rule })
const refused = (rule = NO_RULE_ALLOWS): PolicyVerdict => ({ allowed: false, rule })

t.test('the fixture is the real seed', async (t) => {
  t.equal(directory.size, 1745 + 3)
  t.equal(get(DEPT).level, 'province')
  t.equal(get(DEPT).kind, 'department')
})

// Each default rule: what it allows, and the nearest thing it does not.
const cases: Array<[string, Array<[string, string]>, Array<[string, string]>]> = [
  ['village-to-own-commune', [[V1_C1_31, C1_31]], [[V1_C1_31, C2_31], [V1_C1_31, D31], [V1_C1_31, PROVINCE], [V1_C1_31, DEPT]]],
  ['village-to-sibling-villages', [[V1_C1_31, V2_C1_31], [V2_C1_31, V1_C1_31]], [[V1_C1_31, V1_C2_31], [V1_C1_31, V1_C1_32]]],
  ['commune-to-own-villages', [[C1_31, V1_C1_31], [C1_31, V2_C1_31]], [[C1_31, V1_C2_31], [C1_31, V1_C1_32]]],
  ['commune-to-own-district', [[C1_31, D31], [C1_32, D32]], [[C1_31, D32], [C1_31, OTHER_DISTRICT]]],
  ['commune-to-district-communes', [[C1_31, C2_31], [C2_31, C1_31]], [[C1_31, C1_32], [C1_31, OTHER_COMMUNE]]],
  ['commune-to-province-level', [[C1_31, PROVINCE], [C1_32, DEPT]], [[C1_31, OTHER_PROVINCE]]],
  ['district-to-own-subtree', [[D31, C1_31], [D31, V1_C2_31]], [[D31, C1_32], [D31, V1_C1_32], [D31, OTHER_COMMUNE]]],
  ['district-to-districts', [[D31, D32], [D32, D31]], [[D31, OTHER_DISTRICT]]],
  ['district-to-province-level', [[D31, PROVINCE], [D31, DEPT]], [[D31, OTHER_PROVINCE]]],
  ['province-level-to-province', [[PROVINCE, DEPT], [PROVINCE, D31], [PROVINCE, V1_C1_32], [DEPT, PROVINCE], [DEPT, V1_C1_31], [DEPT, '000.00.03.H38']], [[DEPT, OTHER_PROVINCE], [DEPT, OTHER_DISTRICT], [PROVINCE, OTHER_DISTRICT], [PROVINCE, OTHER_COMMUNE]]],
  ['province-to-province', [[PROVINCE, OTHER_PROVINCE], [OTHER_PROVINCE, PROVINCE]], [[DEPT, OTHER_PROVINCE], [PROVINCE, OTHER_DISTRICT], [D31, OTHER_PROVINCE]]]
]

for (const [rule, allowed, notAllowed] of cases) {
  t.test(`default rule ${rule}`, async (t) => {
    t.ok(DEFAULT_SEND_POLICY.rules.some((r) => r.name === rule), 'is a rule of the default policy')
    for (const [from, to] of allowed) t.same(decide(from, to), allowedBy(rule), `${from} → ${to} allowed`)
    for (const [from, to] of notAllowed) t.same(decide(from, to), refused(), `${from} → ${to} refused`)
  })
}

t.test('every default rule is exercised above', async (t) => {
  t.same(cases.map(([rule]) => rule), DEFAULT_SEND_POLICY.rules.map((r) => r.name))
})

t.test('the rules considered for a refusal are the sender\'s own', async (t) => {
  t.same(senderPolicy(DEFAULT_SEND_POLICY, get(V1_C1_31)).considered, ['village-to-own-commune', 'village-to-sibling-villages'])
  t.same(senderPolicy(DEFAULT_SEND_POLICY, get(PROVINCE)).considered, ['province-level-to-province', 'province-to-province'])
  t.same(senderPolicy(DEFAULT_SEND_POLICY, get(DEPT)).considered, ['province-level-to-province'], 'depth 1 only for province-to-province')
})

t.test('a village reaches exactly its commune and the commune\'s other villages', async (t) => {
  const p = senderPolicy(DEFAULT_SEND_POLICY, get(V1_C1_31))
  const reachable = [...directory.values()].filter((e) => e.code !== V1_C1_31 && p.decide(e).allowed).map((e) => e.code).sort()
  const expected = [...directory.values()].filter((e) => e.code !== V1_C1_31 && e.code.endsWith('.01.31.H38')).map((e) => e.code).sort()
  t.same(reachable, expected)
  t.equal(reachable.length, 10)
})

t.test('a province broadcast: all 1,744 agencies allowed', async (t) => {
  const all = [...directory.values()].filter((e) => e.code.endsWith('.H38') && e.code !== PROVINCE)
  t.equal(all.length, 1744)
  t.same(refusedRecipients(senderPolicy(DEFAULT_SEND_POLICY, get(PROVINCE)), all), [])
})

t.test('refusedRecipients lists each refused recipient with its rule, in order', async (t) => {
  const p = senderPolicy(DEFAULT_SEND_POLICY, get(C1_31))
  t.same(refusedRecipients(p, [get(D31), get(C1_32), get(V1_C1_31), get(V1_C2_31)]), [
    { recipient: C1_32, rule: NO_RULE_ALLOWS },
    { recipient: V1_C2_31, rule: NO_RULE_ALLOWS }
  ])
})

t.test('deny rules: the first matching rule decides and is named', async (t) => {
  const policy = SendPolicy.parse({
    rules: [
      { name: 'no-department-to-villages', effect: 'deny', sender: { level: ['province'], depth: [2] }, recipient: { within: 'root', level: ['village'] } },
      ...DEFAULT_SEND_POLICY.rules,
      { name: 'never-reached', effect: 'deny', recipient: { within: 'anywhere' } }
    ]
  })
  t.same(decide(DEPT, V1_C1_31, policy), refused('no-department-to-villages'))
  t.same(decide(DEPT, C1_31, policy), allowedBy('province-level-to-province'))
  t.same(decide(PROVINCE, V1_C1_31, policy), allowedBy('province-level-to-province'), 'depth 1 is not a department')
  t.same(decide(V1_C1_31, D31, policy), refused('never-reached'), 'a catch-all deny names itself instead of no-rule-allows')
  t.same(decide(DEPT, OTHER_PROVINCE, policy), refused('never-reached'))

  const late = SendPolicy.parse({ rules: [...DEFAULT_SEND_POLICY.rules, { name: 'too-late', effect: 'deny', recipient: { within: 'anywhere', level: ['village'] } }] })
  t.same(decide(DEPT, V1_C1_31, late), allowedBy('province-level-to-province'), 'a deny after a matching allow changes nothing')
})

t.test('a rule without a sender filter applies to every sender; depth filters both ends', async (t) => {
  const policy = SendPolicy.parse({
    rules: [
      { name: 'to-people-committees-of-depth-2', effect: 'allow', recipient: { within: 'root', depth: [2], level: ['district'] } },
      { name: 'villages-upward', effect: 'allow', sender: { depth: [4] }, recipient: { within: 'anywhere', depth: [1] } }
    ]
  })
  t.same(decide(V1_C1_31, D32, policy), allowedBy('to-people-committees-of-depth-2'))
  t.same(decide(V1_C1_31, DEPT, policy), refused(), 'depth 2 but province level')
  t.same(decide(V1_C1_31, PROVINCE, policy), allowedBy('villages-upward'))
  t.same(decide(V1_C1_31, OTHER_PROVINCE, policy), allowedBy('villages-upward'))
  t.same(decide(C1_31, PROVINCE, policy), refused())
  t.same(senderPolicy(policy, get(C1_31)).considered, ['to-people-committees-of-depth-2'])
})

t.test('a root has no parent: parent rules never match it', async (t) => {
  const policy = SendPolicy.parse({ rules: [{ name: 'to-parent-subtree', effect: 'allow', recipient: { within: 'parent' } }] })
  t.same(decide(PROVINCE, D31, policy), refused())
  t.same(decide(D31, D32, policy), allowedBy('to-parent-subtree'))
  t.same(decide(D31, PROVINCE, policy), allowedBy('to-parent-subtree'), 'the anchor itself is within its subtree')
})

// Since 1/7/2025: province → commune, communes are code-depth-2 people's committees, villages depth 3.
t.test('a two-tier directory with a policy file: configuration only', async (t) => {
  const twoTier = new Map<string, DirectoryEntry>()
  const add = (code: string, level: GovernmentLevel, kind: AgencyInput['kind'] = 'people_committee'): void => { twoTier.set(code, entry({ code, level, kind })) }
  add('000.00.00.H38', 'province')
  add('000.00.02.H38', 'province', 'department')
  add('000.00.31.H38', 'commune')
  add('000.00.32.H38', 'commune')
  add('000.01.31.H38', 'village', 'village')
  add('000.02.31.H38', 'village', 'village')
  add('000.01.32.H38', 'village', 'village')
  add('000.00.00.H39', 'province')
  add('000.00.31.H39', 'commune')

  const dir = t.testdir()
  const file = join(dir, 'two-tier.json')
  writeFileSync(file, JSON.stringify({
    rules: [
      { name: 'village-to-own-commune', effect: 'allow', sender: { level: ['village'] }, recipient: { within: 'parent', level: ['commune'] } },
      { name: 'village-to-sibling-villages', effect: 'allow', sender: { level: ['village'] }, recipient: { within: 'parent', level: ['village'] } },
      { name: 'commune-to-own-villages', effect: 'allow', sender: { level: ['commune'] }, recipient: { within: 'sender', level: ['village'] } },
      { name: 'commune-to-communes', effect: 'allow', sender: { level: ['commune'] }, recipient: { within: 'root', level: ['commune'] } },
      { name: 'commune-to-province-level', effect: 'allow', sender: { level: ['commune'] }, recipient: { within: 'root', level: ['province'] } },
      { name: 'province-level-to-province', effect: 'allow', sender: { level: ['province'] }, recipient: { within: 'root' } },
      { name: 'province-to-province', effect: 'allow', sender: { level: ['province'], depth: [1] }, recipient: { within: 'anywhere', level: ['province'], depth: [1] } }
    ]
  }))
  const policy = loadSendPolicy(file)
  const at = (from: string, to: string): PolicyVerdict => senderPolicy(policy, twoTier.get(from) as DirectoryEntry).decide(twoTier.get(to) as DirectoryEntry)

  t.same(at('000.01.31.H38', '000.00.31.H38'), allowedBy('village-to-own-commune'))
  t.same(at('000.01.31.H38', '000.02.31.H38'), allowedBy('village-to-sibling-villages'))
  t.same(at('000.01.31.H38', '000.01.32.H38'), refused())
  t.same(at('000.01.31.H38', '000.00.00.H38'), refused())
  t.same(at('000.00.31.H38', '000.01.31.H38'), allowedBy('commune-to-own-villages'))
  t.same(at('000.00.31.H38', '000.01.32.H38'), refused())
  t.same(at('000.00.31.H38', '000.00.32.H38'), allowedBy('commune-to-communes'))
  t.same(at('000.00.31.H38', '000.00.31.H39'), refused())
  t.same(at('000.00.31.H38', '000.00.02.H38'), allowedBy('commune-to-province-level'))
  t.same(at('000.00.02.H38', '000.01.32.H38'), allowedBy('province-level-to-province'))
  t.same(at('000.00.00.H38', '000.00.00.H39'), allowedBy('province-to-province'))
  t.same(at('000.00.00.H38', '000.00.31.H39'), refused())
})

t.test('loadSendPolicy names the file and the problem', async (t) => {
  const dir = t.testdir()
  const write = (name: string, text: string): string => { const f = join(dir, name); writeFileSync(f, text); return f }
  t.throws(() => loadSendPolicy(join(dir, 'missing.json')), /cannot read the policy file .*missing\.json/)
  t.throws(() => loadSendPolicy(write('broken.json', '{"rules": [')), /policy file .*broken\.json is not JSON/)
  t.throws(() => loadSendPolicy(write('empty.json', '{"rules": []}')), /empty\.json is not a valid sending policy: rules: a policy needs at least one rule/)
  t.throws(() => loadSendPolicy(write('typo.json', JSON.stringify({ rules: [{ name: 'a', effect: 'allow', recipient: { within: 'everywhere' } }] }))), /rules\.0\.recipient\.within/)
  t.same(loadSendPolicy(write('default.json', JSON.stringify(DEFAULT_SEND_POLICY))), DEFAULT_SEND_POLICY)
})
