import { X509Certificate, createPrivateKey, createPublicKey, randomBytes, webcrypto, type JsonWebKey, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import type { KeyRole } from '@lienthong/contracts'
import { algorithmOfKey } from '@lienthong/crypto'

/**
 * A certification authority for local stacks and tests only: its private key lies unencrypted in
 * a file, so nothing it issues proves anything outside this machine. A deployment's TRUST_ANCHORS
 * names the real CAs (for Viet Nam, the government CA of Ban Cơ yếu Chính phủ) instead.
 */
export interface DevCa {
  dir: string
  /** `dir/ca.pem`, the bundle to give as TRUST_ANCHORS */
  certificatePath: string
  /** `dir/ca-key.pem`, readable by the user only */
  keyPath: string
  certificatePem: string
  subject: string
  certificate: x509.X509Certificate
  privateKey: webcrypto.CryptoKey
}

export const DEV_CA_NAME = 'lienthong development CA (Lào Cai)'
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const DAY_MS = 86_400_000
const CA_YEARS = 10
/** A leaf starts a little in the past, so a clock slightly behind this machine's accepts it at once. */
const BACKDATE_MS = 5 * 60_000
/** The longest leaf validity the CA/Browser Forum allowed until 2020; ample for a development key. */
export const DEFAULT_VALID_DAYS = 825
const WAIT_FOR_OTHER_MS = 5_000

const OID_SERIAL_NUMBER = '2.5.4.5'
const OID_UID = '0.9.2342.19200300.100.1.1'

/** The CA in `dir`, made on first use (P-256, ten years) and read from its files afterwards. */
export async function ensureDevCa (dir: string): Promise<DevCa> {
  const certificatePath = join(dir, 'ca.pem')
  const keyPath = join(dir, 'ca-key.pem')
  if (existsSync(certificatePath)) return await loadDevCa(dir, certificatePath, keyPath)
  mkdirSync(dir, { recursive: true, mode: 0o700 })

  const keys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
  const keyPem = pkcs8Pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  try {
    // The key file is made exclusively: of two commands starting at once, one makes the CA.
    writeFileSync(keyPath, keyPem, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return await waitForOther(dir, certificatePath, keyPath)
  }
  const notBefore = new Date(Date.now() - BACKDATE_MS)
  const notAfter = new Date(notBefore)
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS)
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ C: ['VN'] }, { O: ['lienthong'] }, { CN: [DEV_CA_NAME] }],
    notBefore,
    notAfter,
    signingAlgorithm: ECDSA,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  const certificatePem = certificate.toString('pem') + '\n'
  // Written aside and renamed: whoever sees ca.pem sees all of it, and the key before it.
  const partial = `${certificatePath}.${process.pid}.tmp`
  writeFileSync(partial, certificatePem, { mode: 0o644 })
  renameSync(partial, certificatePath)
  return { dir, certificatePath, keyPath, certificatePem, subject: certificate.subject, certificate, privateKey: keys.privateKey }
}

export interface AgencyCertificateRequest {
  /** the public key to certify: Ed25519 (kty OKP) or P-256 (kty EC) */
  publicJwk: JsonWebKey | Record<string, unknown>
  agencyCode: string
  agencyName: string
  role: KeyRole
  /** for a signer: the person (name, position); the certificate's CN */
  holder?: string
  validDays?: number
}

/**
 * A leaf certificate for an agency's key (CN the agency name) or a signer's (CN the holder), with
 * O the agency name and serialNumber and UID the agency code; keyUsage digitalSignature and
 * nonRepudiation (critical), not a CA, a random serial, valid from five minutes ago for
 * `validDays` (825 by default, never beyond the CA's own end). Returns the PEM.
 */
