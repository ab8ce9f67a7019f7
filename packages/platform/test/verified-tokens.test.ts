import t from 'tap'
import { VerifiedTokens } from '../src/verified-tokens.ts'

const token = (kid: string, n: number): string =>
  `${Buffer.from(JSON.stringify({ alg: 'EdDSA', kid })).toString('base64url')}.${Buffer.from(`{"n":${n}}`).toString('base64url')}.sig`
const claims = (exp?: number): { sub: string, scope: string, cid: string, exp?: number } => ({ sub: '000.00.31.H38', scope: 'documents:send', cid: 'c1', ...(exp !== undefined ? { exp } : {}) })
const known = (): boolean => true

t.test('a verified token is remembered until it expires', async (t) => {
  const cache = new VerifiedTokens()
  const now = 1_800_000_000_000
  cache.add(token('k1', 1), claims(now / 1000 + 60))
  t.same(cache.get(token('k1', 1), known, now), claims(now / 1000 + 60))
  t.equal(cache.get(token('k1', 2), known, now), undefined, 'another token is not taken for it')
  t.equal(cache.get(token('k1', 1), known, now + 60_000), undefined, 'expired: verified again, and refused there')
  t.equal(cache.size, 0, 'the expired entry is dropped')
})

t.test('a token whose key is no longer published is not taken from the cache', async (t) => {
  const cache = new VerifiedTokens()
  const now = 1_800_000_000_000
  cache.add(token('k1', 1), claims(now / 1000 + 60))
  const asked: string[] = []
  t.equal(cache.get(token('k1', 1), (kid) => { asked.push(kid); return false }, now), undefined)
  t.same(asked, ['k1'], 'the key the token names is the one looked up')
  t.equal(cache.get(token('k1', 1), known, now), undefined, 'and it stays out until verified again')
})

t.test('tokens without an expiry or a key id are never kept', async (t) => {
  const cache = new VerifiedTokens()
  cache.add(token('k1', 1), claims())
  cache.add('not-a-jwt', claims(2_000_000_000))
  cache.add(`${Buffer.from('{"alg":"EdDSA"}').toString('base64url')}.e30.sig`, claims(2_000_000_000))
  t.equal(cache.size, 0)
})

t.test('the oldest token makes room when the cache is full', async (t) => {
  const cache = new VerifiedTokens(2)
  const now = 1_800_000_000_000
  for (const n of [1, 2, 3]) cache.add(token('k1', n), claims(now / 1000 + 60))
  t.equal(cache.size, 2)
  t.equal(cache.get(token('k1', 1), known, now), undefined, 'the first is gone')
  t.ok(cache.get(token('k1', 3), known, now), 'the last is there')
})
