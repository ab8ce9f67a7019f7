import type { KeyObject } from 'node:crypto'
import {
  PublicKeyCache, SignatureError, VerifiedSignatureCache, canonicalJsonBytes, isCertificateError, sha256Hex, verifyDetachedBytesSync,
  type KeyRequest, type SignatureFailure, type TrustStore
} from '@lienthong/crypto'
import type { AgencyKeyEntry, Envelope, KeyRole, Receipt, SignaturePair } from '@lienthong/contracts'
import type { AgencyKeysMirror } from './agency-keys-mirror.ts'

/** One signature as checked: who made it, with which key, and whether it holds. */
export interface SignatureFinding {
  role: KeyRole
  agency: string
  kid: string | null
  alg: string | null
  /** the person holding a signer key, as registered */
  holder: string | null
  /** the subject of the key's certificate, when it was registered by one */
  certificate: string | null
  valid: boolean
  reason?: SignatureFailure
  detail?: string
}

export interface EnvelopeCheck {
  valid: boolean
  /** SHA-256 of the canonical envelope: what receipts name */
  digest: string
  findings: SignatureFinding[]
}

export interface SignatureCheckerOptions {
  trust: TrustStore
  /** refuse keys registered without a certificate */
  requireCertificates?: boolean
  /** remember signatures that verified (the default), or `false` to verify every time */
  verifiedCache?: VerifiedSignatureCache | false
}

/** How far a signing time may stray from now when a document is accepted. */
export interface Freshness {
  now: Date
  maxAgeMs: number
  skewMs: number
}

/**
 * Checks envelope and receipt signatures against the agency keys mirrored from the registry and
 * the configured trust anchors. Everything it needs is in memory, so a check never waits: the
 * cost is the canonical form and the Ed25519 or P-256 verify itself.
 *
 * A key speaks for a signature made at `signedAt` when it belongs to the agency that must sign,
 * in the role asked, is not revoked (a revocation has no date of compromise, so it withdraws the
 * key for every signature), and `signedAt` lies inside the key's window and its certificate
 * chain's. An expired key thus still stands behind what it signed while it was valid.
 */
export class SignatureChecker {
  readonly #keys: AgencyKeysMirror
  readonly #trust: TrustStore
  readonly #requireCertificates: boolean
  readonly #keyObjects = new PublicKeyCache()
  readonly #verified: VerifiedSignatureCache | undefined

  constructor (keys: AgencyKeysMirror, opts: SignatureCheckerOptions) {
    this.#keys = keys
    this.#trust = opts.trust
    this.#requireCertificates = opts.requireCertificates ?? false
    this.#verified = opts.verifiedCache === false ? undefined : opts.verifiedCache ?? new VerifiedSignatureCache()
  }

  /** Both signatures of an envelope; with `freshness`, also refuses a signing time too old or in the future. */
  checkEnvelope (envelope: Envelope, signatures: Partial<SignaturePair>, freshness?: Freshness): EnvelopeCheck {
    const payload = canonicalJsonBytes(envelope)
    const signedAt = new Date(envelope.signedAt)
    const stale = freshness === undefined ? undefined : staleness(signedAt, freshness)
    const findings = (['signer', 'agency'] as const).map((role) => {
      const jws = signatures[role]
      if (jws === undefined) return refused(role, envelope.sender, 'missing', `no ${role} signature`)
      const finding = this.checkOne(jws, payload, { agency: envelope.sender, role, signedAt })
      return finding.valid && stale !== undefined ? { ...finding, valid: false, reason: 'stale' as const, detail: stale } : finding
    })
    return { valid: findings.every((f) => f.valid), digest: sha256Hex(payload), findings }
  }

  /** The recipient agency's signature of a receipt, made at the receipt's time. */
  checkReceipt (receipt: Receipt, signature: string): SignatureFinding {
    return this.checkOne(signature, canonicalJsonBytes(receipt), { agency: receipt.recipient, role: 'agency', signedAt: new Date(receipt.at) })
  }

