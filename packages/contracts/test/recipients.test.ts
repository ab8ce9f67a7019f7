import t from 'tap'
import { RECIPIENT_GROUPS, RecipientGroup, RecipientList, Recipients } from '../src/recipients.ts'

t.test('RecipientList needs at least one code', async (t) => {
  const r = RecipientList.safeParse([])
  t.equal(r.success, false)
  t.match(r.error?.issues.map((i) => i.message).join(' '), /at least one recipient/)
  t.same(RecipientList.parse(['000.00.31.H38']), ['000.00.31.H38'])
  t.same(RecipientList.parse(['000.00.31.H38', '000.05.31.H38']), ['000.00.31.H38', '000.05.31.H38'])
})

t.test('RecipientList refuses duplicates and bad codes', async (t) => {
  const r = RecipientList.safeParse(['000.00.31.H38', '000.00.32.H38', '000.00.31.H38'])
  t.equal(r.success, false)
  t.equal(r.error?.issues.map((i) => i.message).join(' '), '000.00.31.H38 is listed twice', 'the duplicate is named')
  const two = RecipientList.safeParse(['000.00.31.H38', '000.00.32.H38', '000.00.32.H38', '000.00.31.H38', '000.00.31.H38'])
  t.equal(two.error?.issues.map((i) => i.message).join(' '), '000.00.32.H38, 000.00.31.H38 are listed twice')
  t.equal(RecipientList.safeParse(['000.00.31.H38', '31.H38']).success, false)
})

t.test('RecipientList caps the list at 20000', async (t) => {
  const codes = (n: number): string[] => Array.from({ length: n }, (_, i) => `${String(i % 1000).padStart(3, '0')}.${String(1 + Math.floor(i / 1000)).padStart(2, '0')}.31.H38`)
  t.equal(RecipientList.safeParse(codes(20000)).success, true)
  t.equal(RecipientList.safeParse(codes(20001)).success, false)
})

t.test('RecipientGroup shape', async (t) => {
  t.same(RECIPIENT_GROUPS, ['children', 'subtree', 'parent', 'peers'])
  for (const group of RECIPIENT_GROUPS) t.ok(RecipientGroup.safeParse({ group }).success, group)
  t.same(RecipientGroup.parse({ group: 'subtree', of: '000.00.31.H38', level: 'commune' }), { group: 'subtree', of: '000.00.31.H38', level: 'commune' })
  t.equal(RecipientGroup.safeParse({ group: 'everyone' }).success, false, 'unknown group')
  t.equal(RecipientGroup.safeParse({ group: 'subtree', of: '31.H38' }).success, false, 'bad of')
  t.equal(RecipientGroup.safeParse({ group: 'subtree', level: 'hamlet' }).success, false, 'bad level')
  t.equal(RecipientGroup.safeParse({ of: '000.00.31.H38' }).success, false, 'group is required')
})

t.test('RecipientGroup is strict: unknown keys are refused', async (t) => {
  const r = RecipientGroup.safeParse({ group: 'subtree', of: '000.00.31.H38', levle: 'commune' })
  t.equal(r.success, false)
  t.equal(r.error?.issues[0]?.code, 'unrecognized_keys')
})

t.test('Recipients is a list or a group', async (t) => {
  t.same(Recipients.parse(['000.00.31.H38']), ['000.00.31.H38'])
  t.same(Recipients.parse({ group: 'children' }), { group: 'children' })
  t.equal(Recipients.safeParse('000.00.31.H38').success, false, 'a bare code is neither')
  t.equal(Recipients.safeParse([]).success, false)
  t.equal(Recipients.safeParse({ group: 'children', extra: 1 }).success, false)
})
