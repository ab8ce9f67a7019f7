import t from 'tap'
import { X509Certificate, createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { TrustStore, canonicalJsonBytes, signDetachedBytesSync, type SigningAlgorithm } from '@lienthong/crypto'
import { agencyKeyBucketKey, buildEnvelope, type AgencyKeyEntry, type Envelope, type KeyRole, type Receipt } from '@lienthong/contracts'
import { AgencyKeysMirror } from '../src/agency-keys-mirror.ts'
import { SignatureChecker, attachmentMismatches, type Freshness, type SignatureFinding } from '../src/signature-check.ts'

// ---------------------------------------------------------------------------------------------
// Test certificates, DER-encoded here with node:crypto (a P-256 ECDSA CA, Ed25519 and P-256
// leaves), so every date is fixed and nothing outside node is needed.
// ---------------------------------------------------------------------------------------------

function der (tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents)
  const n = body.length
  const head = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : [tag, 0x82, n >> 8, n & 0xff]
  return Buffer.concat([Buffer.from(head), body])
}
const seq = (...contents: Buffer[]): Buffer => der(0x30, ...contents)

function oid (dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number)
  const bytes = [40 * a + b]
  for (const n of rest) {
    const groups = [n & 0x7f]
    for (let v = n >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80)
    bytes.push(...groups)
  }
  return der(0x06, Buffer.from(bytes))
}

function utcTime (d: Date): Buffer {
  const two = (n: number): string => String(n).padStart(2, '0')
  const text = `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`
  return der(0x17, Buffer.from(text, 'latin1'))
}

function dn (cn: string): Buffer {
  const rdn = (type: string, text: string): Buffer => der(0x31, seq(oid(type), der(0x0c, Buffer.from(text, 'utf8'))))
  return seq(rdn('2.5.4.3', cn), rdn('2.5.4.10', 'lienthong tests'))
}

/** keyUsage as a DER BIT STRING of the given bit numbers (0 digitalSignature, 1 nonRepudiation, 5 keyCertSign, 6 cRLSign). */
function keyUsage (bits: number[]): Buffer {
  const top = Math.max(...bits)
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1)
  for (const bit of bits) bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] as number) | (0x80 >> (bit % 8))
  return der(0x03, Buffer.from([7 - (top % 8)]), bytes)
}

function extension (id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), der(0x01, Buffer.from([0xff])), der(0x04, value)) : seq(oid(id), der(0x04, value))
}

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'))

interface Issued { pem: string, subject: string, issuer: string, fingerprint256: string, name: string, privateKey: KeyObject, publicKey: KeyObject }
interface Window { notBefore: Date, notAfter: Date }

function issue (opts: { name: string, ca: boolean, publicKey: KeyObject, privateKey: KeyObject, issuer?: Issued, window: Window }): Issued {
  const serial = randomBytes(8)
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01
  const extensions = opts.ca
    ? [extension('2.5.29.19', true, seq(der(0x01, Buffer.from([0xff])))), extension('2.5.29.15', true, keyUsage([5, 6]))]
    : [extension('2.5.29.19', false, seq()), extension('2.5.29.15', true, keyUsage([0, 1]))]
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ECDSA_WITH_SHA256,
    dn(opts.issuer?.name ?? opts.name),
    seq(utcTime(opts.window.notBefore), utcTime(opts.window.notAfter)),
    dn(opts.name),
    opts.publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(...extensions))
  )
  // node signs ECDSA in DER (r, s) by default: what X.509 wants.
  const signature = sign('sha256', tbs, opts.issuer?.privateKey ?? opts.privateKey)
  const cert = new X509Certificate(seq(tbs, ECDSA_WITH_SHA256, der(0x03, Buffer.from([0]), signature)))
  return {
    pem: cert.toString(),
    subject: cert.subject,
    issuer: cert.issuer,
    fingerprint256: cert.fingerprint256,
    name: opts.name,
    privateKey: opts.privateKey,
    publicKey: opts.publicKey
  }
}

const LONG: Window = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') }
const LEAF_WINDOW: Window = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z') }

