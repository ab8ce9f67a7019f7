import t from 'tap'
import { createHmac, createSecretKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { CompactSign, FlattenedSign, flattenedVerify } from 'jose'
import { canonicalJson, canonicalJsonBytes } from '../src/canonical-json.ts'
import { signDetached, signDetachedBytes, verifyDetached, verifyDetachedBytes, type KeyResolver } from '../src/detached-jws.ts'
import { MAX_JWS_LENGTH } from '../src/detached-jws-parts.ts'
import { SignatureError } from '../src/signature-error.ts'

const ed = generateKeyPairSync('ed25519')
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const edKey = { kid: 'H38-agency-1', alg: 'EdDSA', privateKey: ed.privateKey } as const
const esKey = { kid: 'H38-signer-2', alg: 'ES256', privateKey: p256.privateKey } as const

const registered = new Map<string, KeyObject>([
  [edKey.kid, ed.publicKey],
  [esKey.kid, p256.publicKey]
])
const directory: KeyResolver = ({ kid }) => registered.get(kid)

const envelope = {
  id: '000.00.00.H38,2026/11/26,12/UBND-VP',
  from: '000.00.00.H38',
  to: ['000.00.31.H38', '000.00.32.H38', '000.05.31.H38'],
  document: { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc chuyển đổi số', priority: 0 },
  attachments: [{ name: 'cv.pdf', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }]
}

function refused (reason: string): { name: string, reason: string } {
  return { name: 'SignatureError', reason }
}

const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url')

/** A JWS built by hand, validly signed with Ed25519, so that only its header can be at fault. */
function handMade (header: Record<string, unknown>, value: unknown = envelope, payloadPart = ''): string {
  const protectedPart = b64url(JSON.stringify(header))
  const signature = sign(null, Buffer.concat([Buffer.from(`${protectedPart}.`), canonicalJsonBytes(value)]), ed.privateKey)
  return `${protectedPart}.${payloadPart}.${signature.toString('base64url')}`
}

const goodHeader = { alg: 'EdDSA', kid: edKey.kid, b64: false, crit: ['b64'] }

t.test('round trip with EdDSA and ES256', async (t) => {
  for (const key of [edKey, esKey]) {
    const jws = await signDetached(envelope, key)
    const [protectedPart, payloadPart, signaturePart] = jws.split('.')
    t.equal(payloadPart, '', `${key.alg}: detached, empty payload part`)
    t.same(JSON.parse(Buffer.from(protectedPart ?? '', 'base64url').toString()),
      { alg: key.alg, kid: key.kid, b64: false, crit: ['b64'] }, `${key.alg}: RFC 7797 header`)
    t.equal(Buffer.from(signaturePart ?? '', 'base64url').length, 64, `${key.alg}: 64-byte signature (r||s for ES256)`)
    const verified = await verifyDetached(jws, envelope, directory)
    t.same(verified, { kid: key.kid, alg: key.alg, header: { alg: key.alg, kid: key.kid, b64: false, crit: ['b64'] } })
  }
})

t.test('key order of the value does not matter; the canonical form is what is signed', async (t) => {
  const jws = await signDetached(envelope, edKey)
  const reordered = {
    attachments: envelope.attachments,
    document: { priority: 0, subject: envelope.document.subject, type: 'Công văn', notation: 'UBND-VP', number: '12' },
    to: envelope.to,
    from: envelope.from,
    id: envelope.id
  }
  t.equal((await verifyDetached(jws, reordered, directory)).kid, edKey.kid)
  t.equal((await verifyDetached(jws, JSON.parse(JSON.stringify(envelope)), directory)).kid, edKey.kid, 'survives a JSON round trip')
  t.equal((await verifyDetachedBytes(jws, Buffer.from(canonicalJson(envelope)), directory)).kid, edKey.kid, 'bytes variant')
  const fromBytes = await signDetachedBytes(canonicalJsonBytes(reordered), edKey)
  t.equal(fromBytes, jws, 'Ed25519 is deterministic, so both ways give the same JWS')
})

t.test('extra protected header members are signed and returned; reserved ones cannot be overridden', async (t) => {
  const jws = await signDetached(envelope, esKey, { typ: 'lienthong-envelope+jws', iat: 1_790_000_000 })
  const { header } = await verifyDetached(jws, envelope, directory)
  t.equal(header.typ, 'lienthong-envelope+jws')
  t.equal(header.iat, 1_790_000_000)
  for (const name of ['alg', 'kid', 'b64', 'crit']) {
    await t.rejects(signDetached(envelope, edKey, { [name]: 'x' }), TypeError, `${name} is reserved`)
  }
  await t.rejects(signDetached(envelope, { ...edKey, kid: '' }), TypeError, 'a signing key needs a kid')
  const hmac = { kid: 'k', alg: 'HS256' as never, privateKey: createSecretKey(Buffer.alloc(32)) }
  await t.rejects(signDetached(envelope, hmac), TypeError, 'no HMAC signing either')
  await t.rejects(signDetached(envelope, { ...esKey, privateKey: ed.privateKey }), 'an Ed25519 key cannot sign ES256')
  await t.rejects(signDetached(envelope, { ...edKey, privateKey: p256.privateKey }), 'a P-256 key cannot sign EdDSA')
})

t.test('interoperates with jose in both directions', async (t) => {
  const payload = canonicalJsonBytes(envelope)
  for (const [key, publicKey] of [[edKey, ed.publicKey], [esKey, p256.publicKey]] as const) {
    const [protectedPart = '', , signature = ''] = (await signDetached(envelope, key)).split('.')
    const checked = await flattenedVerify({ protected: protectedPart, payload, signature }, publicKey, { algorithms: [key.alg] })
    t.equal(checked.protectedHeader?.kid, key.kid, `${key.alg}: jose accepts ours`)

    const theirs = await new FlattenedSign(payload)
      .setProtectedHeader({ alg: key.alg, b64: false, crit: ['b64'], kid: key.kid })
      .sign(key.privateKey)
    t.equal((await verifyDetached(`${theirs.protected ?? ''}..${theirs.signature}`, envelope, directory)).alg, key.alg,
      `${key.alg}: we accept jose's`)
  }
})

t.test('refused: the value changed after signing', async (t) => {
  const jws = await signDetached(envelope, edKey)
  const oneByte = { ...envelope, document: { ...envelope.document, subject: 'Về việc chuyển đổi sô' } }
  await t.rejects(verifyDetached(jws, oneByte, directory), refused('bad_signature'), 'one changed character')
  const changedField = { ...envelope, document: { ...envelope.document, priority: 1 } }
  await t.rejects(verifyDetached(jws, changedField, directory), refused('bad_signature'), 'a changed field')
  const swapped = { ...envelope, to: [envelope.to[1], envelope.to[0], envelope.to[2]] }
  await t.rejects(verifyDetached(jws, swapped, directory), refused('bad_signature'), 'swapped recipients')
  const attachment = { ...envelope, attachments: [{ name: 'cv.pdf', sha256: 'f'.repeat(64) }] }
  await t.rejects(verifyDetached(jws, attachment, directory), refused('bad_signature'), 'a changed attachment digest')
  const replayed = { ...envelope, id: '000.00.00.H38,2026/11/27,12/UBND-VP' }
  await t.rejects(verifyDetached(jws, replayed, directory), refused('bad_signature'), 'the same envelope under a new id')
  const extra = { ...envelope, note: 'added' }
  await t.rejects(verifyDetached(jws, extra, directory), refused('bad_signature'), 'an added member')

  const bytes = Buffer.from(canonicalJson(envelope))
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 1, bytes.length - 3)
  await t.rejects(verifyDetachedBytes(jws, bytes, directory), refused('bad_signature'), 'one flipped bit of the bytes')
})

t.test('refused: the signature changed', async (t) => {
  for (const key of [edKey, esKey]) {
    const jws = await signDetached(envelope, key)
    const [h, , s = ''] = jws.split('.')
    const bytes = Buffer.from(s, 'base64url')
    bytes.writeUInt8(bytes.readUInt8(10) ^ 0x40, 10)
    await t.rejects(verifyDetached(`${h}..${bytes.toString('base64url')}`, envelope, directory), refused('bad_signature'), key.alg)
    await t.rejects(verifyDetached(`${h}..${bytes.subarray(0, 63).toString('base64url')}`, envelope, directory),
      refused('bad_signature'), `${key.alg}: truncated`)
  }
  const other = await signDetached(envelope, esKey)
  const [, , otherSig] = other.split('.')
  const [edHeader] = (await signDetached(envelope, edKey)).split('.')
  await t.rejects(verifyDetached(`${edHeader}..${otherSig}`, envelope, directory), refused('bad_signature'), 'signature from another token')
})

t.test('refused: alg none', async (t) => {
  const none = `${b64url(JSON.stringify({ alg: 'none', kid: edKey.kid, b64: false, crit: ['b64'] }))}..`
  await t.rejects(verifyDetached(none, envelope, directory), { name: 'SignatureError' }, 'empty signature')
  await t.rejects(verifyDetached(none, envelope, directory), refused('unsupported_alg'))
  const noneWithSig = `${b64url(JSON.stringify({ alg: 'none', kid: edKey.kid }))}..${b64url('x')}`
  await t.rejects(verifyDetached(noneWithSig, envelope, directory), refused('unsupported_alg'), 'plain none header')
  const noneCase = handMade({ ...goodHeader, alg: 'None' })
  await t.rejects(verifyDetached(noneCase, envelope, directory), refused('unsupported_alg'), 'None, any case')
})

t.test('refused: HS256 made with the public key PEM as the secret', async (t) => {
  const pem = ed.publicKey.export({ type: 'spki', format: 'pem' })
  const protectedPart = b64url(JSON.stringify({ alg: 'HS256', kid: edKey.kid, b64: false, crit: ['b64'] }))
  const mac = createHmac('sha256', pem).update(`${protectedPart}.`).update(canonicalJsonBytes(envelope)).digest('base64url')
  const forged = `${protectedPart}..${mac}`
  let asked = 0
  const counting: KeyResolver = (request) => { asked++; return directory(request) }
  await t.rejects(verifyDetached(forged, envelope, counting), refused('unsupported_alg'))
  t.equal(asked, 0, 'the key directory is not even asked')
  // and if the resolver itself were fooled into handing back an HMAC secret
  const secretDirectory: KeyResolver = () => createSecretKey(Buffer.from(pem))
  const edToken = await signDetached(envelope, edKey)
  await t.rejects(verifyDetached(edToken, envelope, secretDirectory), refused('alg_mismatch'), 'a secret key never verifies')
  for (const alg of ['HS384', 'HS512', 'RS256', 'PS256', 'ES384', 'ES256K', 'Ed25519', 'ML-DSA-44']) {
    await t.rejects(verifyDetached(handMade({ ...goodHeader, alg }), envelope, directory), refused('unsupported_alg'), alg)
  }
})

t.test('refused: an algorithm the key was not registered for', async (t) => {
  const es256Token = await signDetached(envelope, esKey)
  const edInstead: KeyResolver = () => ed.publicKey
  await t.rejects(verifyDetached(es256Token, envelope, edInstead), refused('alg_mismatch'), 'ES256 header, Ed25519 key')
  const edToken = await signDetached(envelope, edKey)
  const p256Instead: KeyResolver = () => p256.publicKey
  await t.rejects(verifyDetached(edToken, envelope, p256Instead), refused('alg_mismatch'), 'EdDSA header, P-256 key')
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  await t.rejects(verifyDetached(es256Token, envelope, () => p384.publicKey), refused('alg_mismatch'), 'ES256 header, P-384 key')
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  await t.rejects(verifyDetached(edToken, envelope, () => rsa.publicKey), refused('alg_mismatch'), 'RSA key')
  await t.rejects(verifyDetached(edToken, envelope, directory, { algorithms: ['ES256'] }), refused('unsupported_alg'),
    'the caller narrowed the accepted algorithms')
})

t.test('refused: oversized, before any parsing', async (t) => {
  let asked = 0
  const counting: KeyResolver = (request) => { asked++; return directory(request) }
  await t.rejects(verifyDetached('a'.repeat(MAX_JWS_LENGTH + 1), envelope, counting), refused('too_large'))
  const padded = handMade({ ...goodHeader, pad: 'x'.repeat(MAX_JWS_LENGTH) })
  await t.rejects(verifyDetached(padded, envelope, counting), refused('too_large'), 'a validly signed but huge header')
  t.equal(asked, 0)
  // base64url spends 4 characters per 3 bytes of header JSON
  const justUnder = handMade({ ...goodHeader, pad: 'x'.repeat(Math.floor((MAX_JWS_LENGTH - 100) * 3 / 4) - 100) })
  t.ok(justUnder.length <= MAX_JWS_LENGTH && justUnder.length > MAX_JWS_LENGTH - 200, `${justUnder.length} characters`)
  t.equal((await verifyDetached(justUnder, envelope, directory)).kid, edKey.kid, 'below the bound it is fine')
})

t.test('refused: malformed compact strings', async (t) => {
  const good = await signDetached(envelope, edKey)
  const [h = '', , s = ''] = good.split('.')
  const cases: Array<[string, unknown]> = [
    ['empty', ''],
    ['not a string', 42],
    ['one part', h],
    ['two parts', `${h}.${s}`],
    ['four parts', `${h}...${s}`],
    ['empty header', `..${s}`],
    ['empty signature', `${h}..`],
    ['standard base64 characters', `${h}..${s.slice(0, -2)}+/`],
    ['base64 padding', `${h}..${s}==`],
    ['whitespace', `${h}.. ${s}`],
    ['header not JSON', `${b64url('{alg:EdDSA}')}..${s}`],
    ['header a JSON array', `${b64url('["EdDSA"]')}..${s}`],
    ['header a JSON string', `${b64url('"EdDSA"')}..${s}`],
    ['header not UTF-8', `${b64url(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))}..${s}`]
  ]
  for (const [name, jws] of cases) {
    await t.rejects(verifyDetached(jws as string, envelope, directory), refused('malformed'), name)
  }
  // 86 characters carry 512 bits and 4 spare ones; Node would ignore them, we do not
  const lastIndex = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(s.slice(-1))
  const spareBits = s.slice(0, -1) + ('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[lastIndex ^ 1] ?? '')
  t.same(Buffer.from(spareBits, 'base64url'), Buffer.from(s, 'base64url'), 'Node decodes both spellings the same')
  await t.rejects(verifyDetached(`${h}..${spareBits}`, envelope, directory), refused('malformed'), 'non-canonical base64url')
})

t.test('refused: not detached (payload present)', async (t) => {
  const payload = canonicalJsonBytes(envelope)
  const [h = '', , s = ''] = (await signDetached(envelope, edKey)).split('.')
  await t.rejects(verifyDetached(`${h}.${b64url(payload)}.${s}`, envelope, directory), refused('malformed'), 'payload part filled in')
  const attached = await new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid: edKey.kid }).sign(ed.privateKey)
  await t.rejects(verifyDetached(attached, envelope, directory), refused('malformed'), 'an ordinary attached JWS')
})