  /** One detached JWS over canonical bytes, which `agency` must have made with a key of `role` at `signedAt`. */
  checkOne (jws: string, payload: Uint8Array, expect: { agency: string, role: KeyRole, signedAt: Date }): SignatureFinding {
    let entry: AgencyKeyEntry | undefined
    try {
      const verified = verifyDetachedBytesSync(jws, payload, (request) => {
        entry = this.#keys.key(expect.agency, request.kid)
        return this.#usableKey(entry, request, expect)
      }, this.#verified === undefined ? {} : { cache: this.#verified })
      return { ...describe(expect, entry), kid: verified.kid, alg: verified.alg, valid: true }
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error
      return { ...describe(expect, entry), valid: false, reason: error.reason, detail: error.message }
    }
  }

  #usableKey (entry: AgencyKeyEntry | undefined, request: KeyRequest, expect: { agency: string, role: KeyRole, signedAt: Date }): KeyObject {
    if (entry === undefined) {
      const owner = this.#ownerOf(request.kid)
      if (owner !== undefined) throw new SignatureError('foreign_key', `key ${request.kid} belongs to ${owner}, not ${expect.agency}`)
      throw new SignatureError('unknown_key', `${expect.agency} has no key ${request.kid}`)
    }
    if (entry.role !== expect.role) throw new SignatureError('wrong_role', `key ${entry.kid} is a ${entry.role} key; a ${expect.role} signature is needed`)
    if (entry.revokedAt !== null) throw new SignatureError('revoked_key', `key ${entry.kid} was revoked at ${entry.revokedAt}`)
    const t = expect.signedAt.getTime()
    if (t < Date.parse(entry.notBefore) || (entry.notAfter !== null && t >= Date.parse(entry.notAfter))) {
      throw new SignatureError('expired_key', `key ${entry.kid} is valid ${entry.notBefore} – ${entry.notAfter ?? 'open'}, not at ${expect.signedAt.toISOString()}`)
    }
    this.#checkCertificate(entry, expect.signedAt)
    return this.#keyObjects.fromJwk(entry.jwk)
  }

  #checkCertificate (entry: AgencyKeyEntry, at: Date): void {
    if (entry.certificate === null) {
      if (this.#requireCertificates) throw new SignatureError('untrusted_certificate', `key ${entry.kid} has no certificate, and certificates are required`)
      return
    }
    if (this.#trust.size === 0) return
    try {
      this.#trust.check(entry.certificate.pem, at)
    } catch (error) {
      if (!isCertificateError(error)) throw error
      const reason = error.reason === 'expired' || error.reason === 'not_yet_valid' ? 'expired_key' : 'untrusted_certificate'
      throw new SignatureError(reason, `certificate of key ${entry.kid}: ${error.message}`)
    }
  }

  /** Which agency registered a kid, for saying "another agency's key" rather than "unknown". */
  #ownerOf (kid: string): string | undefined {
    // Only on the refusal path, so a scan of the mirror is cheap enough and needs no index to keep.
    for (const entry of this.#keys.values()) if (entry.kid === kid) return entry.agency
    return undefined
  }
}

function describe (expect: { agency: string, role: KeyRole }, entry: AgencyKeyEntry | undefined): Omit<SignatureFinding, 'valid'> {
  return {
    role: expect.role,
    agency: expect.agency,
    kid: entry?.kid ?? null,
    alg: entry?.alg ?? null,
    holder: entry?.holder ?? null,
    certificate: entry?.certificate?.subject ?? null
  }
}

function refused (role: KeyRole, agency: string, reason: SignatureFailure, detail: string): SignatureFinding {
  return { role, agency, kid: null, alg: null, holder: null, certificate: null, valid: false, reason, detail }
}

function staleness (signedAt: Date, f: Freshness): string | undefined {
  const age = f.now.getTime() - signedAt.getTime()
  if (age > f.maxAgeMs) return `signed at ${signedAt.toISOString()}, more than ${Math.round(f.maxAgeMs / 60_000)} minutes ago`
  if (-age > f.skewMs) return `signed at ${signedAt.toISOString()}, in the future`
  return undefined
}

/** Whether each named attachment's bytes, as received, are the ones the envelope was signed with. */
export function attachmentMismatches (envelope: Envelope, received: ReadonlyArray<{ name: string, sha256: string, size: number }>): string[] {
  const got = new Map(received.map((a) => [a.name, a]))
  const wrong: string[] = []
  for (const named of envelope.attachments) {
    const actual = got.get(named.name)
    if (actual === undefined || actual.sha256 !== named.sha256 || actual.size !== named.size) wrong.push(named.name)
  }
  for (const a of received) if (!envelope.attachments.some((n) => n.name === a.name)) wrong.push(a.name)
  return wrong
}