function makeCa (name: string): Issued {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return issue({ name, ca: true, ...keys, window: LONG })
}

function makeLeaf (name: string, ca: Issued, kind: 'ed25519' | 'p256' = 'ed25519', window: Window = LEAF_WINDOW): Issued {
  const keys = kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return issue({ name, ca: false, ...keys, issuer: ca, window })
}

// ---------------------------------------------------------------------------------------------
// Agencies, keys, the mirror
// ---------------------------------------------------------------------------------------------

const SENDER = '000.00.00.H38'
const RECIPIENT = '000.00.31.H38'
const OTHER_RECIPIENT = '000.00.32.H38'
const STRANGER = '000.00.33.H38'
const SIGNED_AT = '2026-06-01T08:00:00+07:00'

interface Key { kid: string, alg: SigningAlgorithm, privateKey: KeyObject, publicKey: KeyObject }

function newKey (kid: string, kind: 'ed25519' | 'p256' = 'ed25519'): Key {
  const keys = kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { kid, alg: kind === 'ed25519' ? 'EdDSA' : 'ES256', ...keys }
}

function entryOf (agency: string, key: Key, role: KeyRole, more: Partial<AgencyKeyEntry> = {}): AgencyKeyEntry {
  return {
    agency,
    kid: key.kid,
    alg: key.alg,
    role,
    holder: role === 'signer' ? 'Nguyễn Văn A, Chủ tịch' : null,
    jwk: key.publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
    certificate: null,
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: null,
    revokedAt: null,
    ...more
  }
}

function register (mirror: AgencyKeysMirror, entry: AgencyKeyEntry): void {
  mirror.set(agencyKeyBucketKey(entry.agency, entry.kid), entry)
}

function certificateOf (leaf: Issued): NonNullable<AgencyKeyEntry['certificate']> {
  return { pem: leaf.pem, subject: leaf.subject, issuer: leaf.issuer, fingerprint256: leaf.fingerprint256 }
}

const senderSigner = newKey('h38-chutich-2026')
const senderAgency = newKey('h38-seal-2026')
const recipientAgency = newKey('h38-31-seal')
const recipientSigner = newKey('h38-31-chutich')
const strangerAgency = newKey('h38-33-seal')
const strangerSigner = newKey('h38-33-chutich')

const mirror = new AgencyKeysMirror()
register(mirror, entryOf(SENDER, senderSigner, 'signer'))
register(mirror, entryOf(SENDER, senderAgency, 'agency'))
register(mirror, entryOf(RECIPIENT, recipientAgency, 'agency'))
register(mirror, entryOf(RECIPIENT, recipientSigner, 'signer'))
register(mirror, entryOf(STRANGER, strangerAgency, 'agency'))
register(mirror, entryOf(STRANGER, strangerSigner, 'signer'))

const checker = new SignatureChecker(mirror, { trust: TrustStore.empty() })

const ATTACHMENT = { name: 'cv-12.pdf', size: 48_213, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }

function envelopeOf (more: { number?: string, subject?: string, to?: string[], attachments?: Envelope['attachments'], signedAt?: string, sender?: string } = {}): Envelope {
  return buildEnvelope({
    sender: more.sender ?? SENDER,
    to: more.to ?? [RECIPIENT, OTHER_RECIPIENT],
    document: {
      number: more.number ?? '12',
      notation: 'UBND-VP',
      type: 'Công văn',
      subject: more.subject ?? 'Về việc triển khai chuyển đổi số năm 2026',
      issuedAt: '2026-06-01',
      signer: { position: 'Chủ tịch', fullName: 'Nguyễn Văn A' }
    },
    attachments: more.attachments ?? [ATTACHMENT],
    signedAt: more.signedAt ?? SIGNED_AT
  })
}

function sig (value: unknown, key: Key): string {
  return signDetachedBytesSync(canonicalJsonBytes(value), key)
}

function signPair (envelope: Envelope, signer: Key = senderSigner, agency: Key = senderAgency): { signer: string, agency: string } {
  return { signer: sig(envelope, signer), agency: sig(envelope, agency) }
}

