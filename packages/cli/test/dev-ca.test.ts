import t, { type Test } from 'tap'
import { X509Certificate as NodeCertificate, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import { TrustStore } from '@lienthong/crypto'
import { DEV_CA_NAME, ensureDevCa, issueAgencyCertificate } from '../src/dev-ca.ts'
// the CLI as the suite builds it, run by node: through tsx each call costs a second or more of CPU
import { lienthong } from '../../../test/harness/cli.ts'

const DAY_MS = 86_400_000
const DISTRICT = '000.00.31.H38'

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-dev-ca-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

function publicJwk (kind: 'ed25519' | 'p256'): Record<string, unknown> {
  const { publicKey } = kind === 'p256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519')
  return publicKey.export({ format: 'jwk' }) as Record<string, unknown>
}

t.test('ensureDevCa makes a P-256 root once, with its key readable by the user only', async (t) => {
  const dir = join(tempDir(t), 'ca')
  const ca = await ensureDevCa(dir)
  t.equal(ca.certificatePath, join(dir, 'ca.pem'))
  t.equal(ca.keyPath, join(dir, 'ca-key.pem'))
  t.equal(statSync(ca.keyPath).mode & 0o777, 0o600, 'key file mode 0600')
  t.equal(readFileSync(ca.certificatePath, 'utf8'), ca.certificatePem)

  const node = new NodeCertificate(ca.certificatePem)
  t.match(node.subject, `CN=${DEV_CA_NAME}`)
  t.equal(node.subject, node.issuer, 'self-signed')
  t.ok(node.ca, 'basicConstraints cA')
  t.equal(node.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  const years = (Date.parse(node.validTo) - Date.parse(node.validFrom)) / (365.25 * DAY_MS)
  t.ok(years > 9.99 && years < 10.01, `valid ten years (${years.toFixed(3)})`)
  t.equal(TrustStore.fromPem(ca.certificatePem).size, 1, 'a trust bundle of one anchor')

  const again = await ensureDevCa(dir)
  t.equal(again.certificatePem, ca.certificatePem, 'the same CA the second time')
  t.equal(readFileSync(again.keyPath, 'utf8'), readFileSync(ca.keyPath, 'utf8'), 'the key is not replaced')
  // A certificate issued with the reloaded CA chains to the first one.
  const pem = await issueAgencyCertificate(again, { publicJwk: publicJwk('ed25519'), agencyCode: DISTRICT, agencyName: 'UBND huyện Bát Xát', role: 'agency' })
  t.ok(TrustStore.fromPem(ca.certificatePem).check(pem, new Date()))

  const [a, b] = await Promise.all([ensureDevCa(join(dir, 'race')), ensureDevCa(join(dir, 'race'))])
  t.equal(a.certificatePem, b.certificatePem, 'two at once make one CA')
})

t.test('issued certificates chain to the CA, may sign, and certify exactly the given key', async (t) => {
  const ca = await ensureDevCa(tempDir(t))
  const store = TrustStore.fromPem(readFileSync(ca.certificatePath, 'utf8'))
  const before = Date.now()
  for (const kind of ['ed25519', 'p256'] as const) {
    for (const role of ['agency', 'signer'] as const) {
      const jwk = publicJwk(kind)
      const holder = role === 'signer' ? 'Nguyễn Văn A, Chủ tịch UBND huyện' : undefined
      const pem = await issueAgencyCertificate(ca, { publicJwk: jwk, agencyCode: DISTRICT, agencyName: 'UBND huyện Bát Xát', role, ...(holder !== undefined ? { holder } : {}) })
      const name = `${kind} ${role}`
      const checked = store.check(pem, new Date())
      t.same(checked.chain, [new NodeCertificate(pem).subject, new NodeCertificate(ca.certificatePem).subject], `${name}: leaf, then the CA`)

      const node = new NodeCertificate(pem)
      t.ok(node.publicKey.equals(createPublicKey({ key: jwk, format: 'jwk' })), `${name}: the key is the JWK`)
      t.same(node.publicKey.export({ format: 'jwk' }), jwk, `${name}: the key exports to the same JWK`)
      t.notOk(node.ca, `${name}: not a CA`)

      const parsed = new x509.X509Certificate(pem)
      const usage = parsed.getExtension(x509.KeyUsagesExtension)
      t.equal(usage?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, `${name}: digitalSignature and nonRepudiation`)
      t.equal(usage?.critical, true, `${name}: key usage critical`)
      t.equal(parsed.getExtension(x509.BasicConstraintsExtension)?.ca, false)

      const subject = node.subject.split('\n')
      t.ok(subject.includes(role === 'signer' ? 'CN=Nguyễn Văn A\\, Chủ tịch UBND huyện' : 'CN=UBND huyện Bát Xát'), `${name}: CN ${subject.join(' / ')}`)
      t.ok(subject.includes('O=UBND huyện Bát Xát'), `${name}: O is the agency`)
      t.ok(subject.includes(`serialNumber=${DISTRICT}`) && subject.includes(`UID=${DISTRICT}`), `${name}: serialNumber and UID are the code`)

      const notBefore = parsed.notBefore.getTime()
      t.ok(notBefore <= before - 4 * 60_000 && notBefore >= before - 6 * 60_000, `${name}: valid from five minutes ago`)
      t.equal(parsed.notAfter.getTime() - notBefore, 825 * DAY_MS, `${name}: for 825 days`)
    }
  }
  const short = new x509.X509Certificate(await issueAgencyCertificate(ca, { publicJwk: publicJwk('ed25519'), agencyCode: DISTRICT, agencyName: 'x', role: 'agency', validDays: 30 }))
  t.equal(short.notAfter.getTime() - short.notBefore.getTime(), 30 * DAY_MS, 'validDays')
  const long = new x509.X509Certificate(await issueAgencyCertificate(ca, { publicJwk: publicJwk('ed25519'), agencyCode: DISTRICT, agencyName: 'x', role: 'agency', validDays: 3660 }))
  t.equal(long.notAfter.getTime(), new x509.X509Certificate(ca.certificatePem).notAfter.getTime(), 'never beyond the CA')

  const serials = new Set<string>()
  for (let i = 0; i < 5; i++) serials.add(new NodeCertificate(await issueAgencyCertificate(ca, { publicJwk: publicJwk('p256'), agencyCode: DISTRICT, agencyName: 'x', role: 'agency' })).serialNumber)
  t.equal(serials.size, 5, 'random serials')

  const other = await ensureDevCa(tempDir(t))
  const foreign = await issueAgencyCertificate(other, { publicJwk: publicJwk('ed25519'), agencyCode: DISTRICT, agencyName: 'x', role: 'agency' })
  t.throws(() => store.check(foreign, new Date()), { name: 'CertificateError', reason: 'untrusted' }, 'another development CA is not trusted')
})

t.test('what is not issued', async (t) => {
  const ca = await ensureDevCa(tempDir(t))
  const base = { agencyCode: DISTRICT, agencyName: 'UBND huyện Bát Xát', role: 'agency' as const }
  const { privateKey } = generateKeyPairSync('ed25519')
  await t.rejects(issueAgencyCertificate(ca, { ...base, publicJwk: privateKey.export({ format: 'jwk' }) as Record<string, unknown> }), /private part/)
  await t.rejects(issueAgencyCertificate(ca, { ...base, publicJwk: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as Record<string, unknown> }), /Ed25519.*P-256/)
  await t.rejects(issueAgencyCertificate(ca, { ...base, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'short' } }), /not a public key/)
  await t.rejects(issueAgencyCertificate(ca, { ...base, role: 'signer', publicJwk: publicJwk('ed25519') }), /names its holder/)
  await t.rejects(issueAgencyCertificate(ca, { ...base, holder: 'Nguyễn Văn A', publicJwk: publicJwk('ed25519') }), /signer certificate only/)
  await t.rejects(issueAgencyCertificate(ca, { ...base, validDays: 0, publicJwk: publicJwk('ed25519') }), RangeError)
})

