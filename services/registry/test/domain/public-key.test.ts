import { execFile } from 'node:child_process'
import { createHash, createPublicKey, generateKeyPairSync, webcrypto } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import * as x509 from '@peculiar/x509'
import { TrustStore } from '@lienthong/crypto'
import { errorFactory } from '@lienthong/platform'
import { jwkThumbprint } from '@lienthong/crypto'
import { SubmittedKey, validateSubmittedKey } from '../../src/domain/public-key.ts'

const run = promisify(execFile)
const fail = errorFactory('registry')
const NOW = new Date('2026-11-26T10:00:00Z')

// RFC 8037 appendix A.2 and A.3: an Ed25519 public key and its RFC 7638 thumbprint.
const RFC8037_JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }
const RFC8037_THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k'

function publicJwkOf (type: 'ed25519' | 'ec' | 'rsa' | 'ed448' | 'x25519', namedCurve?: string): Record<string, unknown> {
  const { publicKey } = type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: namedCurve ?? 'P-256' })
    : type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync(type as 'ed25519')
  return publicKey.export({ format: 'jwk' }) as Record<string, unknown>
}

t.test('an Ed25519 JWK: EdDSA, the RFC 7638 thumbprint as kid, valid from now, open-ended', async (t) => {
  const key = validateSubmittedKey({ jwk: RFC8037_JWK }, fail, NOW)
  t.equal(key.kid, RFC8037_THUMBPRINT)
  t.equal(key.alg, 'EdDSA')
  t.same(key.publicJwk, RFC8037_JWK)
  t.equal(key.certificate, null)
  t.same(key.notBefore, NOW)
  t.equal(key.notAfter, null)
  t.equal(jwkThumbprint({ ...RFC8037_JWK, kid: 'ignored', use: 'sig' }), RFC8037_THUMBPRINT, 'only the required members count')
})

t.test('a P-256 JWK: ES256, thumbprint over crv, kty, x, y in that order', async (t) => {
  const jwk = publicJwkOf('ec')
  const key = validateSubmittedKey({ jwk, notAfter: '2027-11-26T00:00:00Z' }, fail, NOW)
  t.equal(key.alg, 'ES256')
  t.same(Object.keys(key.publicJwk).sort(), ['crv', 'kty', 'x', 'y'])
  const expected = createHash('sha256').update(`{"crv":"P-256","kty":"EC","x":"${String(jwk.x)}","y":"${String(jwk.y)}"}`).digest('base64url')
  t.equal(key.kid, expected)
  t.same(key.notAfter, new Date('2027-11-26T00:00:00Z'))
})

t.test('the kid: given in the body, else the JWK\u2019s own; the two must agree', async (t) => {
  t.equal(validateSubmittedKey({ kid: 'dms-2026', jwk: RFC8037_JWK }, fail, NOW).kid, 'dms-2026')
  const own = validateSubmittedKey({ jwk: { ...RFC8037_JWK, kid: 'own-kid', alg: 'EdDSA', use: 'sig' } }, fail, NOW)
  t.equal(own.kid, 'own-kid')
  t.same(own.publicJwk, RFC8037_JWK, 'stored without kid, alg or use')
  t.throws(() => validateSubmittedKey({ kid: 'other', jwk: { ...RFC8037_JWK, kid: 'own-kid' } }, fail, NOW), { code: 'REG_INVALID_KEY' })
  t.throws(() => validateSubmittedKey({ jwk: { ...RFC8037_JWK, kid: 'has space' } }, fail, NOW), { code: 'REG_INVALID_KEY' })
})

t.test('a JWK with a private part is refused, and the detail says the key is now disclosed', async (t) => {
  const { privateKey } = generateKeyPairSync('ed25519')
  const err = t.throws(() => validateSubmittedKey({ jwk: privateKey.export({ format: 'jwk' }) as Record<string, unknown> }, fail, NOW), { code: 'REG_INVALID_KEY', status: 422 }) as Error
  t.match(err.message, /private members \(d\).*disclosed/)
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<string, unknown>
  t.throws(() => validateSubmittedKey({ jwk: ec }, fail, NOW), { code: 'REG_INVALID_KEY' })
})

