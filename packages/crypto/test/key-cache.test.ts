import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { PublicKeyCache } from '../src/key-cache.ts'
import { signDetached, verifyDetached } from '../src/detached-jws.ts'

const ed = generateKeyPairSync('ed25519')
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const edJwk = ed.publicKey.export({ format: 'jwk' })
const p256Jwk = p256.publicKey.export({ format: 'jwk' })

t.test('the same key material gives the same KeyObject instance', async (t) => {
  const cache = new PublicKeyCache()
  const first = cache.fromJwk(edJwk)
  t.equal(cache.fromJwk(edJwk), first)
  t.equal(cache.fromJwk({ x: edJwk.x, crv: 'Ed25519', kty: 'OKP' }), first, 'member order does not matter')
  t.equal(cache.fromJwk({ ...edJwk, kid: 'other-name', use: 'sig', alg: 'EdDSA' }), first, 'metadata does not matter')
  t.equal(cache.fromJwk(ed.privateKey.export({ format: 'jwk' })), first, 'a private JWK yields the public key only')
  t.equal(first.type, 'public')
  t.ok(first.equals(ed.publicKey))
  t.equal(cache.fromJwk(p256Jwk), cache.fromJwk({ ...p256Jwk }))
  t.not(cache.fromJwk(p256Jwk), first)
  t.equal(cache.size, 2)
})

t.test('bounded; least recently used goes first', async (t) => {
  const cache = new PublicKeyCache(2)
  const a = cache.fromJwk(edJwk)
  const b = cache.fromJwk(p256Jwk)
  t.equal(cache.fromJwk(edJwk), a, 'touch a, so b is now the oldest')
  const c = cache.fromJwk(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }))
  t.equal(cache.size, 2)
  t.equal(cache.fromJwk(edJwk), a, 'a kept')
  t.not(cache.fromJwk(p256Jwk), b, 'b was dropped and is imported anew')
  t.equal(cache.size, 2)
  t.not(cache.fromJwk(c.export({ format: 'jwk' })), c, 'c dropped in turn')
  cache.clear()
  t.equal(cache.size, 0)
  t.throws(() => new PublicKeyCache(0), RangeError)
  t.throws(() => new PublicKeyCache(1.5), RangeError)
})

t.test('only Ed25519 and P-256 public keys', async (t) => {
  const cache = new PublicKeyCache()
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' })
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' })
  const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' })
  for (const [name, jwk] of [['RSA', rsa], ['P-384', p384], ['X25519', x25519], ['oct', { kty: 'oct', k: 'c2VjcmV0' }],
    ['Ed25519 without x', { kty: 'OKP', crv: 'Ed25519' }], ['P-256 without y', { kty: 'EC', crv: 'P-256', x: p256Jwk.x }]] as const) {
    t.throws(() => cache.fromJwk(jwk), TypeError, name)
  }
  t.equal(cache.size, 0)
})

t.test('a cached key resolves signatures', async (t) => {
  const cache = new PublicKeyCache()
  const keys = new Map([['agency-1', edJwk], ['signer-1', p256Jwk]])
  const resolveKey = ({ kid }: { kid: string }) => {
    const jwk = keys.get(kid)
    return jwk === undefined ? undefined : cache.fromJwk(jwk)
  }
  const value = { hello: 'Lào Cai' }
  for (let i = 0; i < 3; i++) {
    t.equal((await verifyDetached(await signDetached(value, { kid: 'agency-1', alg: 'EdDSA', privateKey: ed.privateKey }), value, resolveKey)).kid, 'agency-1')
    t.equal((await verifyDetached(await signDetached(value, { kid: 'signer-1', alg: 'ES256', privateKey: p256.privateKey }), value, resolveKey)).kid, 'signer-1')
  }
  t.equal(cache.size, 2, 'imported once each')
})
