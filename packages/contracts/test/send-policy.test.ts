import t from 'tap'
import { DEFAULT_SEND_POLICY, NO_RULE_ALLOWS, SendPolicy } from '../src/send-policy.ts'

const allowAll = { name: 'anyone-to-anyone', effect: 'allow', recipient: { within: 'anywhere' } }

t.test('the default policy: named allow rules, in the order the issue lists them', async (t) => {
  t.same(DEFAULT_SEND_POLICY.rules.map((r) => r.name), [
    'village-to-own-commune', 'village-to-sibling-villages',
    'commune-to-own-villages', 'commune-to-own-district', 'commune-to-district-communes', 'commune-to-province-level',
    'district-to-own-subtree', 'district-to-districts', 'district-to-province-level',
    'province-level-to-province', 'province-to-province'
  ])
  t.ok(DEFAULT_SEND_POLICY.rules.every((r) => r.effect === 'allow'))
  t.same(SendPolicy.parse(JSON.parse(JSON.stringify(DEFAULT_SEND_POLICY))), DEFAULT_SEND_POLICY, 'survives a round trip through a JSON file')
})

t.test('a small policy with sender and recipient filters parses', async (t) => {
  const policy = {
    rules: [
      { name: 'no-villages-to-province', effect: 'deny', sender: { level: ['village'] }, recipient: { within: 'root', depth: [1] } },
      { name: 'commune-to-own', effect: 'allow', sender: { level: ['commune'], depth: [2] }, recipient: { within: 'sender', level: ['village'] } },
      allowAll
    ]
  }
  t.same(SendPolicy.parse(policy), policy)
})

t.test('bad policies are refused with the path of the problem', async (t) => {
  const issues = (value: unknown): string[] => {
    const r = SendPolicy.safeParse(value)
    t.equal(r.success, false)
    return r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []
  }
  t.match(issues({ rules: [] }).join(), /at least one rule/)
  t.match(issues({ rules: [allowAll, allowAll] }).join(), /rules\.1\.name: the rule name anyone-to-anyone is used twice/)
  t.match(issues({ rules: [{ ...allowAll, name: NO_RULE_ALLOWS }] }).join(), /rules\.0\.name/)
  t.match(issues({ rules: [{ ...allowAll, name: 'Bad Name' }] }).join(), /lower-case words/)
  t.match(issues({ rules: [{ ...allowAll, effect: 'permit' }] }).join(), /rules\.0\.effect/)
  t.match(issues({ rules: [{ ...allowAll, recipient: { within: 'cousins' } }] }).join(), /rules\.0\.recipient\.within/)
  t.match(issues({ rules: [{ ...allowAll, recipient: { within: 'root', level: ['hamlet'] } }] }).join(), /rules\.0\.recipient\.level/)
  t.match(issues({ rules: [{ ...allowAll, recipient: { within: 'root', depth: [5] } }] }).join(), /rules\.0\.recipient\.depth/)
  t.match(issues({ rules: [{ ...allowAll, recipient: { within: 'root', level: [] } }] }).join(), /rules\.0\.recipient\.level/)
  t.match(issues({ rules: [{ ...allowAll, sender: { levle: ['village'] } }] }).join(), /rules\.0\.sender/, 'a typo is an error, not a rule for every sender')
  t.match(issues({ rules: [{ ...allowAll, extra: true }] }).join(), /rules\.0/)
  t.match(issues({ rules: [allowAll], comment: 'x' }).join(), /comment|Unrecognized/)
})