/** reason per role, undefined for a valid finding */
function reasons (findings: SignatureFinding[]): Record<string, string | undefined> {
  return Object.fromEntries(findings.map((f) => [f.role, f.valid ? undefined : f.reason]))
}

// ---------------------------------------------------------------------------------------------

t.test('a valid pair: valid, with the digest of the canonical envelope and who signed', async (t) => {
  const envelope = envelopeOf()
  const check = checker.checkEnvelope(envelope, signPair(envelope))
  t.equal(check.valid, true)
  t.equal(check.digest, createHash('sha256').update(canonicalJsonBytes(envelope)).digest('hex'), 'sha256 hex of the canonical envelope')
  t.match(check.digest, /^[0-9a-f]{64}$/)
  t.equal(check.findings.length, 2)
  const [signer, agency] = check.findings
  t.same(signer, { role: 'signer', agency: SENDER, kid: senderSigner.kid, alg: 'EdDSA', holder: 'Nguyễn Văn A, Chủ tịch', certificate: null, valid: true })
  t.same(agency, { role: 'agency', agency: SENDER, kid: senderAgency.kid, alg: 'EdDSA', holder: null, certificate: null, valid: true })
  t.equal(checker.checkEnvelope(JSON.parse(JSON.stringify(envelope)) as Envelope, signPair(envelope)).valid, true, 'survives a JSON round trip')
})

t.test('any change to the envelope breaks both signatures', async (t) => {
  const envelope = envelopeOf()
  const signatures = signPair(envelope)
  const changed: Array<[string, Envelope]> = [
    ['subject', { ...envelope, document: { ...envelope.document, subject: `${envelope.document.subject}.` } }],
    ['priority', { ...envelope, document: { ...envelope.document, priority: 3 } }],
    ['recipients swapped', { ...envelope, to: [OTHER_RECIPIENT, RECIPIENT] }],
    ['a recipient added', { ...envelope, to: [RECIPIENT, OTHER_RECIPIENT, STRANGER] }],
    ['attachment digest', { ...envelope, attachments: [{ ...ATTACHMENT, sha256: 'f'.repeat(64) }] }],
    ['attachment size', { ...envelope, attachments: [{ ...ATTACHMENT, size: ATTACHMENT.size + 1 }] }],
    ['attachment dropped', { ...envelope, attachments: [] }],
    ['signedAt', { ...envelope, signedAt: '2026-06-01T08:00:01+07:00' }]
  ]
  for (const [what, other] of changed) {
    const check = checker.checkEnvelope(other, signatures)
    t.equal(check.valid, false, `${what}: refused`)
    t.same(reasons(check.findings), { signer: 'bad_signature', agency: 'bad_signature' }, `${what}: bad_signature twice`)
    t.not(check.digest, checker.checkEnvelope(envelope, signatures).digest, `${what}: another digest`)
  }
  t.equal(checker.checkEnvelope(envelope, signatures).valid, true, 'the original still passes')
})

t.test('an old envelope\u2019s signatures do not pass for another document number', async (t) => {
  const old = envelopeOf({ number: '12' })
  const replay = envelopeOf({ number: '13' })
  t.not(replay.id, old.id, 'a new id')
  const check = checker.checkEnvelope(replay, signPair(old))
  t.equal(check.valid, false)
  t.same(reasons(check.findings), { signer: 'bad_signature', agency: 'bad_signature' })
})

t.test('the envelope presented as another sender\u2019s is refused', async (t) => {
  const envelope = envelopeOf()
  const posing = { ...envelope, sender: STRANGER }
  const check = checker.checkEnvelope(posing, signPair(envelope))
  t.equal(check.valid, false)
  t.same(reasons(check.findings), { signer: 'foreign_key', agency: 'foreign_key' }, 'the keys are the real sender\u2019s')
})

