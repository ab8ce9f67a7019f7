import t from 'tap'
import { hashClientSecret, newClientId, newClientSecret, scryptRunning, verifyClientSecret } from '../../src/domain/client-secret.ts'
import { availableParallelism } from 'node:os'

t.test('hash and verify round trip; a wrong secret is refused', async (t) => {
  const secret = newClientSecret()
  const stored = await hashClientSecret(secret)
  t.equal(await verifyClientSecret(secret, stored), true)
  t.equal(await verifyClientSecret(`${secret}x`, stored), false)
  t.equal(await verifyClientSecret('', stored), false)
  t.equal(await verifyClientSecret(secret.slice(0, -1), stored), false)
})

t.test('the stored form is scrypt$N$r$p$salt$key and never holds the secret', async (t) => {
  const secret = 'correct horse battery staple'
  const stored = await hashClientSecret(secret)
  t.match(stored, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
  t.notMatch(stored, secret)
  t.notMatch(stored, Buffer.from(secret).toString('base64url'))
})

t.test('hashes are salted: the same secret hashes differently, both verify', async (t) => {
  const a = await hashClientSecret('same secret')
  const b = await hashClientSecret('same secret')
  t.not(a, b)
  t.not(a.split('$')[4], b.split('$')[4], 'different salts')
  t.equal(await verifyClientSecret('same secret', a), true)
  t.equal(await verifyClientSecret('same secret', b), true)
})

t.test('the costs are part of the hash: changing N in the stored value breaks verification', async (t) => {
  const stored = await hashClientSecret('s')
  const parts = stored.split('$')
  parts[1] = '1024'
  t.equal(await verifyClientSecret('s', parts.join('$')), false)
})

t.test('a malformed stored value verifies nothing', async (t) => {
  const good = await hashClientSecret('s3cret')
  const malformed = [
    '',
    'plain text',
    good.replace(/^scrypt/, 'bcrypt'),
    good.slice(0, good.lastIndexOf('$')), // no key part
    good.slice(0, good.lastIndexOf('$') + 1), // empty key part
    'scrypt$$$$$',
    good.replace('$16384$', '$abc$') // cost not a number
  ]
  for (const stored of malformed) {
    let result: unknown
    try {
      result = await verifyClientSecret('s3cret', stored)
    } catch (err) {
      result = `threw: ${(err as Error).message}`
    }
    t.equal(result, false, JSON.stringify(stored))
  }
})

t.test('a stored value with an empty key part does not accept every secret (fail-open)', async (t) => {
  const good = await hashClientSecret('the real secret')
  const truncated = good.slice(0, good.lastIndexOf('$') + 1)
  t.equal(await verifyClientSecret('a guess', truncated), false)
  t.equal(await verifyClientSecret('', 'scrypt$16384$8$1$$'), false)
})

t.test('new secrets and client ids are random and well-formed', async (t) => {
  const secrets = new Set(Array.from({ length: 50 }, () => newClientSecret()))
  t.equal(secrets.size, 50)
  for (const s of secrets) t.match(s, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')
  const ids = new Set(Array.from({ length: 50 }, () => newClientId()))
  t.equal(ids.size, 50)
  for (const id of ids) t.match(id, /^ltc_[A-Za-z0-9_-]{16}$/)
})

t.test('a burst of hashes runs at most one scrypt per core at a time, and every one completes', async (t) => {
  let most = 0
  const watch = setInterval(() => { most = Math.max(most, scryptRunning()) }, 1)
  const secrets = Array.from({ length: 12 }, (_, i) => `secret ${i}`)
  const hashes = await Promise.all(secrets.map(async (s) => await hashClientSecret(s)))
  clearInterval(watch)
  t.ok(most >= 1 && most <= Math.max(1, availableParallelism()), `at most ${availableParallelism()} at once (saw ${most})`)
  t.equal(scryptRunning(), 0, 'every slot is given back')
  const checks = await Promise.all(secrets.map(async (s, i) => await verifyClientSecret(s, hashes[i]!)))
  t.same(checks, secrets.map(() => true))
})
