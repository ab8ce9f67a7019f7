import t from 'tap'
import { X509Certificate as NodeCertificate, createPrivateKey, webcrypto, type JsonWebKey } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import { CertificateError, TrustStore, isCertificateError, loadTrustStore, type CertificateFailure } from '../src/certificate-chain.ts'
import * as fromIndex from '../src/index.ts'

// Real certificates, made here with @peculiar/x509 over node's WebCrypto: CAs on P-256 ECDSA,
// leaves on Ed25519 and P-256. Every date is fixed, so the checks are the same on any day.
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const AT = new Date('2026-06-01T00:00:00Z')
const LONG = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') }
const LEAF_WINDOW = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z') }
const { KeyUsageFlags: KU } = x509

type Keys = webcrypto.CryptoKeyPair
interface Issued { cert: x509.X509Certificate, pem: string, keys: Keys }

async function keysOf (kind: 'p256' | 'ed25519'): Promise<Keys> {
  const algorithm = kind === 'p256' ? ECDSA : { name: 'Ed25519' }
  return await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Keys
}

interface CaOptions { issuer?: Issued, window?: { notBefore: Date, notAfter: Date }, ca?: boolean, keyUsage?: number | null, pathLength?: number }

/** A root (without issuer) or an intermediate CA on P-256. */
async function makeCa (name: string, options: CaOptions = {}): Promise<Issued> {
  const keys = await keysOf('p256')
  const window = options.window ?? LONG
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(options.ca ?? true, options.pathLength, true)]
  const usage = options.keyUsage === undefined ? KU.keyCertSign | KU.cRLSign : options.keyUsage
  if (usage !== null) extensions.push(new x509.KeyUsagesExtension(usage, true))
  const cert = options.issuer === undefined
    ? await x509.X509CertificateGenerator.createSelfSigned({ name, ...window, signingAlgorithm: ECDSA, keys, extensions })
    : await x509.X509CertificateGenerator.create({
      subject: name, issuer: options.issuer.cert.subjectName, ...window, signingAlgorithm: ECDSA,
      publicKey: keys.publicKey, signingKey: options.issuer.keys.privateKey, extensions
    })
  return { cert, pem: cert.toString('pem'), keys }
}

interface LeafOptions { kind?: 'p256' | 'ed25519', window?: { notBefore: Date, notAfter: Date }, keyUsage?: number | null }

async function makeLeaf (name: string, issuer: Issued, options: LeafOptions = {}): Promise<Issued> {
  const keys = await keysOf(options.kind ?? 'ed25519')
  const usage = options.keyUsage === undefined ? KU.digitalSignature | KU.nonRepudiation : options.keyUsage
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, false)]
  if (usage !== null) extensions.push(new x509.KeyUsagesExtension(usage, true))
  const cert = await x509.X509CertificateGenerator.create({
    subject: name, issuer: issuer.cert.subjectName, ...(options.window ?? LEAF_WINDOW), signingAlgorithm: ECDSA,
    publicKey: keys.publicKey, signingKey: issuer.keys.privateKey, extensions
  })
  return { cert, pem: cert.toString('pem'), keys }
}

function bundle (...certs: Issued[]): string {
  return certs.map((c) => c.pem).join('\n')
}

function refusal (store: TrustStore, pem: string, at: Date = AT): { reason: CertificateFailure | undefined, message: string } {
  try {
    store.check(pem, at)
  } catch (err) {
    if (isCertificateError(err)) return { reason: err.reason, message: err.message }
    throw err
  }
  return { reason: undefined, message: 'accepted' }
}

const root = await makeCa('CN=Root CA (Lào Cai), O=lienthong tests')
const intermediate = await makeCa('CN=Intermediate CA, O=lienthong tests', { issuer: root })
const store = TrustStore.fromPem(bundle(root, intermediate))

t.test('the API is exported from the package', async (t) => {
  t.equal(fromIndex.TrustStore, TrustStore)
  t.equal(fromIndex.CertificateError, CertificateError)
  t.equal(fromIndex.loadTrustStore, loadTrustStore)
})

