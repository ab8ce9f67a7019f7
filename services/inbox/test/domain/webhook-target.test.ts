import t from 'tap'
import { request } from 'node:http'
import type { LookupAddress } from 'node:dns'
import { InboxConfig } from '../../src/config.ts'
import { TargetGuard, TargetRefused, parsePrivateAllowance, specialRangeOf } from '../../src/domain/webhook-target.ts'

const env = { DATABASE_URL: 'postgres://x@127.0.0.1/x' }

t.test('every special-purpose range is recognised, and public addresses are not', async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['::1', 'loopback'],
    ['10.0.0.1', 'private'], ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['172.15.255.255', undefined], ['172.32.0.1', undefined],
    ['192.168.1.1', 'private'], ['192.169.0.1', undefined],
    ['169.254.169.254', 'link-local'], ['fe80::1', 'link-local'], ['febf::1', 'link-local'], ['fec0::1', undefined],
    ['fc00::1', 'unique-local'], ['fd12:3456::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'], ['::', 'unspecified'],
    ['100.64.0.1', 'shared (CGNAT)'], ['100.127.255.255', 'shared (CGNAT)'], ['100.128.0.1', undefined], ['100.63.255.255', undefined],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    // IPv4-mapped IPv6 addresses are what they map to
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:10.0.0.1', 'private'], ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'], ['::ffff:192.168.1.1', 'private'], ['::ffff:100.64.0.1', 'shared (CGNAT)'], ['::ffff:8.8.8.8', undefined],
    ['64:ff9b::a9fe:a9fe', 'IPv4 embedded in IPv6'], ['64:ff9b:1::1', 'IPv4 embedded in IPv6'], ['2002:7f00:1::1', 'IPv4 embedded in IPv6'],
    ['2001:0:4136:e378::1', 'IPv4 embedded in IPv6'], ['::7f00:1', 'IPv4 embedded in IPv6'],
    ['192.0.0.8', 'special-purpose'], ['198.18.0.1', 'special-purpose'], ['192.0.2.1', 'special-purpose'], ['198.51.100.7', 'special-purpose'],
    ['203.0.113.9', 'special-purpose'], ['100::1', 'special-purpose'], ['2001:db8::1', 'special-purpose'], ['203.113.0.1', undefined],
    ['8.8.8.8', undefined], ['1.1.1.1', undefined], ['2001:4860:4860::8888', undefined], ['2606:4700::1111', undefined]
  ]
  for (const [address, range] of cases) t.equal(specialRangeOf(address), range, `${address}: ${range ?? 'public'}`)
})