export async function issueAgencyCertificate (ca: DevCa, request: AgencyCertificateRequest): Promise<string> {
  const { agencyCode, agencyName, role } = request
  const validDays = request.validDays ?? DEFAULT_VALID_DAYS
  if (!Number.isInteger(validDays) || validDays < 1 || validDays > CA_YEARS * 366) throw new RangeError(`validDays must be a whole number of days from 1 to ${CA_YEARS * 366}`)
  const holder = request.holder?.trim()
  if (role === 'signer' && (holder === undefined || holder === '')) throw new TypeError('a signer certificate names its holder')
  if (role === 'agency' && holder !== undefined) throw new TypeError('a holder is named on a signer certificate only')
  if (agencyName.trim() === '' || agencyCode.trim() === '') throw new TypeError('the agency code and name must not be empty')

  const publicKey = signingPublicKey(request.publicJwk)
  const notBefore = new Date(Date.now() - BACKDATE_MS)
  const caEnd = ca.certificate.notAfter.getTime()
  const notAfter = new Date(Math.min(notBefore.getTime() + validDays * DAY_MS, caEnd))
  const spki = new x509.PublicKey(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })))
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [
      { C: ['VN'] },
      { O: [agencyName] },
      { CN: [role === 'signer' ? holder as string : agencyName] },
      { [OID_SERIAL_NUMBER]: [agencyCode] },
      { [OID_UID]: [agencyCode] }
    ],
    issuer: ca.certificate.subjectName,
    notBefore,
    notAfter,
    signingAlgorithm: ECDSA,
    publicKey: spki,
    signingKey: ca.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      await x509.SubjectKeyIdentifierExtension.create(spki),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate.publicKey)
    ]
  })
  return certificate.toString('pem') + '\n'
}

async function loadDevCa (dir: string, certificatePath: string, keyPath: string): Promise<DevCa> {
  const certificatePem = readFileSync(certificatePath, 'utf8')
  const certificate = new x509.X509Certificate(certificatePem)
  let key: KeyObject
  try {
    key = createPrivateKey(readFileSync(keyPath))
  } catch (err) {
    throw new Error(`the development CA in ${dir} has a certificate but its key ${keyPath} cannot be read (${(err as Error).message}); remove the folder to make a new CA`, { cause: err })
  }
  const certifiedKey = new X509Certificate(certificatePem).publicKey
  if (!createPublicKey(key).equals(certifiedKey)) throw new Error(`${keyPath} is not the key of ${certificatePath}; remove the folder to make a new CA`)
  const privateKey = await webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), ECDSA, false, ['sign'])
  return { dir, certificatePath, keyPath, certificatePem, subject: certificate.subject, certificate, privateKey }
}

/** Another command is making the CA right now: wait for its certificate, then use it. */
async function waitForOther (dir: string, certificatePath: string, keyPath: string): Promise<DevCa> {
  const until = Date.now() + WAIT_FOR_OTHER_MS
  while (!existsSync(certificatePath)) {
    if (Date.now() > until) throw new Error(`${keyPath} exists without ${certificatePath}: a CA was left half made; remove ${dir} to make a new one`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return await loadDevCa(dir, certificatePath, keyPath)
}

/** A node key for an Ed25519 or P-256 public JWK; anything else, or a private JWK, is refused. */
function signingPublicKey (jwk: JsonWebKey | Record<string, unknown>): KeyObject {
  if ('d' in jwk) throw new TypeError('the JWK holds a private part (d); give the public key only')
  let key: KeyObject
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
  } catch (err) {
    throw new TypeError(`the JWK is not a public key (${(err as Error).message})`, { cause: err })
  }
  if (algorithmOfKey(key) === undefined) throw new TypeError('the key must be Ed25519 (kty OKP) or P-256 (kty EC)')
  return key
}

function pkcs8Pem (der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n'
}

/** 16 random bytes, positive and without a leading zero byte (RFC 5280 §4.1.2.2: at most 20). */
function randomSerial (): string {
  const bytes = randomBytes(16)
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x40
  return bytes.toString('hex')
}