t.test('root → leaf: an Ed25519 and a P-256 leaf', async (t) => {
  t.equal(store.size, 1, 'one anchor; the intermediate is not one')
  for (const kind of ['ed25519', 'p256'] as const) {
    const leaf = await makeLeaf(`CN=UBND huyện Bát Xát, O=${kind}`, root, { kind })
    const node = new NodeCertificate(leaf.pem)
    const checked = store.check(leaf.pem, AT)
    t.equal(node.publicKey.asymmetricKeyType, kind === 'p256' ? 'ec' : 'ed25519', `${kind} leaf made`)
    t.same(checked.chain, [node.subject, new NodeCertificate(root.pem).subject])
    t.equal(checked.subject, node.subject)
    t.match(checked.subject, /CN=UBND huyện Bát Xát/, 'UTF-8 names read back as they were written')
    t.equal(checked.issuer, node.issuer)
    t.equal(checked.fingerprint256, node.fingerprint256)
    t.same(checked.notBefore, LEAF_WINDOW.notBefore)
    t.same(checked.notAfter, LEAF_WINDOW.notAfter)
  }
})

t.test('root → intermediate → leaf', async (t) => {
  const leaf = await makeLeaf('CN=Chủ tịch UBND xã, O=UBND xã A Mú Sung', intermediate)
  const checked = store.check(leaf.pem, AT)
  t.equal(checked.chain.length, 3)
  t.match(checked.chain, [/CN=Chủ tịch/, /CN=Intermediate CA/, /CN=Root CA/])
  t.ok(TrustStore.fromPem(`intermediate first, with text between\n${intermediate.pem}\nand the root\n${root.pem}`).check(leaf.pem, AT), 'order and text in the bundle do not matter')
})