const fixed = (table: Record<string, string[]>) => async (host: string): Promise<LookupAddress[]> => {
  const found = table[host]
  if (found === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' })
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}
const dns = fixed({
  'dms.example.vn': ['203.113.131.1', '2402:800::1'],
  'both.example.vn': ['203.113.131.1', '10.1.2.3'],
  'inside.example.vn': ['10.20.0.5'],
  localhost: ['127.0.0.1', '::1'],
  '127.0.0.1': ['127.0.0.1'],
  '127.0.0.2': ['127.0.0.2'],
  '::1': ['::1'],
  '10.0.0.1': ['10.0.0.1'],
  '169.254.169.254': ['169.254.169.254']
})

async function refusal (guard: TargetGuard, url: string): Promise<TargetRefused | undefined> {
  try {
    await guard.checkUrl(url)
    return undefined
  } catch (err) {
    if (err instanceof TargetRefused) return err
    throw err
  }
}

t.test('a URL is refused when any address of its host is special, naming the address', async (t) => {
  const guard = new TargetGuard(false, dns)
  t.equal((await guard.checkUrl('https://dms.example.vn/hook?x=1')).href, 'https://dms.example.vn/hook?x=1')
  t.equal(await refusal(guard, 'http://dms.example.vn:8080/'), undefined, 'http too, any port')

  const both = await refusal(guard, 'https://both.example.vn/hook')
  t.equal(both?.message, 'both.example.vn resolves to 10.1.2.3, a private address')
  t.equal(both?.address, '10.1.2.3')
  t.match(await refusal(guard, 'http://localhost:1/'), { message: 'localhost resolves to 127.0.0.1, a loopback address' })
  t.match(await refusal(guard, 'http://[::1]/'), { message: '::1 is a loopback address', address: '::1' })
  t.match(await refusal(guard, 'http://10.0.0.1/'), { message: '10.0.0.1 is a private address' })
  t.match(await refusal(guard, 'http://169.254.169.254/latest/meta-data'), { message: '169.254.169.254 is a link-local address' })
  t.match(await refusal(guard, 'http://0x7f000001/'), { address: '127.0.0.1' }, 'the URL parser\u2019s forms of an address are the address')
  t.match(await refusal(guard, 'http://2130706433/'), { address: '127.0.0.1' })
})

t.test('only http(s), no credentials, and a host that resolves', async (t) => {
  const guard = new TargetGuard(true, dns)
  t.match(await refusal(guard, 'ftp://dms.example.vn/'), { message: 'ftp is not http or https' })
  t.match(await refusal(guard, 'file:///etc/passwd'), { message: 'file is not http or https' })
  t.match(await refusal(guard, 'https://user:pass@dms.example.vn/'), { message: 'the URL may not carry a user name or password' })
  t.match(await refusal(guard, 'https://token@dms.example.vn/'), { message: 'the URL may not carry a user name or password' })
  t.match(await refusal(guard, 'not a url'), { message: 'not a URL' })
  t.match(await refusal(guard, 'https://nowhere.example.vn/'), { message: 'nowhere.example.vn does not resolve (ENOTFOUND)' })
})

t.test('the allowance: nothing, anything, or the networks listed', async (t) => {
  t.equal(await refusal(new TargetGuard(true, dns), 'http://localhost:1/'), undefined, 'true allows any address')
  t.equal(await refusal(new TargetGuard(true, dns), 'http://169.254.169.254/'), undefined)

  const internal = new TargetGuard(parsePrivateAllowance('10.20.0.0/16, 127.0.0.1/32'), dns)
  t.equal(await refusal(internal, 'https://inside.example.vn/'), undefined, 'the DMS subnet')
  t.equal(await refusal(internal, 'http://127.0.0.1:9000/'), undefined)
  t.match(await refusal(internal, 'http://127.0.0.2/'), { message: '127.0.0.2 is a loopback address' }, 'the rest of loopback is not')
  t.match(await refusal(internal, 'http://10.0.0.1/'), { address: '10.0.0.1' }, 'nor the rest of 10/8')
  t.match(await refusal(internal, 'http://localhost:1/'), { message: 'localhost resolves to ::1, a loopback address' }, 'every address must be allowed')
  t.equal(internal.refusal('::ffff:127.0.0.1'), undefined, 'an allowed address in its IPv4-mapped form')
  t.equal(internal.refusal('8.8.8.8'), undefined, 'public addresses need no allowance')

  t.same(parsePrivateAllowance('false'), false)
  t.same(parsePrivateAllowance(''), false)
  t.same(parsePrivateAllowance('true'), true)
  t.same(parsePrivateAllowance('127.0.0.1,fd00::/8'), [{ address: '127.0.0.1', prefix: 32, family: 'ipv4' }, { address: 'fd00::', prefix: 8, family: 'ipv6' }])
  t.throws(() => parsePrivateAllowance('10.0.0.0/33'), /not an address or a network/)
  t.throws(() => parsePrivateAllowance('intranet/8'), /not an address or a network/)
  t.throws(() => parsePrivateAllowance('10.0.0.0/8/1'), /not an address or a network/)
})

t.test('the configuration reads the allowance, and refuses a bad one at start', async (t) => {
  t.equal(InboxConfig.parse(env).WEBHOOK_ALLOW_PRIVATE, false, 'nothing by default')
  t.equal(InboxConfig.parse({ ...env, WEBHOOK_ALLOW_PRIVATE: 'true' }).WEBHOOK_ALLOW_PRIVATE, true)
  t.same(InboxConfig.parse({ ...env, WEBHOOK_ALLOW_PRIVATE: '10.20.0.0/16' }).WEBHOOK_ALLOW_PRIVATE, [{ address: '10.20.0.0', prefix: 16, family: 'ipv4' }])
  const bad = InboxConfig.safeParse({ ...env, WEBHOOK_ALLOW_PRIVATE: 'yes' })
  t.equal(bad.success, false)
  t.match(bad.error?.issues[0], { path: ['WEBHOOK_ALLOW_PRIVATE'], message: /"yes" is not an address or a network/ })
  t.ok(InboxConfig.parse(env).WEBHOOK_GIVE_UP_MS >= 24 * 3_600_000, 'calls are retried for at least 24 hours by default')
})

t.test('the lookup given to node:http refuses at connect time', async (t) => {
  // The host resolves to a loopback address now: the connection is never made.
  const guard = new TargetGuard(false, dns)
  const err = await new Promise<Error>((resolve) => {
    request('http://localhost:1/', { lookup: guard.lookup() }).on('error', resolve).end()
  })
  t.ok(err instanceof TargetRefused)
  t.equal(err.message, 'localhost resolves to 127.0.0.1, a loopback address')
})