t.test('lienthong ca init and ca issue', async (t) => {
  const home = tempDir(t)
  const env = { ...process.env, LIENTHONG_HOME: home }
  const cli = async (...args: string[]): Promise<string> => (await lienthong(args, env)).stdout

  const path = (await cli('ca', 'init')).trim()
  t.equal(path, join(home, 'ca', 'ca.pem'))
  t.ok(existsSync(path))
  t.equal(statSync(join(home, 'ca', 'ca-key.pem')).mode & 0o777, 0o600)
  t.equal((await cli('ca', 'init')).trim(), path, 'init again: the same path')
  const anchor = readFileSync(path, 'utf8')
  t.equal((await ensureDevCa(join(home, 'ca'))).certificatePem, anchor, 'the same CA')

  const jwk = publicJwk('ed25519')
  const agencyPem = await cli('ca', 'issue', DISTRICT, '--jwk', JSON.stringify(jwk))
  t.match(agencyPem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/, 'the PEM alone on stdout')
  const store = TrustStore.fromPem(anchor)
  t.ok(store.check(agencyPem, new Date()))
  t.match(new NodeCertificate(agencyPem).subject, `CN=${DISTRICT}`, 'without a running stack, the code stands in for the name')
  t.ok(new NodeCertificate(agencyPem).publicKey.equals(createPublicKey({ key: jwk, format: 'jwk' })))

  const signerPem = await cli('ca', 'issue', DISTRICT, '--jwk', JSON.stringify(publicJwk('p256')), '--role', 'signer', '--holder', 'Trần Thị B', '--days', '90')
  const signer = new x509.X509Certificate(signerPem)
  t.match(new NodeCertificate(signerPem).subject, 'CN=Trần Thị B')
  t.equal(signer.notAfter.getTime() - signer.notBefore.getTime(), 90 * DAY_MS)
  t.ok(store.check(signerPem, new Date()))

  await t.rejects(cli('ca', 'issue', DISTRICT, '--jwk', JSON.stringify(jwk), '--role', 'signer'), /needs --holder/)
  await t.rejects(cli('ca', 'issue', 'not-a-code', '--jwk', JSON.stringify(jwk)), /usage: lienthong ca/)
  await t.rejects(cli('ca', 'issue', DISTRICT, '--jwk', '{nope'), /not JSON/)
  await t.rejects(cli('ca'), /usage: lienthong ca/)
})