t.test('the window is the intersection of the whole chain\u2019s windows', async (t) => {
  const narrowRoot = await makeCa('CN=Narrow root', { window: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') } })
  const narrowIntermediate = await makeCa('CN=Narrow intermediate', {
    issuer: narrowRoot,
    window: { notBefore: new Date('2026-03-01T00:00:00Z'), notAfter: new Date('2029-01-01T00:00:00Z') }
  })
  const leaf = await makeLeaf('CN=Long leaf', narrowIntermediate, { window: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2031-01-01T00:00:00Z') } })
  const narrow = TrustStore.fromPem(bundle(narrowRoot, narrowIntermediate))
  const checked = narrow.check(leaf.pem, AT)
  t.same(checked.notBefore, new Date('2026-03-01T00:00:00Z'), 'starts with the intermediate')
  t.same(checked.notAfter, new Date('2029-01-01T00:00:00Z'), 'ends with the intermediate')
  t.ok(narrow.check(leaf.pem, new Date('2026-03-01T00:00:00Z')), 'the first instant is inside')
  t.ok(narrow.check(leaf.pem, new Date('2029-01-01T00:00:00Z')), 'the last instant is inside')
  t.match(refusal(narrow, leaf.pem, new Date('2026-02-01T00:00:00Z')), { reason: 'not_yet_valid', message: /Narrow intermediate/ }, 'the leaf is valid, its CA is not yet')
  t.match(refusal(narrow, leaf.pem, new Date('2029-06-01T00:00:00Z')), { reason: 'expired', message: /Narrow intermediate expired at 2029-01-01/ })
})

t.test('a leaf from an untrusted CA is untrusted', async (t) => {
  const stranger = await makeCa('CN=Some other CA')
  const leaf = await makeLeaf('CN=Not ours', stranger)
  t.match(refusal(store, leaf.pem), { reason: 'untrusted', message: /issuer of CN=Not ours \(CN=Some other CA\) is not in the trust store/ })
  const viaUnknown = await makeLeaf('CN=Below an unknown intermediate', await makeCa('CN=Unlisted intermediate', { issuer: root }))
  t.match(refusal(store, viaUnknown.pem), { reason: 'untrusted', message: /Unlisted intermediate/ }, 'an intermediate missing from the bundle')
})

t.test('a self-signed leaf is untrusted unless it is in the store itself', async (t) => {
  const keys = await keysOf('ed25519')
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Self-made seal', ...LEAF_WINDOW, signingAlgorithm: { name: 'Ed25519' }, keys,
    extensions: [new x509.KeyUsagesExtension(KU.digitalSignature, true)]
  })
  const pem = cert.toString('pem')
  t.match(refusal(store, pem), { reason: 'untrusted' })
  const pinned = TrustStore.fromPem(bundle(root, { cert, pem, keys }))
  t.equal(pinned.size, 2, 'a self-signed certificate in the bundle is an anchor')
  t.same(pinned.check(pem, AT).chain, [new NodeCertificate(pem).subject], 'an anchor stands for itself')
})

t.test('a CA that claims the name of a trusted one, and a tampered signature, are untrusted', async (t) => {
  const impostor = await makeCa('CN=Root CA (Lào Cai), O=lienthong tests')
  const leaf = await makeLeaf('CN=Signed by the impostor', impostor)
  t.match(refusal(store, leaf.pem), { reason: 'untrusted', message: /signature of CN=Signed by the impostor does not verify with the key of CN=Root CA/ })

  const good = await makeLeaf('CN=Tampered', intermediate)
  const der = Buffer.from(good.cert.rawData)
  // The last byte is the end of the ECDSA signature's s; flipping it keeps the DER well-formed.
  der[der.length - 1] = (der[der.length - 1] as number) ^ 0x01
  const tampered = new NodeCertificate(der).toString()
  t.not(tampered, good.pem)
  t.ok(store.check(good.pem, AT), 'the original passes')
  t.match(refusal(store, tampered), { reason: 'untrusted', message: /does not verify/ })
})

t.test('expired and not yet valid', async (t) => {
  const expiredLeaf = await makeLeaf('CN=Expired leaf', root, { window: { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2025-01-01T00:00:00Z') } })
  t.match(refusal(store, expiredLeaf.pem), { reason: 'expired', message: /CN=Expired leaf expired at 2025-01-01T00:00:00\.000Z/ })

  const oldIntermediate = await makeCa('CN=Expired intermediate', { issuer: root, window: { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2026-01-01T00:00:00Z') } })
  const underOld = await makeLeaf('CN=Under the expired intermediate', oldIntermediate, { window: { notBefore: new Date('2025-06-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z') } })
  const withOld = TrustStore.fromPem(bundle(root, oldIntermediate))
  t.match(refusal(withOld, underOld.pem), { reason: 'expired', message: /CN=Expired intermediate expired/ })
  t.ok(withOld.check(underOld.pem, new Date('2025-07-01T00:00:00Z')), 'the same chain while the intermediate was valid')

  const early = await makeLeaf('CN=Early leaf', root)
  t.match(refusal(store, early.pem, new Date('2025-12-31T23:59:59Z')), { reason: 'not_yet_valid', message: /CN=Early leaf is valid \(from 2026-01-01/ })
  t.match(refusal(store, early.pem, new Date('2027-01-01T00:00:01Z')), { reason: 'expired' })
})

t.test('a leaf whose keyUsage does not allow signing', async (t) => {
  const encipherOnly = await makeLeaf('CN=Encryption key', root, { kind: 'p256', keyUsage: KU.keyEncipherment })
  t.match(refusal(store, encipherOnly.pem), { reason: 'key_usage', message: /neither digitalSignature nor nonRepudiation/ })
  t.ok(store.check((await makeLeaf('CN=Non-repudiation only', root, { keyUsage: KU.nonRepudiation })).pem, AT), 'nonRepudiation alone is enough')
  t.ok(store.check((await makeLeaf('CN=Signature only', root, { keyUsage: KU.digitalSignature })).pem, AT), 'digitalSignature alone is enough')
  t.ok(store.check((await makeLeaf('CN=No keyUsage', root, { keyUsage: null })).pem, AT), 'without the extension, any use')
})

t.test('an issuer that is not a CA', async (t) => {
  const notCa = await makeCa('CN=Intermediate without cA', { issuer: root, ca: false })
  const leaf = await makeLeaf('CN=Issued by a non-CA', notCa)
  t.match(refusal(TrustStore.fromPem(bundle(root, notCa)), leaf.pem), { reason: 'not_a_ca', message: /CN=Intermediate without cA issued CN=Issued by a non-CA but is not a CA/ })

  const noCertSign = await makeCa('CN=Intermediate without keyCertSign', { issuer: root, keyUsage: KU.digitalSignature })
  const leaf2 = await makeLeaf('CN=Issued without keyCertSign', noCertSign)
  t.match(refusal(TrustStore.fromPem(bundle(root, noCertSign)), leaf2.pem), { reason: 'not_a_ca', message: /keyCertSign/ })

  const noKeyUsage = await makeCa('CN=Intermediate without keyUsage', { issuer: root, keyUsage: null })
  t.ok(TrustStore.fromPem(bundle(root, noKeyUsage)).check((await makeLeaf('CN=Fine', noKeyUsage)).pem, AT), 'a CA without keyUsage may sign')

  const leafAsCa = await makeLeaf('CN=A leaf posing as CA', root)
  const below = await makeLeaf('CN=Below a leaf', leafAsCa)
  t.match(refusal(TrustStore.fromPem(bundle(root, leafAsCa)), below.pem), { reason: 'not_a_ca' })
})

t.test('path length constraints', async (t) => {
  const strictRoot = await makeCa('CN=Root with pathLen 0', { pathLength: 0 })
  const sub = await makeCa('CN=Sub under pathLen 0', { issuer: strictRoot })
  const s = TrustStore.fromPem(bundle(strictRoot, sub))
  t.ok(s.check((await makeLeaf('CN=Direct', strictRoot)).pem, AT), 'a leaf directly under it')
  t.match(refusal(s, (await makeLeaf('CN=Too deep', sub)).pem), { reason: 'not_a_ca', message: /allows 0 intermediate/ })
})

t.test('unreadable certificates are malformed', async (t) => {
  const ok = await makeLeaf('CN=ok', root)
  const body = ok.pem.split('\n').slice(1, -2).join('\n')
  for (const [name, pem] of [
    ['not PEM', 'hello'],
    ['empty', ''],
    ['truncated body', `-----BEGIN CERTIFICATE-----\n${body.slice(0, 60)}\n-----END CERTIFICATE-----\n`],
    ['base64 of nothing', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']
  ] as const) {
    t.match(refusal(store, pem), { reason: 'malformed' }, name)
  }
  t.match(refusal(TrustStore.empty(), ok.pem), { reason: 'untrusted', message: /no trust anchors/ }, 'the empty store trusts nothing')
  t.equal(TrustStore.empty().size, 0)
})

t.test('unreadable bundles are refused when the store is made', async (t) => {
  const publicKey = new NodeCertificate(root.pem).publicKey.export({ format: 'pem', type: 'spki' }).toString()
  const privateKey = createPrivateKey({ key: await webcrypto.subtle.exportKey('jwk', root.keys.privateKey) as JsonWebKey, format: 'jwk' })
    .export({ format: 'pem', type: 'pkcs8' }).toString()
  for (const [name, text] of [
    ['empty', ''],
    ['not PEM', 'garbage'],
    ['a cut-off certificate', `${root.pem}\n${intermediate.pem.slice(0, 200)}`],
    ['base64 of nothing', `${root.pem}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`],
    ['a public key among the certificates', `${root.pem}\n${publicKey}`],
    ['the root\u2019s private key beside it', `${root.pem}\n${privateKey}`],
    ['no root', intermediate.pem]
  ] as const) {
    const err = t.throws(() => TrustStore.fromPem(text), CertificateError, name) as CertificateError
    t.equal(err.reason, 'malformed', name)
  }
})

t.test('loadTrustStore: a path to a bundle, or nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-anchors-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const file = join(dir, 'anchors.pem')
  writeFileSync(file, bundle(root, intermediate))
  t.equal(loadTrustStore(file).size, 1)
  t.equal(loadTrustStore(undefined).size, 0)
  t.equal(loadTrustStore('').size, 0, 'an empty variable is no variable')
  t.throws(() => loadTrustStore(join(dir, 'missing.pem')), { reason: 'malformed', message: /missing\.pem/ })
  writeFileSync(file, 'not a bundle')
  t.throws(() => loadTrustStore(file), { reason: 'malformed', message: /anchors\.pem/ })
})

t.test('repeated checks are answered from the cache, which stays bounded', async (t) => {
  const leaf = await makeLeaf('CN=Busy signer', intermediate)
  const small = TrustStore.fromPem(bundle(root, intermediate), { cacheSize: 2 })
  const first = small.check(leaf.pem, AT)
  t.same(small.check(leaf.pem, AT), first, 'same answer')
  first.chain.push('changed by a caller')
  t.equal(small.check(leaf.pem, AT).chain.length, 3, 'callers get copies')
  t.match(refusal(small, leaf.pem, new Date('2030-01-01T00:00:00Z')), { reason: 'expired' }, 'the time is checked on every call')
  const start = performance.now()
  for (let i = 0; i < 10_000; i++) small.check(leaf.pem, AT)
  t.ok(performance.now() - start < 1_000, 'ten thousand cached checks take well under a second')
  // Two other leaves push the first out; it is examined again, with the same result.
  small.check((await makeLeaf('CN=Other 1', root)).pem, AT)
  small.check((await makeLeaf('CN=Other 2', root)).pem, AT)
  t.same(small.check(leaf.pem, AT).chain, first.chain.slice(0, 3))
  t.throws(() => TrustStore.fromPem(root.pem, { cacheSize: 0 }), RangeError)
})
