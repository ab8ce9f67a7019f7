import t from 'tap'
import { createHmac, createSecretKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { canonicalJsonBytes } from '../src/canonical-json.ts'
import {
  signDetachedBytes, signDetachedBytesSync, verifyDetached, verifyDetachedBytes, verifyDetachedBytesSync,
  type KeyRequest, type SyncKeyResolver
} from '../src/detached-jws.ts'
import { MAX_JWS_LENGTH } from '../src/detached-jws-parts.ts'
import { SignatureError, type SignatureFailure } from '../src/signature-error.ts'
import type { SigningAlgorithm } from '../src/signing-algorithms.ts'

const ed = generateKeyPairSync('ed25519')
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const edKey = { kid: 'H38-agency-1', alg: 'EdDSA', privateKey: ed.privateKey } as const
const esKey = { kid: 'H38-signer-2', alg: 'ES256', privateKey: p256.privateKey } as const

const registered = new Map<string, KeyObject>([
  [edKey.kid, ed.publicKey],
  [esKey.kid, p256.publicKey]
])
const directory: SyncKeyResolver = ({ kid }) => registered.get(kid)

const value = {
  type: 'lienthong.envelope',
  id: '000.00.00.H38,2026/11/26,12/UBND-VP',
  sender: '000.00.00.H38',
  to: ['000.00.31.H38', '000.00.32.H38'],
  document: { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc chuyển đổi số', priority: 0 },
  signedAt: '2026-11-26T08:00:00+07:00'
}
const payload = canonicalJsonBytes(value)

const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url')
const headerOf = (jws: string): unknown => JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8'))

/** The reason `verifyDetachedBytesSync` gives, or 'accepted'. Anything not a SignatureError is rethrown. */
function reasonOf (jws: unknown, bytes: Uint8Array = payload, resolve: SyncKeyResolver = directory, algorithms?: readonly SigningAlgorithm[]): SignatureFailure | 'accepted' {
  try {
    verifyDetachedBytesSync(jws as string, bytes, resolve, algorithms === undefined ? {} : { algorithms })
    return 'accepted'
  } catch (error) {
    if (error instanceof SignatureError) return error.reason
    throw error
  }
}

/** A detached JWS built by hand over `payload`, with any header; `signWith` makes the signature bytes. */
function handMade (header: Record<string, unknown>, signWith: (input: Buffer) => Buffer, bytes: Uint8Array = payload): string {
  const protectedPart = b64url(JSON.stringify(header))
  return `${protectedPart}..${signWith(Buffer.concat([Buffer.from(`${protectedPart}.`), bytes])).toString('base64url')}`
}
const edSign = (input: Buffer): Buffer => sign(null, input, ed.privateKey)
const esSign = (input: Buffer): Buffer => sign('sha256', input, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' })

t.test('sync-signed EdDSA and ES256 verify with the async verifiers and the sync one', async (t) => {
  for (const key of [edKey, esKey]) {
    const jws = signDetachedBytesSync(payload, key)
    const [protectedPart, payloadPart, signaturePart] = jws.split('.')
    t.equal(jws.split('.').length, 3, `${key.alg}: compact form`)
    t.equal(payloadPart, '', `${key.alg}: detached, empty payload part`)
    t.ok(protectedPart !== undefined && protectedPart.length > 0)
    t.equal(Buffer.from(signaturePart ?? '', 'base64url').length, 64, `${key.alg}: 64-byte signature (r||s for ES256, not DER)`)
    const expected = { kid: key.kid, alg: key.alg, header: { alg: key.alg, kid: key.kid, b64: false, crit: ['b64'] } }
    t.same(await verifyDetachedBytes(jws, payload, directory), expected, `${key.alg}: async bytes verifier accepts it`)
    t.same(await verifyDetached(jws, value, directory), expected, `${key.alg}: async value verifier accepts it`)
    t.same(verifyDetachedBytesSync(jws, payload, directory), expected, `${key.alg}: sync verifier accepts it`)
  }
})

t.test('jose-made signatures verify with the sync verifier, and Ed25519 gives the very same JWS both ways', async (t) => {
  for (const key of [edKey, esKey]) {
    const jws = await signDetachedBytes(payload, key, { typ: 'lienthong-envelope+jws' })
    const verified = verifyDetachedBytesSync(jws, payload, directory)
    t.equal(verified.kid, key.kid)
    t.equal(verified.alg, key.alg)
    t.equal(verified.header.typ, 'lienthong-envelope+jws')
  }
  // Ed25519 is deterministic: the same header text and key give the same signature bytes.
  t.equal(signDetachedBytesSync(payload, edKey), await signDetachedBytes(payload, edKey), 'same JWS as the jose form')
  t.equal(
    signDetachedBytesSync(payload, edKey, { typ: 'x', iat: 1 }),
    await signDetachedBytes(payload, edKey, { typ: 'x', iat: 1 }),
    'same JWS with extra headers too'
  )
  // ECDSA is randomised, but the protected header is the same text.
  const syncEs = signDetachedBytesSync(payload, esKey)
  const joseEs = await signDetachedBytes(payload, esKey)
  t.equal(syncEs.split('.')[0], joseEs.split('.')[0], 'ES256: same protected header')
  t.not(syncEs, joseEs, 'ES256: a fresh random signature each time')
})

t.test('the protected header: b64 false, crit b64, kid and alg, and nothing else unless asked', async (t) => {
  t.same(headerOf(signDetachedBytesSync(payload, edKey)), { alg: 'EdDSA', kid: edKey.kid, b64: false, crit: ['b64'] })
  t.same(headerOf(signDetachedBytesSync(payload, esKey)), { alg: 'ES256', kid: esKey.kid, b64: false, crit: ['b64'] })
})

t.test('a key whose type does not match alg, or a key without kid, is refused before signing', async (t) => {
  t.throws(() => signDetachedBytesSync(payload, { kid: 'k', alg: 'ES256', privateKey: ed.privateKey }), TypeError, 'Ed25519 key for ES256')
  t.throws(() => signDetachedBytesSync(payload, { kid: 'k', alg: 'EdDSA', privateKey: p256.privateKey }), TypeError, 'P-256 key for EdDSA')
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  t.throws(() => signDetachedBytesSync(payload, { kid: 'k', alg: 'ES256', privateKey: p384.privateKey }), TypeError, 'P-384 key for ES256')
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  t.throws(() => signDetachedBytesSync(payload, { kid: 'k', alg: 'ES256', privateKey: rsa.privateKey }), TypeError, 'RSA key')
  t.throws(() => signDetachedBytesSync(payload, { kid: 'k', alg: 'EdDSA', privateKey: createSecretKey(Buffer.alloc(32, 1)) }), TypeError, 'HMAC secret')
  t.throws(() => signDetachedBytesSync(payload, { kid: 'k', alg: 'HS256' as SigningAlgorithm, privateKey: ed.privateKey }), TypeError, 'HS256 read from a config')
  t.throws(() => signDetachedBytesSync(payload, { kid: 'k', alg: 'none' as SigningAlgorithm, privateKey: ed.privateKey }), TypeError, 'none')
  t.throws(() => signDetachedBytesSync(payload, { ...edKey, kid: '' }), TypeError, 'a signing key needs a kid')
})

t.test('extra protected headers are signed and returned; reserved names are refused', async (t) => {
  const jws = signDetachedBytesSync(payload, esKey, { typ: 'lienthong-envelope+jws', iat: 1_790_000_000 })
  t.same(headerOf(jws), { typ: 'lienthong-envelope+jws', iat: 1_790_000_000, alg: 'ES256', kid: esKey.kid, b64: false, crit: ['b64'] })
  const { header } = verifyDetachedBytesSync(jws, payload, directory)
  t.equal(header.typ, 'lienthong-envelope+jws')
  t.equal(header.iat, 1_790_000_000)
  t.equal((await verifyDetachedBytes(jws, payload, directory)).header.typ, 'lienthong-envelope+jws', 'the async verifier agrees')
  for (const name of ['alg', 'kid', 'b64', 'crit']) {
    t.throws(() => signDetachedBytesSync(payload, edKey, { [name]: 'x' }), TypeError, `${name} is reserved`)
  }
})

t.test('the resolver is asked for the kid and alg of the header', async (t) => {
  const asked: KeyRequest[] = []
  verifyDetachedBytesSync(signDetachedBytesSync(payload, esKey, { typ: 'x' }), payload, (request) => {
    asked.push(request)
    return directory(request)
  })
  t.same(asked, [{ kid: esKey.kid, alg: 'ES256', header: { typ: 'x', alg: 'ES256', kid: esKey.kid, b64: false, crit: ['b64'] } }])
  const outage = new Error('directory down')
  t.throws(() => verifyDetachedBytesSync(signDetachedBytesSync(payload, edKey), payload, () => { throw outage }), outage,
    'a resolver failure reaches the caller unchanged, not as a bad signature')
})

t.test('sync verify: malformed', async (t) => {
  const good = signDetachedBytesSync(payload, edKey)
  const [protectedPart = '', , signaturePart = ''] = good.split('.')
  t.equal(reasonOf(good), 'accepted', 'the unspoiled JWS passes')
  t.equal(reasonOf(42), 'malformed', 'not a string')
  t.equal(reasonOf(''), 'malformed', 'empty')
  t.equal(reasonOf(`${protectedPart}.${signaturePart}`), 'malformed', 'two parts')
  t.equal(reasonOf(`${protectedPart}..${signaturePart}.`), 'malformed', 'four parts')
  t.equal(reasonOf(`${protectedPart}.${b64url(payload)}.${signaturePart}`), 'malformed', 'attached payload')
  t.equal(reasonOf(`${b64url('not json')}..${signaturePart}`), 'malformed', 'header not JSON')
  t.equal(reasonOf(`${b64url('[1,2]')}..${signaturePart}`), 'malformed', 'header not an object')
  t.equal(reasonOf(`${protectedPart}+..${signaturePart}`), 'malformed', 'header not base64url')
  t.equal(reasonOf(`${protectedPart}..${signaturePart}=`), 'malformed', 'signature padded / not base64url')
  t.equal(reasonOf(`${protectedPart}..`), 'malformed', 'empty signature')
  t.equal(reasonOf(handMade({ kid: edKey.kid, b64: false, crit: ['b64'] }, edSign)), 'malformed', 'no alg')
  t.equal(reasonOf(handMade({ alg: 'EdDSA', kid: edKey.kid }, edSign)), 'malformed', 'b64 missing')
  t.equal(reasonOf(handMade({ alg: 'EdDSA', kid: edKey.kid, b64: true, crit: ['b64'] }, edSign)), 'malformed', 'b64 true')
  t.equal(reasonOf(handMade({ alg: 'EdDSA', kid: edKey.kid, b64: false }, edSign)), 'malformed', 'crit missing')
  t.equal(reasonOf(handMade({ alg: 'EdDSA', kid: edKey.kid, b64: false, crit: ['b64', 'exp'] }, edSign)), 'malformed', 'crit with more')
  t.equal(reasonOf(handMade({ alg: 'EdDSA', b64: false, crit: ['b64'] }, edSign)), 'malformed', 'kid missing')
  t.equal(reasonOf(handMade({ alg: 'EdDSA', kid: '', b64: false, crit: ['b64'] }, edSign)), 'malformed', 'kid empty')
  t.equal(reasonOf(handMade({ alg: 'EdDSA', kid: 7, b64: false, crit: ['b64'] }, edSign)), 'malformed', 'kid not a string')
})

t.test('sync verify: unsupported_alg', async (t) => {
  const none = `${b64url(JSON.stringify({ alg: 'none', kid: edKey.kid, b64: false, crit: ['b64'] }))}..`
  t.equal(reasonOf(none), 'unsupported_alg', 'alg none')
  // The classic confusion: an HMAC over the signing input keyed with the public key bytes.
  const publicBytes = ed.publicKey.export({ format: 'der', type: 'spki' })
  const hs256 = handMade({ alg: 'HS256', kid: edKey.kid, b64: false, crit: ['b64'] }, (input) => createHmac('sha256', publicBytes).update(input).digest())
  t.equal(reasonOf(hs256), 'unsupported_alg', 'HS256 keyed with the public key')
  const rawPublic = Buffer.from(ed.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url')
  const hs256raw = handMade({ alg: 'HS256', kid: edKey.kid, b64: false, crit: ['b64'] }, (input) => createHmac('sha256', rawPublic).update(input).digest())
  t.equal(reasonOf(hs256raw, payload, () => createSecretKey(rawPublic)), 'unsupported_alg', 'HS256 even when the resolver would hand out a secret')
  t.equal(reasonOf(handMade({ alg: 'RS256', kid: edKey.kid, b64: false, crit: ['b64'] }, edSign)), 'unsupported_alg', 'RS256')
  t.equal(reasonOf(handMade({ alg: 'ES384', kid: edKey.kid, b64: false, crit: ['b64'] }, edSign)), 'unsupported_alg', 'ES384')
  t.equal(reasonOf(handMade({ alg: 'eddsa', kid: edKey.kid, b64: false, crit: ['b64'] }, edSign)), 'unsupported_alg', 'the name is exact')
  t.equal(reasonOf(signDetachedBytesSync(payload, edKey), payload, directory, ['ES256']), 'unsupported_alg', 'narrowed to ES256')
  t.equal(reasonOf(signDetachedBytesSync(payload, esKey), payload, directory, ['ES256']), 'accepted', 'ES256 still accepted when narrowed to it')
})

t.test('sync verify: alg_mismatch', async (t) => {
  // An ES256 header whose kid names an Ed25519 key: the key decides, not the header.
  const esHeaderEdKey = handMade({ alg: 'ES256', kid: edKey.kid, b64: false, crit: ['b64'] }, esSign)
  t.equal(reasonOf(esHeaderEdKey), 'alg_mismatch', 'ES256 header, Ed25519 key')
  const edHeaderEsKey = handMade({ alg: 'EdDSA', kid: esKey.kid, b64: false, crit: ['b64'] }, edSign)
  t.equal(reasonOf(edHeaderEsKey), 'alg_mismatch', 'EdDSA header, P-256 key')
  // An HMAC secret made of the public key's bytes, handed out under an accepted alg, never verifies.
  const rawPublic = Buffer.from(ed.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url')
  const macAsEd = handMade({ alg: 'EdDSA', kid: edKey.kid, b64: false, crit: ['b64'] }, (input) => createHmac('sha256', rawPublic).update(input).digest())
  t.equal(reasonOf(macAsEd, payload, () => createSecretKey(rawPublic)), 'alg_mismatch', 'a secret key is no key for EdDSA')
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  t.equal(reasonOf(signDetachedBytesSync(payload, esKey), payload, () => p384.publicKey), 'alg_mismatch', 'a P-384 key is no key for ES256')
})

t.test('sync verify: unknown_key', async (t) => {
  t.equal(reasonOf(signDetachedBytesSync(payload, { ...edKey, kid: 'nobody' })), 'unknown_key')
  t.equal(reasonOf(signDetachedBytesSync(payload, edKey), payload, () => undefined), 'unknown_key', 'resolver has nothing')
})

t.test('sync verify: bad_signature', async (t) => {
  for (const key of [edKey, esKey]) {
    const jws = signDetachedBytesSync(payload, key)
    t.equal(reasonOf(jws), 'accepted', `${key.alg}: the original passes`)
    for (const at of [0, Math.floor(payload.length / 2), payload.length - 1]) {
      const changed = Buffer.from(payload)
      changed[at] = (changed[at] as number) ^ 0x01
      t.equal(reasonOf(jws, changed), 'bad_signature', `${key.alg}: payload byte ${at} changed`)
    }
    t.equal(reasonOf(jws, payload.subarray(0, payload.length - 1)), 'bad_signature', `${key.alg}: payload cut short`)
    t.equal(reasonOf(jws, Buffer.concat([payload, Buffer.from(' ')])), 'bad_signature', `${key.alg}: payload extended`)
    // A signature byte changed keeps the base64url canonical when the change is inside a full group.
    const [h, , s = ''] = jws.split('.')
    const sig = Buffer.from(s, 'base64url')
    sig[10] = (sig[10] as number) ^ 0x01
    t.equal(reasonOf(`${h}..${sig.toString('base64url')}`), 'bad_signature', `${key.alg}: signature byte changed`)
    t.equal(reasonOf(`${h}..${sig.subarray(0, 63).toString('base64url')}`), 'bad_signature', `${key.alg}: signature too short`)
    // The same signature under a header changed after signing (an added member) does not verify.
    const otherHeader = b64url(JSON.stringify({ ...(headerOf(jws) as object), typ: 'x' }))
    t.equal(reasonOf(`${otherHeader}..${s}`), 'bad_signature', `${key.alg}: header changed after signing`)
  }
  const stranger = generateKeyPairSync('ed25519')
  t.equal(reasonOf(signDetachedBytesSync(payload, { kid: edKey.kid, alg: 'EdDSA', privateKey: stranger.privateKey })), 'bad_signature',
    'another Ed25519 key under the registered kid')
})

t.test('sync verify: too_large, before anything else', async (t) => {
  let asked = 0
  const counting: SyncKeyResolver = (request) => { asked++; return directory(request) }
  const good = signDetachedBytesSync(payload, edKey, { note: 'x'.repeat(100) })
  t.equal(reasonOf(good, payload, counting), 'accepted')
  t.equal(asked, 1)
  t.equal(reasonOf('a'.repeat(MAX_JWS_LENGTH + 1), payload, counting), 'too_large', 'one character over the bound')
  const big = signDetachedBytesSync(payload, edKey, { note: 'x'.repeat(MAX_JWS_LENGTH) })
  t.ok(big.length > MAX_JWS_LENGTH)
  t.equal(reasonOf(big, payload, counting), 'too_large', 'a validly signed JWS over 16 KiB')
  t.equal(asked, 1, 'the resolver was not asked for the oversized ones')
  t.equal(reasonOf('a'.repeat(MAX_JWS_LENGTH)), 'malformed', 'at the bound it is read (and found malformed)')
})