t.test('RSA, other curves and non-signing keys are refused', async (t) => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['RSA', publicJwkOf('rsa'), /kty RSA is not accepted/],
    ['secp256k1', publicJwkOf('ec', 'secp256k1'), /curve secp256k1/],
    ['P-384', publicJwkOf('ec', 'P-384'), /curve P-384/],
    ['Ed448', publicJwkOf('ed448'), /curve Ed448/],
    ['X25519 (key agreement)', publicJwkOf('x25519'), /curve X25519/],
    ['symmetric', { kty: 'oct', k: 'c2VjcmV0' }, /private members \(k\)/],
    ['P-256 labelled P-384', { ...publicJwkOf('ec'), crv: 'P-384' }, /curve P-384/]
  ]
  for (const [name, jwk, detail] of cases) {
    const err = t.throws(() => validateSubmittedKey({ jwk }, fail, NOW), { code: 'REG_INVALID_KEY' }, name) as Error
    t.match(err.message, detail, name)
  }
})

t.test('malformed JWKs are refused', async (t) => {
  const ec = publicJwkOf('ec')
  const cases: Array<[string, Record<string, unknown>]> = [
    ['empty', {}],
    ['kty not a string', { ...RFC8037_JWK, kty: 1 }],
    ['no x', { kty: 'OKP', crv: 'Ed25519' }],
    ['x too short', { ...RFC8037_JWK, x: 'AAAA' }],
    ['x not base64url', { ...RFC8037_JWK, x: `${RFC8037_JWK.x.slice(0, -1)}+` }],
    ['x padded', { ...RFC8037_JWK, x: `${RFC8037_JWK.x}=` }],
    ['x a number', { ...RFC8037_JWK, x: 42 }],
    ['EC point off the curve', { ...ec, y: ec.x }],
    ['EC without y', { kty: 'EC', crv: 'P-256', x: ec.x }],
    ['alg that does not fit', { ...RFC8037_JWK, alg: 'ES256' }],
    ['use enc', { ...RFC8037_JWK, use: 'enc' }]
  ]
  for (const [name, jwk] of cases) {
    t.throws(() => validateSubmittedKey({ jwk }, fail, NOW), { code: 'REG_INVALID_KEY' }, name)
  }
  t.notOk(SubmittedKey.safeParse({ jwk: 'not an object' }).success, 'a JWK that is not an object fails the schema')
  t.notOk(SubmittedKey.safeParse({ jwk: RFC8037_JWK, certificate: 'x' }).success, 'a JWK and a certificate at once fail the schema')
  t.notOk(SubmittedKey.safeParse({ certificate: 'x', notAfter: '2027-01-01T00:00:00Z' }).success, 'a certificate brings its own window')
})

t.test('a JWK\u2019s window: notAfter after notBefore and not already past; a future start is fine', async (t) => {
  t.throws(() => validateSubmittedKey({ jwk: RFC8037_JWK, notBefore: '2027-01-02T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' }, fail, NOW), { code: 'REG_INVALID_VALIDITY' })
  t.throws(() => validateSubmittedKey({ jwk: RFC8037_JWK, notBefore: '2027-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' }, fail, NOW), { code: 'REG_INVALID_VALIDITY' })
  t.throws(() => validateSubmittedKey({ jwk: RFC8037_JWK, notBefore: '2020-01-01T00:00:00Z', notAfter: '2021-01-01T00:00:00Z' }, fail, NOW), { code: 'REG_INVALID_VALIDITY' })
  const later = validateSubmittedKey({ jwk: RFC8037_JWK, notBefore: '2027-01-01T00:00:00+07:00' }, fail, NOW)
  t.same(later.notBefore, new Date('2026-12-31T17:00:00Z'))
})