t.test('a missing signature', async (t) => {
  const envelope = envelopeOf()
  const pair = signPair(envelope)
  const noSigner = checker.checkEnvelope(envelope, { agency: pair.agency })
  t.equal(noSigner.valid, false)
  t.same(reasons(noSigner.findings), { signer: 'missing', agency: undefined })
  t.match(noSigner.findings[0], { role: 'signer', agency: SENDER, kid: null, valid: false, reason: 'missing' })
  const noAgency = checker.checkEnvelope(envelope, { signer: pair.signer })
  t.same(reasons(noAgency.findings), { signer: undefined, agency: 'missing' })
  const none = checker.checkEnvelope(envelope, {})
  t.equal(none.valid, false)
  t.same(reasons(none.findings), { signer: 'missing', agency: 'missing' })
  t.equal(none.digest, noSigner.digest, 'the digest is there even without signatures')
})

t.test('a signature with a key of the wrong role', async (t) => {
  const envelope = envelopeOf()
  const bothSeal = checker.checkEnvelope(envelope, signPair(envelope, senderAgency, senderAgency))
  t.same(reasons(bothSeal.findings), { signer: 'wrong_role', agency: undefined }, 'the seal does not sign as the person')
  t.match(bothSeal.findings[0]?.detail, /agency key; a signer signature is needed/)
  const bothPerson = checker.checkEnvelope(envelope, signPair(envelope, senderSigner, senderSigner))
  t.same(reasons(bothPerson.findings), { signer: undefined, agency: 'wrong_role' }, 'the person does not sign as the seal')
  const swapped = checker.checkEnvelope(envelope, signPair(envelope, senderAgency, senderSigner))
  t.equal(swapped.valid, false)
  t.same(reasons(swapped.findings), { signer: 'wrong_role', agency: 'wrong_role' }, 'the two swapped')
})

t.test('another agency\u2019s key is foreign, and the finding says whose it is', async (t) => {
  const envelope = envelopeOf()
  const check = checker.checkEnvelope(envelope, signPair(envelope, strangerSigner, strangerAgency))
  t.equal(check.valid, false)
  t.same(reasons(check.findings), { signer: 'foreign_key', agency: 'foreign_key' })
  for (const f of check.findings) {
    t.match(f.detail, new RegExp(`belongs to ${STRANGER.replaceAll('.', '\\.')}, not ${SENDER.replaceAll('.', '\\.')}`), `${f.role}: names the owner`)
    t.equal(f.agency, SENDER, `${f.role}: the agency that had to sign`)
  }
})

t.test('an unknown kid', async (t) => {
  const envelope = envelopeOf()
  const nobody = newKey('h38-nobody')
  const check = checker.checkEnvelope(envelope, signPair(envelope, nobody, { ...senderAgency, kid: 'h38-seal-2025' }))
  t.same(reasons(check.findings), { signer: 'unknown_key', agency: 'unknown_key' })
  t.match(check.findings[0], { kid: null, valid: false, detail: /has no key h38-nobody/ })
})

t.test('a malformed signature is a finding, not an exception', async (t) => {
  const envelope = envelopeOf()
  const check = checker.checkEnvelope(envelope, { signer: 'not a jws', agency: `${'a'.repeat(17_000)}` })
  t.same(reasons(check.findings), { signer: 'malformed', agency: 'too_large' })
})

t.test('a key registered under the sender\u2019s kid but with other key material gives bad_signature', async (t) => {
  const envelope = envelopeOf()
  const forged = { ...newKey(senderSigner.kid) }
  const check = checker.checkEnvelope(envelope, signPair(envelope, forged))
  t.same(reasons(check.findings), { signer: 'bad_signature', agency: undefined })
})

t.test('a revoked key, even for a signature made before the revocation', async (t) => {
  const m = new AgencyKeysMirror()
  register(m, entryOf(SENDER, senderSigner, 'signer', { revokedAt: '2026-09-01T00:00:00Z' }))
  register(m, entryOf(SENDER, senderAgency, 'agency'))
  const c = new SignatureChecker(m, { trust: TrustStore.empty() })
  const envelope = envelopeOf()
  t.ok(Date.parse(envelope.signedAt) < Date.parse('2026-09-01T00:00:00Z'), 'signed before the revocation')
  const check = c.checkEnvelope(envelope, signPair(envelope))
  t.equal(check.valid, false)
  t.same(reasons(check.findings), { signer: 'revoked_key', agency: undefined })
  t.match(check.findings[0], { kid: senderSigner.kid, holder: 'Nguyễn Văn A, Chủ tịch', detail: /revoked/ }, 'the finding names the key')
})