t.test('refused: kid, b64 and crit not as required, even when validly signed', async (t) => {
  const { kid: _kid, ...noKid } = goodHeader
  const cases: Array<[string, Record<string, unknown>]> = [
    ['kid missing', noKid],
    ['kid empty', { ...goodHeader, kid: '' }],
    ['kid a number', { ...goodHeader, kid: 1 }],
    ['alg missing', { kid: edKey.kid, b64: false, crit: ['b64'] }],
    ['b64 true', { ...goodHeader, b64: true }],
    ['b64 missing', { alg: 'EdDSA', kid: edKey.kid, crit: ['b64'] }],
    ['b64 "false"', { ...goodHeader, b64: 'false' }],
    ['crit missing', { alg: 'EdDSA', kid: edKey.kid, b64: false }],
    ['crit empty', { ...goodHeader, crit: [] }],
    ['crit with another member', { ...goodHeader, crit: ['b64', 'exp'], exp: 1 }],
    ['crit a string', { ...goodHeader, crit: 'b64' }],
    ['crit duplicated', { ...goodHeader, crit: ['b64', 'b64'] }]
  ]
  t.equal((await verifyDetached(handMade(goodHeader), envelope, directory)).kid, edKey.kid, 'the hand-made control verifies')
  for (const [name, header] of cases) {
    await t.rejects(verifyDetached(handMade(header), envelope, directory), refused('malformed'), name)
  }
})

t.test('refused: unknown kid; the resolver\'s own failures pass through', async (t) => {
  const stranger = generateKeyPairSync('ed25519')
  const jws = await signDetached(envelope, { kid: 'H38-nobody', alg: 'EdDSA', privateKey: stranger.privateKey })
  await t.rejects(verifyDetached(jws, envelope, directory), refused('unknown_key'))
  await t.rejects(verifyDetached(jws, envelope, async () => undefined), refused('unknown_key'), 'async resolver')

  const seen: string[] = []
  await verifyDetached(await signDetached(envelope, esKey), envelope, async ({ kid, alg }) => { seen.push(`${kid}/${alg}`); return registered.get(kid) })
  t.same(seen, [`${esKey.kid}/ES256`], 'the resolver is asked for the kid and alg of the header')

  const outage = new Error('directory unavailable')
  const error = await verifyDetached(jws, envelope, () => { throw outage }).catch((e: unknown) => e)
  t.equal(error, outage, 'not turned into a signature failure')
  t.notOk(error instanceof SignatureError)
})
