import t from 'tap'
import { agencyAddress, readMailAddress, replyAddress } from '../../src/domain/mail-addresses.ts'

const DOMAIN = 'lienthong.local'

t.test('an agency by its code, whatever the case the client wrote it in', async (t) => {
  t.same(readMailAddress('000.00.31.H38@lienthong.local', DOMAIN), { kind: 'agency', code: '000.00.31.H38' })
  t.same(readMailAddress('000.00.31.h38@LIENTHONG.local', DOMAIN), { kind: 'agency', code: '000.00.31.H38' })
  t.equal(readMailAddress(agencyAddress('000.05.31.H38', DOMAIN), DOMAIN).kind, 'agency')
})

t.test('a code that is not a place in the tree is unknown', async (t) => {
  t.same(readMailAddress('001.00.31.H38@lienthong.local', DOMAIN), { kind: 'unknown', local: '001.00.31.H38' })
  t.same(readMailAddress('vanthu@lienthong.local', DOMAIN), { kind: 'unknown', local: 'vanthu' })
})

t.test('a group: every agency of a level under one, or the agencies right under it', async (t) => {
  t.same(readMailAddress('commune.000.00.31.H38@lienthong.local', DOMAIN), { kind: 'group', group: { group: 'subtree', of: '000.00.31.H38', level: 'commune' }, label: 'commune.000.00.31.h38' })
  t.same(readMailAddress('Village.000.05.31.h38@lienthong.local', DOMAIN).kind, 'group')
  t.same(readMailAddress('children.000.00.00.H38@lienthong.local', DOMAIN), { kind: 'group', group: { group: 'children', of: '000.00.00.H38' }, label: 'children.000.00.00.h38' })
  t.equal(readMailAddress('hamlet.000.00.31.H38@lienthong.local', DOMAIN).kind, 'unknown', 'a level that does not exist')
})

t.test('a reply address carries a 128-bit token', async (t) => {
  const token = 'a'.repeat(32)
  t.same(readMailAddress(replyAddress(token, DOMAIN), DOMAIN), { kind: 'reply', token })
  t.same(readMailAddress(`REPLY+${'A'.repeat(32)}@lienthong.local`, DOMAIN), { kind: 'reply', token })
  t.equal(readMailAddress(`reply+${'a'.repeat(31)}@lienthong.local`, DOMAIN).kind, 'unknown', 'a short token is no token')
})

t.test('another domain is not ours to deliver to', async (t) => {
  t.same(readMailAddress('000.00.31.H38@gmail.com', DOMAIN), { kind: 'elsewhere', domain: 'gmail.com' })
  t.same(readMailAddress('no-at-sign', DOMAIN), { kind: 'elsewhere', domain: '' })
})