t.test('the key window: outside it expired_key; inside it an old key still verifies after rotation', async (t) => {
  const oldSeal = newKey('h38-seal-2025')
  const newSeal = newKey('h38-seal-2026b')
  const m = new AgencyKeysMirror()
  register(m, entryOf(SENDER, senderSigner, 'signer'))
  register(m, entryOf(SENDER, oldSeal, 'agency', { notBefore: '2025-01-01T00:00:00Z', notAfter: '2026-07-01T00:00:00Z' }))
  register(m, entryOf(SENDER, newSeal, 'agency', { notBefore: '2026-07-01T00:00:00Z' }))
  const c = new SignatureChecker(m, { trust: TrustStore.empty() })

  const june = envelopeOf({ signedAt: '2026-06-01T08:00:00+07:00' })
  t.equal(c.checkEnvelope(june, signPair(june, senderSigner, oldSeal)).valid, true, 'the old seal stands behind what it signed in June')
  t.same(reasons(c.checkEnvelope(june, signPair(june, senderSigner, newSeal)).findings), { signer: undefined, agency: 'expired_key' },
    'the new seal did not exist yet in June')

  const august = envelopeOf({ signedAt: '2026-08-01T08:00:00+07:00' })
  t.equal(c.checkEnvelope(august, signPair(august, senderSigner, newSeal)).valid, true, 'the new seal in August')
  const late = c.checkEnvelope(august, signPair(august, senderSigner, oldSeal))
  t.same(reasons(late.findings), { signer: undefined, agency: 'expired_key' }, 'the old seal after its end')
  t.match(late.findings[1]?.detail, /valid 2025-01-01T00:00:00Z – 2026-07-01T00:00:00Z/)

  const atEnd = envelopeOf({ signedAt: '2026-07-01T00:00:00Z' })
  t.same(reasons(c.checkEnvelope(atEnd, signPair(atEnd, senderSigner, oldSeal)).findings), { signer: undefined, agency: 'expired_key' },
    'notAfter itself is outside')
  t.equal(c.checkEnvelope(atEnd, signPair(atEnd, senderSigner, newSeal)).valid, true, 'notBefore itself is inside')

  const early = envelopeOf({ signedAt: '2025-12-31T23:59:59Z' })
  t.same(reasons(c.checkEnvelope(early, signPair(early, senderSigner, oldSeal)).findings), { signer: 'expired_key', agency: undefined },
    'before the signer key\u2019s notBefore')
})

t.test('freshness: too old or too far in the future is stale; within the skew is fine', async (t) => {
  const envelope = envelopeOf()
  const signatures = signPair(envelope)
  const at = Date.parse(envelope.signedAt)
  const fresh = (offsetMs: number): Freshness => ({ now: new Date(at + offsetMs), maxAgeMs: 60 * 60_000, skewMs: 5 * 60_000 })

  t.equal(checker.checkEnvelope(envelope, signatures, fresh(10 * 60_000)).valid, true, '10 minutes old')
  t.equal(checker.checkEnvelope(envelope, signatures, fresh(60 * 60_000)).valid, true, 'exactly the maximum age')
  t.equal(checker.checkEnvelope(envelope, signatures, fresh(-4 * 60_000)).valid, true, '4 minutes in the future, inside the skew')
  t.equal(checker.checkEnvelope(envelope, signatures, fresh(-5 * 60_000)).valid, true, 'exactly the skew')

  const old = checker.checkEnvelope(envelope, signatures, fresh(2 * 60 * 60_000))
  t.equal(old.valid, false)
  t.same(reasons(old.findings), { signer: 'stale', agency: 'stale' }, 'two hours old')
  t.match(old.findings[0]?.detail, /more than 60 minutes ago/)
  t.equal(old.findings[0]?.kid, senderSigner.kid, 'a stale finding still names the key')

  const future = checker.checkEnvelope(envelope, signatures, fresh(-6 * 60_000))
  t.same(reasons(future.findings), { signer: 'stale', agency: 'stale' }, '6 minutes in the future')
  t.match(future.findings[0]?.detail, /in the future/)

  const changed = { ...envelope, document: { ...envelope.document, subject: 'khác' } }
  t.same(reasons(checker.checkEnvelope(changed, signatures, fresh(2 * 60 * 60_000)).findings), { signer: 'bad_signature', agency: 'bad_signature' },
    'a bad signature stays a bad signature when also stale')
  t.same(reasons(checker.checkEnvelope(envelope, {}, fresh(2 * 60 * 60_000)).findings), { signer: 'missing', agency: 'missing' },
    'a missing one stays missing')
})

