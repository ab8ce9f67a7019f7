import { X509Certificate, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { KeyId, KeyRole, type AgencyKeyEntry, type KeyAlgorithm } from '@lienthong/contracts'
import { TrustStore, isCertificateError } from '@lienthong/crypto'
import type { ErrorFactory } from '@lienthong/platform'
import { jwkThumbprint } from '@lienthong/crypto'

const Instant = z.iso.datetime({ offset: true })

/** Whom the key speaks for: the agency (its seal, the default) or a person authorised to sign for it. */
const Role = {
  role: KeyRole.optional().describe('agency (the default): the agency\u2019s own key; signer: an authorised person\u2019s key'),
  holder: z.string().trim().min(1).max(200).optional().describe('for a signer key: the person who holds it (name, position)')
}

const HOLDER_NEEDS_SIGNER = { message: 'holder names the person of a signer key; give role "signer" with it', path: ['holder'] }
function holderOnlyForSigner (key: { role?: KeyRole | undefined, holder?: string | undefined }): boolean {
  return key.holder === undefined || key.role === 'signer'
}

/** A bare public JWK; its window is the caller's to give (from now, open-ended by default). */
export const SubmittedJwk = z.object({
  kid: KeyId.optional(),
  ...Role,
  jwk: z.record(z.string(), z.unknown()),
  notBefore: Instant.optional(),
  notAfter: Instant.optional()
}).strict().refine(holderOnlyForSigner, HOLDER_NEEDS_SIGNER)

/** An X.509 certificate in PEM; its own validity is the key's window, so none is given beside it. */
export const SubmittedCertificate = z.object({
  kid: KeyId.optional(),
  ...Role,
  certificate: z.string().min(1).max(64 * 1024)
}).strict().refine(holderOnlyForSigner, HOLDER_NEEDS_SIGNER)

/** A key as an administrator registers it for an agency. */
export const SubmittedKey = z.union([SubmittedJwk, SubmittedCertificate])
export type SubmittedKey = z.infer<typeof SubmittedKey>

export type CertificateFacts = NonNullable<AgencyKeyEntry['certificate']>

/** A submitted key that passed every check, in the form it is stored. */
export interface ValidatedKey {
  kid: string
  alg: KeyAlgorithm
  role: KeyRole
  /** the holder of a signer key, null for an agency key */
  holder: string | null
  /** exported from the parsed key, so only the public members, in Node's canonical form */
  publicJwk: JsonWebKey
  certificate: CertificateFacts | null
  notBefore: Date
  notAfter: Date | null
}

type Fail = ErrorFactory<'registry'>

// Every JWK member that carries secret material (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

const ACCEPTED_CURVES: Record<string, { crv: string, alg: KeyAlgorithm, coordinates: readonly string[] }> = {
  OKP: { crv: 'Ed25519', alg: 'EdDSA', coordinates: ['x'] },
  EC: { crv: 'P-256', alg: 'ES256', coordinates: ['x', 'y'] }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/

/** What this registry asks of keys beyond their form (TRUST_ANCHORS, REQUIRE_CERTIFICATES). */
export interface KeyPolicy {
  /** with anchors, a certificate must chain to one, with a key usage that allows signing */
  trustStore: TrustStore
  /** a bare JWK is refused: every key comes with a certificate */
  requireCertificates: boolean
}

const OPEN_POLICY: KeyPolicy = { trustStore: TrustStore.empty(), requireCertificates: false }

/** Checks a submitted key and brings it to its stored form, or throws a REG_ problem saying why not. */
export function validateSubmittedKey (submitted: SubmittedKey, fail: Fail, now: Date = new Date(), policy: KeyPolicy = OPEN_POLICY): ValidatedKey {
  const key = 'certificate' in submitted
    ? validateCertificate(submitted, fail, now, policy.trustStore)
    : validateJwk(submitted, fail, now, policy.requireCertificates)
  const role = submitted.role ?? 'agency'
  // The schema refuses a holder on an agency key; this keeps the stored pair right whatever the caller.
  return { ...key, role, holder: role === 'signer' ? submitted.holder ?? null : null }
}

type CheckedKey = Omit<ValidatedKey, 'role' | 'holder'>

function validateJwk (submitted: z.infer<typeof SubmittedJwk>, fail: Fail, now: Date, requireCertificates: boolean): CheckedKey {
  if (requireCertificates) {
    throw fail('CERTIFICATE_REQUIRED', 'this registry registers keys by their X.509 certificate only (REQUIRE_CERTIFICATES); submit { certificate: "-----BEGIN CERTIFICATE-----…" }')
  }
  const { jwk } = submitted
  const secret = PRIVATE_MEMBERS.filter((m) => m in jwk)
  if (secret.length > 0) {
    // It has now travelled to us: say so, because the owner must replace it, not just resubmit.
    throw fail('INVALID_KEY', `the JWK holds private members (${secret.join(', ')}); submit the public key only, and treat this private key as disclosed`)
  }
  const kty = jwk.kty
  if (typeof kty !== 'string') throw fail('INVALID_KEY', 'the JWK has no kty')
  const accepted = ACCEPTED_CURVES[kty]
  if (accepted === undefined) throw fail('INVALID_KEY', `kty ${kty} is not accepted; use Ed25519 (kty OKP) or P-256 (kty EC)`)
  if (jwk.crv !== accepted.crv) throw fail('INVALID_KEY', `curve ${String(jwk.crv)} is not accepted for kty ${kty}; use ${accepted.crv}`)
  if (jwk.alg !== undefined && jwk.alg !== accepted.alg) throw fail('INVALID_KEY', `alg ${String(jwk.alg)} does not fit a ${accepted.crv} key (${accepted.alg})`)
  if (jwk.use !== undefined && jwk.use !== 'sig') throw fail('INVALID_KEY', `use ${String(jwk.use)}: an agency key is for signatures (sig)`)
  for (const c of accepted.coordinates) {
    const value = jwk[c]
    if (typeof value !== 'string' || !BASE64URL.test(value) || Buffer.from(value, 'base64url').length !== 32) {
      throw fail('INVALID_KEY', `${c} must be 32 bytes in base64url without padding`)
    }
  }

  let key: KeyObject
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
  } catch (err) {
    throw fail('INVALID_KEY', `the JWK does not describe a ${accepted.crv} public key (${(err as Error).message})`)
  }
  const facts = signingKeyFacts(key)
  if (facts === undefined) throw fail('INVALID_KEY', `the JWK is not an Ed25519 or P-256 key (${describeKey(key)})`)

  const notBefore = submitted.notBefore !== undefined ? new Date(submitted.notBefore) : now
  const notAfter = submitted.notAfter !== undefined ? new Date(submitted.notAfter) : null
  if (notAfter !== null && notAfter <= notBefore) throw fail('INVALID_VALIDITY', `notAfter ${notAfter.toISOString()} is not after notBefore ${notBefore.toISOString()}`)
  if (notAfter !== null && notAfter <= now) throw fail('INVALID_VALIDITY', `notAfter ${notAfter.toISOString()} has already passed`)

  return { kid: chooseKid(submitted.kid, jwk.kid, facts.jwk, fail), alg: facts.alg, publicJwk: facts.jwk, certificate: null, notBefore, notAfter }
}

function validateCertificate (submitted: z.infer<typeof SubmittedCertificate>, fail: Fail, now: Date, trustStore: TrustStore): CheckedKey {
  const text = submitted.certificate
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw fail('INVALID_CERTIFICATE', 'the text holds a private key; submit the certificate only, and treat this private key as disclosed')
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  const [pem] = blocks
  if (pem === undefined) throw fail('INVALID_CERTIFICATE', 'no PEM certificate (-----BEGIN CERTIFICATE-----) found')
  // The agency's own certificate is what names its key; the CAs a chain passes through come from
  // the configured trust bundle, so accepting them here would only blur which key is registered.
  if (blocks.length > 1) throw fail('INVALID_CERTIFICATE', `${blocks.length} certificates found; submit the agency's own certificate only`)

  let cert: X509Certificate
  try {
    cert = new X509Certificate(pem)
  } catch (err) {
    throw fail('INVALID_CERTIFICATE', `the certificate cannot be read (${(err as Error).message})`)
  }
  const facts = signingKeyFacts(cert.publicKey)
  if (facts === undefined) throw fail('INVALID_CERTIFICATE', `the certificate's key is ${describeKey(cert.publicKey)}; only Ed25519 or P-256 are accepted`)

  const notBefore = new Date(cert.validFrom)
  const notAfter = new Date(cert.validTo)
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw fail('INVALID_CERTIFICATE', `the certificate's validity (${cert.validFrom} – ${cert.validTo}) cannot be read`)
  }
  if (notAfter <= now) throw fail('CERTIFICATE_EXPIRED', `the certificate expired at ${notAfter.toISOString()}`)
  if (notBefore > now) throw fail('CERTIFICATE_NOT_YET_VALID', `the certificate is valid from ${notBefore.toISOString()}`)

  // With anchors configured, the certificate must chain to one now. The key keeps the leaf's own
  // window: verifiers check the chain again at each signing time, against the anchors of the day
  // (an intermediate renewed under the same name extends what an expiring one would have cut).
  if (trustStore.size > 0) {
    try {
      trustStore.check(pem, now)
    } catch (err) {
      if (!isCertificateError(err)) throw err
      throw fail('UNTRUSTED_CERTIFICATE', `the certificate is refused (${err.reason}): ${err.message}`)
    }
  }

  return {
    kid: chooseKid(submitted.kid, undefined, facts.jwk, fail),
    alg: facts.alg,
    publicJwk: facts.jwk,
    certificate: describeCertificate(cert),
    notBefore,
    notAfter
  }
}

