import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto'
import t from 'tap'
import { jwkThumbprint } from '@lienthong/crypto'
import { keyAad, openPrivateKey, resealUnderCurrent, SealedKeyError, sealPrivateKey, type KeyBinding } from '../../src/domain/key-sealing.ts'
import { MasterKeySet } from '../../src/domain/master-keys.ts'

const old = { id: 'mk-old', key: randomBytes(32) }
const current = { id: 'mk-new', key: randomBytes(32) }
const pair = generateKeyPairSync('ed25519')
const binding: KeyBinding = { agency: '000.05.31.H38', role: 'agency', kid: jwkThumbprint(pair.publicKey.export({ format: 'jwk' })) }

/** The key pair the binding's kid names. */
function keyPair (): { privateKey: KeyObject, publicKey: KeyObject } {
  return pair
}

function sameKey (a: KeyObject, b: KeyObject): boolean {
  return a.export({ format: 'jwk' }).d === b.export({ format: 'jwk' }).d
}

t.test('round trip: the opened key is the sealed key and signs as it', async (t) => {
  const masters = new MasterKeySet([current])
  const { privateKey, publicKey } = keyPair()
  const sealed = sealPrivateKey(privateKey, binding, masters)
  t.equal(sealed.masterKeyId, 'mk-new')
  t.equal(sealed.iv.length, 12)
  t.equal(sealed.authTag.length, 16)
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url')
  t.equal(sealed.ciphertext.length, 32)
  t.equal(sealed.ciphertext.equals(seed), false, 'the key bytes are not in the ciphertext')
  const opened = openPrivateKey(sealed, binding, masters)
  t.ok(sameKey(opened, privateKey))
  const data = Buffer.from('văn bản')
  t.ok(verify(null, data, publicKey, sign(null, data, opened)))
})

t.test('each seal has its own IV', async (t) => {
  const masters = new MasterKeySet([current])
  const { privateKey } = keyPair()
  const a = sealPrivateKey(privateKey, binding, masters)
  const b = sealPrivateKey(privateKey, binding, masters)
  t.not(a.iv.toString('hex'), b.iv.toString('hex'))
  t.not(a.ciphertext.toString('hex'), b.ciphertext.toString('hex'))
})

t.test('the AAD binds agency, role and kid: a ciphertext opens in its own row only', async (t) => {
  const masters = new MasterKeySet([current])
  const sealed = sealPrivateKey(keyPair().privateKey, binding, masters)
  t.not(keyAad(binding).toString(), keyAad({ ...binding, role: 'signer' }).toString())
  for (const other of [
    { ...binding, agency: '000.06.31.H38' },
    { ...binding, role: 'signer' as const },
    { ...binding, kid: 'kid-2' }
  ]) {
    const err = t.throws(() => openPrivateKey(sealed, other, masters), SealedKeyError) as unknown as Error
    t.match(err.message, /does not open/)
  }
})

t.test('a wrong or missing master key, or an altered byte, does not open', async (t) => {
  const sealed = sealPrivateKey(keyPair().privateKey, binding, new MasterKeySet([current]))
  const impostor = new MasterKeySet([{ id: 'mk-new', key: randomBytes(32) }])
  t.throws(() => openPrivateKey(sealed, binding, impostor), SealedKeyError, 'same id, other bytes')
  const err = t.throws(() => openPrivateKey(sealed, binding, new MasterKeySet([old])), SealedKeyError) as unknown as Error
  t.match(err.message, /sealed under master key mk-new, which is not configured/)
  const flipped = Buffer.from(sealed.ciphertext)
  flipped[5] = flipped[5]! ^ 1
  t.throws(() => openPrivateKey({ ...sealed, ciphertext: flipped }, binding, new MasterKeySet([current])), SealedKeyError)
  const tag = Buffer.from(sealed.authTag)
  tag[0] = tag[0]! ^ 1
  t.throws(() => openPrivateKey({ ...sealed, authTag: tag }, binding, new MasterKeySet([current])), SealedKeyError)
  t.throws(() => openPrivateKey({ ...sealed, iv: sealed.iv.subarray(0, 8) }, binding, new MasterKeySet([current])), /stored malformed/)
})

t.test('a key sealed under a kid that is not its thumbprint does not open', async (t) => {
  const masters = new MasterKeySet([current])
  const other = { ...binding, kid: 'not-the-thumbprint' }
  const sealed = sealPrivateKey(pair.privateKey, other, masters)
  t.throws(() => openPrivateKey(sealed, other, masters), /is not the key its kid names/)
  t.throws(() => sealPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, binding, masters), TypeError)
})

t.test('rewrap: a key sealed under the old master key moves to the current one', async (t) => {
  const { privateKey } = keyPair()
  const before = sealPrivateKey(privateKey, binding, new MasterKeySet([old]))
  const rotated = new MasterKeySet([current, old])
  const after = resealUnderCurrent(before, binding, rotated)
  if (after === undefined) throw new Error('expected a re-sealed key')
  t.equal(after.masterKeyId, 'mk-new')
  t.ok(sameKey(openPrivateKey(after, binding, new MasterKeySet([current])), privateKey), 'opens with the new key alone')
  t.equal(resealUnderCurrent(after, binding, rotated), undefined, 'already current: nothing to do')
  t.throws(() => resealUnderCurrent(before, { ...binding, kid: 'x' }, rotated), SealedKeyError, 'the AAD still has to match')
})