t.test('certificates made by openssl', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-certs-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const certs = new Certificates(dir)
  const now = new Date()

  await t.test('a valid Ed25519 certificate: its own window, its key and facts', async (t) => {
    const { cert, key } = await certs.selfSigned('ed25519', ['-newkey', 'ed25519'], '/C=VN/O=UBND tinh Lao Cai/CN=000.00.31.H38')
    // openssl dates the certificate when it ran, which on a busy machine is after the file began
    const now = new Date()
    const validated = validateSubmittedKey({ certificate: cert }, fail, now)
    t.equal(validated.alg, 'EdDSA')
    const publicJwk = createPublicKey(key).export({ format: 'jwk' }) as Record<string, unknown>
    t.same(validated.publicJwk, publicJwk)
    t.equal(validated.kid, jwkThumbprint(publicJwk), 'the thumbprint of the certificate\u2019s key')
    const dates = await certs.dates(cert)
    t.same(validated.notBefore, dates.notBefore)
    t.same(validated.notAfter, dates.notAfter)
    t.ok(validated.notAfter !== null && validated.notAfter.getTime() - validated.notBefore.getTime() === 86_400_000, '-days 1')
    t.match(validated.certificate, { subject: /CN=000\.00\.31\.H38/, issuer: /CN=000\.00\.31\.H38/, fingerprint256: await certs.fingerprint(cert) })
    t.match(validated.certificate?.pem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/)
    t.throws(() => validateSubmittedKey({ certificate: cert }, fail, new Date(now.getTime() + 2 * 86_400_000)), { code: 'REG_CERTIFICATE_EXPIRED' }, 'the same certificate two days later')
    t.equal(validateSubmittedKey({ kid: 'cert-2026', certificate: `issued to the district\n${cert}` }, fail, now).kid, 'cert-2026', 'text around the PEM is ignored')
  })

  await t.test('a valid P-256 certificate', async (t) => {
    const { cert } = await certs.selfSigned('p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'])
    const validated = validateSubmittedKey({ certificate: cert }, fail, new Date())
    t.equal(validated.alg, 'ES256')
    t.equal(validated.publicJwk.crv, 'P-256')
  })

  await t.test('an expired certificate and one not valid yet are refused', async (t) => {
    const expired = await certs.withDates('expired', '20200101000000Z', '20200102000000Z')
    const err = t.throws(() => validateSubmittedKey({ certificate: expired }, fail, now), { code: 'REG_CERTIFICATE_EXPIRED', status: 422 }) as Error
    t.match(err.message, /2020-01-02T00:00:00\.000Z/)
    const future = await certs.withDates('future', '20400101000000Z', '20410101000000Z')
    t.throws(() => validateSubmittedKey({ certificate: future }, fail, now), { code: 'REG_CERTIFICATE_NOT_YET_VALID' })
  })

  await t.test('certificates with other keys, garbage, chains and private keys are refused', async (t) => {
    const rsa = await certs.selfSigned('rsa', ['-newkey', 'rsa:2048'])
    t.throws(() => validateSubmittedKey({ certificate: rsa.cert }, fail, now), { code: 'REG_INVALID_CERTIFICATE', message: /rsa/ })
    const p384 = await certs.selfSigned('p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'])
    t.throws(() => validateSubmittedKey({ certificate: p384.cert }, fail, now), { code: 'REG_INVALID_CERTIFICATE', message: /secp384r1/ })
    const ok = await certs.selfSigned('again', ['-newkey', 'ed25519'])
    const body = ok.cert.split('\n').slice(1, -2).join('\n')
    const cases: Array<[string, string]> = [
      ['not PEM', 'hello'],
      ['a truncated body', `-----BEGIN CERTIFICATE-----\n${body.slice(0, 60)}\n-----END CERTIFICATE-----\n`],
      ['base64 of nothing', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
      ['a chain', `${ok.cert}${p384.cert}`],
      ['the private key beside it', `${ok.cert}${ok.key}`]
    ]
    for (const [name, certificate] of cases) {
      t.throws(() => validateSubmittedKey({ certificate }, fail, now), { code: 'REG_INVALID_CERTIFICATE' }, name)
    }
  })
})

t.test('role and holder: an agency key by default, a signer key with the person who holds it', async (t) => {
  const agency = validateSubmittedKey({ jwk: RFC8037_JWK }, fail, NOW)
  t.equal(agency.role, 'agency')
  t.equal(agency.holder, null)
  t.equal(validateSubmittedKey(SubmittedKey.parse({ jwk: RFC8037_JWK, role: 'agency' }), fail, NOW).role, 'agency')

  const parsed = SubmittedKey.parse({ jwk: RFC8037_JWK, role: 'signer', holder: '  Nguyễn Văn A, Chủ tịch UBND huyện Bát Xát ' })
  const signer = validateSubmittedKey(parsed, fail, NOW)
  t.equal(signer.role, 'signer')
  t.equal(signer.holder, 'Nguyễn Văn A, Chủ tịch UBND huyện Bát Xát', 'trimmed')
  t.equal(validateSubmittedKey(SubmittedKey.parse({ jwk: RFC8037_JWK, role: 'signer' }), fail, NOW).holder, null, 'a signer key may leave its holder unnamed')
  t.equal(validateSubmittedKey({ jwk: RFC8037_JWK, role: 'agency', holder: 'slipped past the schema' }, fail, NOW).holder, null, 'an agency key never stores a holder')

  t.ok(SubmittedKey.safeParse({ jwk: RFC8037_JWK, role: 'signer', holder: 'x'.repeat(200) }).success, '200 characters')
  const refused: Array<[string, unknown]> = [
    ['a holder of 201 characters', { jwk: RFC8037_JWK, role: 'signer', holder: 'x'.repeat(201) }],
    ['an empty holder', { jwk: RFC8037_JWK, role: 'signer', holder: '   ' }],
    ['a holder on an agency key', { jwk: RFC8037_JWK, role: 'agency', holder: 'Nguyễn Văn A' }],
    ['a holder without a role', { jwk: RFC8037_JWK, holder: 'Nguyễn Văn A' }],
    ['another role', { jwk: RFC8037_JWK, role: 'clerk' }],
    ['a holder on an agency certificate', { certificate: 'x', holder: 'Nguyễn Văn A' }]
  ]
  for (const [name, body] of refused) t.notOk(SubmittedKey.safeParse(body).success, name)
  t.ok(SubmittedKey.safeParse({ certificate: 'x', role: 'signer', holder: 'Nguyễn Văn A' }).success, 'a signer certificate with its holder')
})