t.test('ES256 (P-256) keys work as well', async (t) => {
  const esSigner = newKey('h38-p256-chutich', 'p256')
  const esSeal = newKey('h38-p256-seal', 'p256')
  const m = new AgencyKeysMirror()
  register(m, entryOf(SENDER, esSigner, 'signer'))
  register(m, entryOf(SENDER, esSeal, 'agency'))
  const c = new SignatureChecker(m, { trust: TrustStore.empty() })
  const envelope = envelopeOf()
  const check = c.checkEnvelope(envelope, signPair(envelope, esSigner, esSeal))
  t.equal(check.valid, true)
  t.same(check.findings.map((f) => f.alg), ['ES256', 'ES256'])
  const changed = { ...envelope, to: [OTHER_RECIPIENT, RECIPIENT] }
  t.same(reasons(c.checkEnvelope(changed, signPair(envelope, esSigner, esSeal)).findings), { signer: 'bad_signature', agency: 'bad_signature' })
})

t.test('certificates against a trust store', async (t) => {
  const ca = makeCa('Root CA (Lào Cai)')
  const otherCa = makeCa('Some other CA')
  const trust = TrustStore.fromPem(ca.pem)
  t.equal(trust.size, 1, 'the test CA is an anchor')

  const personCert = makeLeaf('Nguyễn Văn A - Chủ tịch UBND tỉnh', ca)
  const sealCert = makeLeaf('UBND tỉnh Lào Cai', ca, 'p256')
  const foreignCert = makeLeaf('UBND tỉnh Lào Cai (giả)', otherCa)
  const shortCert = makeLeaf('Short-lived seal', ca, 'ed25519', { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-03-01T00:00:00Z') })
  t.ok(trust.check(personCert.pem, new Date(SIGNED_AT)), 'the test leaf chains')

  const asKey = (kid: string, leaf: Issued, alg: SigningAlgorithm): Key => ({ kid, alg, privateKey: leaf.privateKey, publicKey: leaf.publicKey })
  const person = asKey('cert-person', personCert, 'EdDSA')
  const seal = asKey('cert-seal', sealCert, 'ES256')
  const foreign = asKey('cert-foreign', foreignCert, 'EdDSA')
  const short = asKey('cert-short', shortCert, 'EdDSA')
  const bare = newKey('bare-seal')

  const m = new AgencyKeysMirror()
  register(m, entryOf(SENDER, person, 'signer', { certificate: certificateOf(personCert) }))
  register(m, entryOf(SENDER, seal, 'agency', { certificate: certificateOf(sealCert) }))
  register(m, entryOf(SENDER, foreign, 'agency', { certificate: certificateOf(foreignCert) }))
  register(m, entryOf(SENDER, short, 'agency', { certificate: certificateOf(shortCert) }))
  register(m, entryOf(SENDER, bare, 'agency'))
  const c = new SignatureChecker(m, { trust })
  const envelope = envelopeOf()

  const good = c.checkEnvelope(envelope, signPair(envelope, person, seal))
  t.equal(good.valid, true, 'both keys chain to the anchor')
  t.equal(good.findings[0]?.certificate, personCert.subject, 'the finding names the certificate subject')
  t.match(good.findings[0]?.certificate, /^CN=Nguyễn Văn A - Chủ tịch UBND tỉnh\nO=lienthong tests$/, 'UTF-8 read back as written')
  t.equal(good.findings[1]?.certificate, sealCert.subject)
  t.equal(good.findings[1]?.alg, 'ES256', 'a P-256 certificate key')

  const untrusted = c.checkEnvelope(envelope, signPair(envelope, person, foreign))
  t.same(reasons(untrusted.findings), { signer: undefined, agency: 'untrusted_certificate' }, 'a certificate from another CA')
  t.match(untrusted.findings[1]?.detail, /not in the trust store/)

  const expired = c.checkEnvelope(envelope, signPair(envelope, person, short))
  t.same(reasons(expired.findings), { signer: undefined, agency: 'expired_key' }, 'signed after the certificate ended, inside the key entry\u2019s own window')
  const inCertWindow = envelopeOf({ signedAt: '2026-02-01T00:00:00Z' })
  t.equal(c.checkEnvelope(inCertWindow, signPair(inCertWindow, person, short)).valid, true, 'the same key while its certificate was valid')

  t.equal(c.checkEnvelope(envelope, signPair(envelope, person, bare)).valid, true, 'a bare JWK key passes when certificates are not required')
  const strict = new SignatureChecker(m, { trust, requireCertificates: true })
  const bareStrict = strict.checkEnvelope(envelope, signPair(envelope, person, bare))
  t.same(reasons(bareStrict.findings), { signer: undefined, agency: 'untrusted_certificate' }, 'requireCertificates refuses a bare JWK key')
  t.match(bareStrict.findings[1]?.detail, /no certificate/)
  t.equal(strict.checkEnvelope(envelope, signPair(envelope, person, seal)).valid, true, 'certified keys pass the strict checker')
})

t.test('checkReceipt: the recipient agency\u2019s signature of a receipt', async (t) => {
  const envelope = envelopeOf()
  const { digest } = checker.checkEnvelope(envelope, signPair(envelope))
  const receipt: Receipt = {
    type: 'lienthong.receipt',
    v: 1,
    documentId: envelope.id,
    envelopeDigest: digest,
    sender: SENDER,
    recipient: RECIPIENT,
    code: '01',
    channel: 'online',
    at: '2026-06-01T08:05:00+07:00'
  }
  const good = checker.checkReceipt(receipt, sig(receipt, recipientAgency))
  t.same(good, { role: 'agency', agency: RECIPIENT, kid: recipientAgency.kid, alg: 'EdDSA', holder: null, certificate: null, valid: true })

  const bySender = checker.checkReceipt(receipt, sig(receipt, senderAgency))
  t.equal(bySender.valid, false)
  t.equal(bySender.reason, 'foreign_key', 'the sender cannot sign the recipient\u2019s receipt')
  t.match(bySender.detail, /belongs to 000\.00\.00\.H38/)

  t.equal(checker.checkReceipt(receipt, sig(receipt, newKey('unregistered'))).reason, 'unknown_key')
  t.equal(checker.checkReceipt(receipt, sig(receipt, recipientSigner)).reason, 'wrong_role', 'a receipt needs the seal, not a person')
  t.equal(checker.checkReceipt({ ...receipt, code: '03' }, sig(receipt, recipientAgency)).reason, 'bad_signature', 'changed code')
  t.equal(checker.checkReceipt({ ...receipt, envelopeDigest: 'a'.repeat(64) }, sig(receipt, recipientAgency)).reason, 'bad_signature', 'changed digest')
  t.equal(checker.checkReceipt(receipt, sig(envelope, recipientAgency)).reason, 'bad_signature', 'a signature of something else')
  const forOther = { ...receipt, recipient: OTHER_RECIPIENT }
  t.equal(checker.checkReceipt(forOther, sig(forOther, recipientAgency)).reason, 'foreign_key', 'another recipient\u2019s receipt')

  const before = { ...receipt, at: '2025-06-01T00:00:00Z' }
  t.equal(checker.checkReceipt(before, sig(before, recipientAgency)).reason, 'expired_key', 'the receipt\u2019s time is checked against the key window')
})

t.test('checkOne over bytes', async (t) => {
  const bytes = Buffer.from('{"any":"canonical bytes"}')
  const jws = signDetachedBytesSync(bytes, senderAgency)
  t.equal(checker.checkOne(jws, bytes, { agency: SENDER, role: 'agency', signedAt: new Date(SIGNED_AT) }).valid, true)
  t.equal(checker.checkOne(jws, bytes, { agency: SENDER, role: 'signer', signedAt: new Date(SIGNED_AT) }).reason, 'wrong_role')
  t.equal(checker.checkOne(jws, bytes, { agency: SENDER, role: 'agency', signedAt: new Date('2025-01-01T00:00:00Z') }).reason, 'expired_key')
  t.equal(checker.checkOne(jws, Buffer.from('{"any":"other bytes"}'), { agency: SENDER, role: 'agency', signedAt: new Date(SIGNED_AT) }).reason, 'bad_signature')
})

t.test('attachmentMismatches', async (t) => {
  const second = { name: 'phu-luc.docx', size: 1_024, sha256: 'b'.repeat(64) }
  const envelope = envelopeOf({ attachments: [ATTACHMENT, second] })
  t.same(attachmentMismatches(envelope, [ATTACHMENT, second]), [], 'all equal')
  t.same(attachmentMismatches(envelope, [second, ATTACHMENT]), [], 'order does not matter')
  t.same(attachmentMismatches(envelope, [{ ...ATTACHMENT, sha256: 'c'.repeat(64) }, second]), [ATTACHMENT.name], 'changed digest')
  t.same(attachmentMismatches(envelope, [ATTACHMENT, { ...second, size: 1_025 }]), [second.name], 'changed size')
  t.same(attachmentMismatches(envelope, [ATTACHMENT]), [second.name], 'missing')
  t.same(attachmentMismatches(envelope, [ATTACHMENT, second, { name: 'extra.pdf', size: 1, sha256: 'd'.repeat(64) }]), ['extra.pdf'], 'extra')
  t.same(attachmentMismatches(envelope, []), [ATTACHMENT.name, second.name], 'none received')
  t.same(attachmentMismatches(envelopeOf({ attachments: [] }), []), [], 'none named, none received')
  t.same(attachmentMismatches(envelopeOf({ attachments: [] }), [ATTACHMENT]), [ATTACHMENT.name], 'one received that was not named')
})

t.test('a fan-out verifies once, yet a revocation after that still counts', async (t) => {
  const own = new AgencyKeysMirror()
  const signer = newKey('fan-signer')
  const seal = newKey('fan-seal')
  register(own, entryOf(SENDER, signer, 'signer'))
  register(own, entryOf(SENDER, seal, 'agency'))
  const cached = new SignatureChecker(own, { trust: TrustStore.empty() })
  const envelope = envelopeOf({ number: '77' })
  const pair = signPair(envelope, signer, seal)
  for (let i = 0; i < 3; i++) t.equal(cached.checkEnvelope(envelope, pair).valid, true, `delivery ${i + 1}`)
  register(own, entryOf(SENDER, signer, 'signer', { revokedAt: '2026-07-01T00:00:00Z' }))
  t.same(reasons(cached.checkEnvelope(envelope, pair).findings), { signer: 'revoked_key', agency: undefined }, 'the key is judged afresh each time')
  t.same(reasons(cached.checkEnvelope({ ...envelope, to: [STRANGER] }, pair).findings), { signer: 'revoked_key', agency: 'bad_signature' }, 'other bytes are checked, not looked up')
  const uncached = new SignatureChecker(own, { trust: TrustStore.empty(), verifiedCache: false })
  t.same(reasons(uncached.checkEnvelope(envelope, pair).findings), { signer: 'revoked_key', agency: undefined })
})
