import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { calculateJwkThumbprint } from 'jose'
import { jwkThumbprint } from '../src/jwk-thumbprint.ts'

t.test('the RFC 8037 example Ed25519 key has the thumbprint the RFC gives', async (t) => {
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }
  t.equal(jwkThumbprint(jwk), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k')
  t.equal(jwkThumbprint({ ...jwk, kid: 'ignored', alg: 'EdDSA', use: 'sig' }), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k', 'only the defining members count')
})

t.test('agrees with jose for P-256 and Ed25519 keys', async (t) => {
  for (const pair of [generateKeyPairSync('ed25519'), generateKeyPairSync('ec', { namedCurve: 'P-256' })]) {
    const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, string>
    t.equal(jwkThumbprint(jwk), await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256'))
  }
})

t.test('keys it does not know are refused', async (t) => {
  t.throws(() => jwkThumbprint({ kty: 'RSA', n: 'x', e: 'AQAB' }))
  t.throws(() => jwkThumbprint({ kty: 'OKP', crv: 'Ed25519' }))
})