t.test('trust anchors and the certificate rule', async (t) => {
  const ca = await TestCa.create('CN=Test CA (Lào Cai)')
  const anchors = TrustStore.fromPem(ca.pem)
  const trusting = { trustStore: anchors, requireCertificates: false }
  const requiring = { trustStore: anchors, requireCertificates: true }

  await t.test('a certificate from a trusted CA is accepted, with its role and holder', async (t) => {
    const { pem, jwk } = await ca.issue('CN=Nguyễn Văn A, O=UBND huyện Bát Xát', 'ed25519')
    const key = validateSubmittedKey(SubmittedKey.parse({ certificate: pem, role: 'signer', holder: 'Nguyễn Văn A' }), fail, NOW, trusting)
    t.same(key.publicJwk, jwk)
    t.equal(key.role, 'signer')
    t.equal(key.holder, 'Nguyễn Văn A')
    t.match(key.certificate, { issuer: /CN=Test CA \(Lào Cai\)/ })
    t.same(key.notAfter, new Date('2027-06-01T00:00:00Z'), 'the leaf\u2019s own window')
    t.equal(validateSubmittedKey({ certificate: pem }, fail, NOW, requiring).alg, 'EdDSA', 'and where certificates are required')
    t.equal(validateSubmittedKey({ certificate: (await ca.issue('CN=P-256 seal', 'p256')).pem }, fail, NOW, requiring).alg, 'ES256')
  })

  await t.test('a certificate that does not chain to an anchor, or may not sign, is refused', async (t) => {
    const stranger = await TestCa.create('CN=Some other CA')
    const untrusted = (await stranger.issue('CN=Not ours', 'ed25519')).pem
    t.throws(() => validateSubmittedKey({ certificate: untrusted }, fail, NOW, trusting), { code: 'REG_UNTRUSTED_CERTIFICATE', status: 422, message: /untrusted.*Some other CA/ })
    t.ok(validateSubmittedKey({ certificate: untrusted }, fail, NOW), 'the same certificate where no anchors are configured')
    const encipher = (await ca.issue('CN=Encryption only', 'p256', x509.KeyUsageFlags.keyEncipherment)).pem
    t.throws(() => validateSubmittedKey({ certificate: encipher }, fail, NOW, trusting), { code: 'REG_UNTRUSTED_CERTIFICATE', message: /key_usage/ })
    const expiredCa = await TestCa.create('CN=CA that expired in June', new Date('2026-06-01T00:00:00Z'))
    const underExpired = (await expiredCa.issue('CN=Still valid itself', 'ed25519')).pem
    t.throws(() => validateSubmittedKey({ certificate: underExpired }, fail, NOW, { trustStore: TrustStore.fromPem(expiredCa.pem), requireCertificates: false }),
      { code: 'REG_UNTRUSTED_CERTIFICATE', message: /expired.*CA that expired in June/ }, 'the leaf is valid now, its CA is not')
  })

  await t.test('its own window is judged first, with its own codes', async (t) => {
    const { pem } = await ca.issue('CN=Later', 'ed25519')
    t.throws(() => validateSubmittedKey({ certificate: pem }, fail, new Date('2027-07-01T00:00:00Z'), trusting), { code: 'REG_CERTIFICATE_EXPIRED' })
    t.throws(() => validateSubmittedKey({ certificate: pem }, fail, new Date('2025-01-01T00:00:00Z'), trusting), { code: 'REG_CERTIFICATE_NOT_YET_VALID' })
  })

  await t.test('bare JWKs: accepted beside anchors, refused where certificates are required', async (t) => {
    t.equal(validateSubmittedKey({ jwk: RFC8037_JWK }, fail, NOW, trusting).kid, RFC8037_THUMBPRINT)
    const err = t.throws(() => validateSubmittedKey({ jwk: RFC8037_JWK }, fail, NOW, requiring), { code: 'REG_CERTIFICATE_REQUIRED', status: 422 }) as Error
    t.match(err.message, /certificate only/)
    t.throws(() => validateSubmittedKey({ jwk: RFC8037_JWK, role: 'signer' }, fail, NOW, requiring), { code: 'REG_CERTIFICATE_REQUIRED' }, 'whatever the role')
  })
})