/** What the directory says about a stored certificate (read again from its PEM, which is all that is stored). */
export function certificateFacts (pem: string): CertificateFacts {
  return describeCertificate(new X509Certificate(pem))
}

function describeCertificate (cert: X509Certificate): CertificateFacts {
  return { pem: cert.toString(), subject: cert.subject, issuer: cert.issuer, fingerprint256: cert.fingerprint256 }
}

/** The algorithm and public JWK of an Ed25519 or P-256 key; undefined for any other key. */
function signingKeyFacts (key: KeyObject): { alg: KeyAlgorithm, jwk: JsonWebKey } | undefined {
  if (key.type !== 'public') return undefined
  if (key.asymmetricKeyType === 'ed25519') return { alg: 'EdDSA', jwk: key.export({ format: 'jwk' }) }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { alg: 'ES256', jwk: key.export({ format: 'jwk' }) }
  }
  return undefined
}

function describeKey (key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve
  return `${key.asymmetricKeyType ?? key.type}${curve !== undefined ? ` ${curve}` : ''}`
}

/**
 * The body's kid, else the JWK's own kid (the one its owner puts in JWS headers), else the
 * RFC 7638 thumbprint, which anyone holding the key can compute for themselves.
 */
function chooseKid (given: string | undefined, inJwk: unknown, publicJwk: JsonWebKey, fail: Fail): string {
  if (inJwk !== undefined) {
    const parsed = KeyId.safeParse(inJwk)
    if (!parsed.success) throw fail('INVALID_KEY', 'the JWK\'s kid must be 1–64 letters, digits, _ or -')
    if (given !== undefined && given !== parsed.data) throw fail('INVALID_KEY', `kid ${given} differs from the JWK's own kid ${parsed.data}`)
    return parsed.data
  }
  return given ?? jwkThumbprint(publicJwk as Record<string, unknown>)
}
