import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { canonicalJsonBytes } from '../src/canonical-json.ts'
import { signDetachedBytesSync, verifyDetachedBytesSync } from '../src/detached-jws.ts'
import { SignatureError } from '../src/signature-error.ts'
import { VerifiedSignatureCache } from '../src/verified-signatures.ts'

function reasonOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof SignatureError ? error.reason : 'not a SignatureError'
  }
  return undefined
}

const payload = canonicalJsonBytes({ id: 'doc-1', subject: 'Về việc…' })

t.test('a signature that verified is remembered with the key object that verified it', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const jws = signDetachedBytesSync(payload, { kid: 'k', alg: 'EdDSA', privateKey })
  const cache = new VerifiedSignatureCache()
  let resolved = 0
  const resolve = (): typeof publicKey => { resolved++; return publicKey }
  t.equal(verifyDetachedBytesSync(jws, payload, resolve, { cache }).kid, 'k')
  t.equal(cache.size, 1)
  t.equal(verifyDetachedBytesSync(jws, payload, resolve, { cache }).kid, 'k', 'the second check is a hit')
  t.equal(cache.size, 1)
  t.equal(resolved, 2, 'the key is still resolved every time, so a revocation is never cached')

  // Other bytes are another entry: they are checked, and fail.
  const other = canonicalJsonBytes({ id: 'doc-1', subject: 'Khác' })
  t.equal(reasonOf(() => verifyDetachedBytesSync(jws, other, resolve, { cache })), 'bad_signature')
  t.equal(cache.size, 1, 'a failure is not remembered')

  // The same kid pointing at other key material: the remembered result does not apply.
  const impostor = generateKeyPairSync('ed25519').publicKey
  t.equal(reasonOf(() => verifyDetachedBytesSync(jws, payload, () => impostor, { cache })), 'bad_signature')
})

t.test('the cache is bounded, oldest first out', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const cache = new VerifiedSignatureCache(2)
  const signed = [1, 2, 3].map((n) => {
    const bytes = canonicalJsonBytes({ n })
    return { bytes, jws: signDetachedBytesSync(bytes, { kid: 'k', alg: 'EdDSA', privateKey }) }
  })
  for (const s of signed) verifyDetachedBytesSync(s.jws, s.bytes, () => publicKey, { cache })
  t.equal(cache.size, 2)
  t.throws(() => new VerifiedSignatureCache(0), RangeError)
})