/** A P-256 CA made with @peculiar/x509, issuing leaves valid 2026-01-01 – 2027-06-01. */
class TestCa {
  private constructor (readonly pem: string, private readonly cert: x509.X509Certificate, private readonly keys: webcrypto.CryptoKeyPair) {}

  static readonly ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }

  static async create (name: string, notAfter = new Date('2040-01-01T00:00:00Z')): Promise<TestCa> {
    const keys = await webcrypto.subtle.generateKey(TestCa.ECDSA, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter, signingAlgorithm: TestCa.ECDSA, keys,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)]
    })
    return new TestCa(cert.toString('pem'), cert, keys)
  }

  async issue (subject: string, kind: 'ed25519' | 'p256', usage = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation): Promise<{ pem: string, jwk: Record<string, unknown> }> {
    const keys = await webcrypto.subtle.generateKey(kind === 'p256' ? TestCa.ECDSA : { name: 'Ed25519' }, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
    const cert = await x509.X509CertificateGenerator.create({
      subject, issuer: this.cert.subjectName, notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-06-01T00:00:00Z'),
      signingAlgorithm: TestCa.ECDSA, publicKey: keys.publicKey, signingKey: this.keys.privateKey,
      extensions: [new x509.KeyUsagesExtension(usage, true)]
    })
    const jwk = await webcrypto.subtle.exportKey('jwk', keys.publicKey)
    const { kty, crv, x, y } = jwk
    return { pem: cert.toString('pem'), jwk: kty === 'EC' ? { kty, crv, x, y } : { kty, crv, x } }
  }
}

/** Test certificates from the openssl command line, in a directory of the test's own. */
class Certificates {
  constructor (private readonly dir: string) {}

  async selfSigned (name: string, keyArgs: string[], subject = `/CN=${name}`): Promise<{ cert: string, key: string }> {
    const certFile = join(this.dir, `${name}.crt`)
    const keyFile = join(this.dir, `${name}.key`)
    await run('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', subject])
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }
  }

  /** OpenSSL 3.0's `req` cannot set dates; `ca -selfsign` can, with a minimal CA of its own. */
  async withDates (name: string, start: string, end: string): Promise<string> {
    const ca = join(this.dir, `ca-${name}`)
    const config = join(this.dir, `${name}.cnf`)
    mkdirSync(ca, { recursive: true })
    writeFileSync(join(ca, 'index.txt'), '')
    writeFileSync(join(ca, 'serial'), '01\n')
    writeFileSync(config, [
      '[ ca ]', 'default_ca = test_ca',
      '[ test_ca ]', `database = ${ca}/index.txt`, `new_certs_dir = ${ca}`, `serial = ${ca}/serial`,
      'default_md = default', 'policy = any', 'unique_subject = no',
      '[ any ]', 'commonName = supplied', ''
    ].join('\n'))
    const keyFile = join(this.dir, `${name}.key`)
    const csr = join(this.dir, `${name}.csr`)
    const certFile = join(this.dir, `${name}.crt`)
    await run('openssl', ['req', '-new', '-newkey', 'ed25519', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`])
    await run('openssl', ['ca', '-batch', '-notext', '-config', config, '-selfsign', '-keyfile', keyFile, '-in', csr, '-out', certFile, '-startdate', start, '-enddate', end])
    return readFileSync(certFile, 'utf8')
  }

  async dates (cert: string): Promise<{ notBefore: Date, notAfter: Date }> {
    const file = join(this.dir, 'dates.crt')
    writeFileSync(file, cert)
    const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-startdate', '-enddate'])
    const read = (field: string): Date => new Date(new RegExp(`${field}=(.+)`).exec(stdout)?.[1] ?? 'invalid')
    return { notBefore: read('notBefore'), notAfter: read('notAfter') }
  }

  async fingerprint (cert: string): Promise<string> {
    const file = join(this.dir, 'fingerprint.crt')
    writeFileSync(file, cert)
    const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha256'])
    return stdout.trim().split('=')[1] ?? ''
  }
}
