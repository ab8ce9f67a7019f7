import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  X509Certificate as ParsedCertificate
} from '@peculiar/x509'
import { CertificateError, type CertificateFailure } from './certificate-error.ts'

export { CertificateError, isCertificateError, type CertificateFailure } from './certificate-error.ts'

/** A leaf certificate that chains to a trust anchor, and the window in which the whole chain is valid. */
export interface CheckedCertificate {
  subject: string
  issuer: string
  fingerprint256: string
  /** the intersection of the validity windows of the leaf and every certificate up to the anchor */
  notBefore: Date
  notAfter: Date
  /** subjects from the leaf up to and including the trust anchor */
  chain: string[]
}

/** Leaves whose chain is remembered; a province has a few thousand agency and signer certificates. */
export const DEFAULT_CHAIN_CACHE_SIZE = 4_096
/** Certificates between a leaf and its anchor, at most (public PKIs use one or two). */
const MAX_INTERMEDIATES = 6
/** Different paths kept per leaf (a CA renewed under the same name gives two). */
const MAX_PATHS = 4

/** A certificate as the checks need it: node's view for signatures, the extensions read once. */
interface Certificate {
  cert: X509Certificate
  subject: string
  issuer: string
  fingerprint256: string
  notBefore: Date
  notAfter: Date
  /** basicConstraints cA */
  ca: boolean
  pathLength: number | undefined
  /** the keyUsage bits, or undefined without the extension */
  keyUsage: number | undefined
}

/** One way from a leaf to an anchor, reduced to what a check at a given time needs. */
interface PathSummary {
  chain: string[]
  notBefore: Date
  notAfter: Date
  /** the certificate whose window starts last and the one whose window ends first, for messages */
  startsLast: string
  endsFirst: string
}

interface Refusal { reason: CertificateFailure, message: string }

/** What is remembered per leaf PEM: everything except the time of the check. */
type Structure =
  | { ok: true, subject: string, issuer: string, fingerprint256: string, paths: PathSummary[] }
  | { ok: false, refusal: Refusal }

/** A refusal found while looking for a path, ranked by how far up the chain it was found. */
interface PathRefusal extends Refusal { rank: number }

export class TrustStore {
  readonly #anchors: Set<string>
  readonly #bySubject: Map<string, Certificate[]>
  readonly #cache = new Map<string, Structure>()
  readonly #cacheSize: number

  private constructor (certificates: Certificate[], anchors: Set<string>, cacheSize: number) {
    if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new RangeError('cacheSize must be a positive integer')
    this.#anchors = anchors
    this.#bySubject = new Map()
    for (const c of certificates) {
      const same = this.#bySubject.get(c.subject)
      if (same === undefined) this.#bySubject.set(c.subject, [c])
      else same.push(c)
    }
    this.#cacheSize = cacheSize
  }

  /**
   * A PEM bundle: self-signed certificates are anchors (roots); the others are intermediates a
   * chain may pass through. Throws a CertificateError ('malformed') on an unreadable bundle, on a
   * block that is not a certificate (a private key has no place in it), and on a bundle without
   * any root.
   */
  static fromPem (bundle: string, options: { cacheSize?: number } = {}): TrustStore {
    let blocks: ReturnType<typeof PemConverter.decodeWithHeaders>
    try {
      blocks = PemConverter.decodeWithHeaders(bundle)
    } catch (err) {
      throw new CertificateError('malformed', `the trust bundle cannot be read (${(err as Error).message})`, { cause: err })
    }
    // A block the PEM reader skipped (a cut-off certificate, a broken line) must not silently shrink the store.
    const begun = bundle.split('-----BEGIN ').length - 1
    if (blocks.length !== begun) throw new CertificateError('malformed', `the trust bundle has ${begun} PEM blocks of which only ${blocks.length} can be read`)
    if (blocks.length === 0) throw new CertificateError('malformed', 'the trust bundle holds no PEM certificate (-----BEGIN CERTIFICATE-----)')

    const byFingerprint = new Map<string, Certificate>()
    blocks.forEach((block, i) => {
      if (block.type !== 'CERTIFICATE') throw new CertificateError('malformed', `block ${i + 1} of the trust bundle is a ${block.type}; it may hold certificates only`)
      const c = readCertificate(Buffer.from(block.rawData), `certificate ${i + 1} of the trust bundle`)
      byFingerprint.set(c.fingerprint256, c)
    })
    const certificates = [...byFingerprint.values()]
    const anchors = new Set(certificates.filter(isSelfSigned).map((c) => c.fingerprint256))
    if (anchors.size === 0) throw new CertificateError('malformed', 'the trust bundle holds no self-signed (root) certificate to anchor a chain')
    return new TrustStore(certificates, anchors, options.cacheSize ?? DEFAULT_CHAIN_CACHE_SIZE)
  }

  /** A store that trusts nothing: every check fails with 'untrusted'. */
  static empty (): TrustStore {
    return new TrustStore([], new Set(), DEFAULT_CHAIN_CACHE_SIZE)
  }

  /** The number of trust anchors. */
  get size (): number {
    return this.#anchors.size
  }

  /**
   * Chain from leaf to an anchor (each link: issuer name match + signature verifies; every issuer
   * is a CA (basicConstraints cA) with keyCertSign if it has keyUsage, within its path length),
   * leaf keyUsage (if present) includes digitalSignature or nonRepudiation, and `at` is inside
   * every certificate's window (both ends included). A leaf that is itself an anchor stands for
   * itself. Throws CertificateError.
   *
   * The structural result is cached per leaf PEM, so a repeated check of the same certificate
   * costs a Map lookup and two date comparisons.
   */
  check (leafPem: string, at: Date): CheckedCertificate {
    const structure = this.#structure(leafPem)
    if (!structure.ok) throw new CertificateError(structure.refusal.reason, structure.refusal.message)
    const t = at.getTime()
    const inside = structure.paths.find((p) => p.notBefore.getTime() <= t && t <= p.notAfter.getTime())
    if (inside !== undefined) {
      return {
        subject: structure.subject,
        issuer: structure.issuer,
        fingerprint256: structure.fingerprint256,
        notBefore: new Date(inside.notBefore),
        notAfter: new Date(inside.notAfter),
        chain: [...inside.chain]
      }
    }
    // Paths are kept longest-lasting first: the first one says best why none fits.
    const path = structure.paths[0]
    if (path === undefined) throw new CertificateError('untrusted', `${show(structure.subject)} does not chain to a trust anchor`)
    if (t < path.notBefore.getTime()) {
      throw new CertificateError('not_yet_valid', `${at.toISOString()} is before ${show(path.startsLast)} is valid (from ${path.notBefore.toISOString()})`)
    }
    throw new CertificateError('expired', `${show(path.endsFirst)} expired at ${path.notAfter.toISOString()}, before ${at.toISOString()}`)
  }

  #structure (leafPem: string): Structure {
    const cached = this.#cache.get(leafPem)
    if (cached !== undefined) {
      // Re-inserting moves the entry to the young end of the Map's insertion order.
      this.#cache.delete(leafPem)
      this.#cache.set(leafPem, cached)
      return cached
    }
    const structure = this.#examine(leafPem)
    this.#cache.set(leafPem, structure)
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next()
      if (oldest.done !== true) this.#cache.delete(oldest.value)
    }
    return structure
  }

  #examine (leafPem: string): Structure {
    let leaf: Certificate
    try {
      leaf = readCertificate(leafPem, 'the certificate')
    } catch (err) {
      return { ok: false, refusal: refusalOf(err) }
    }
    const found = this.#paths(leaf)
    if (!Array.isArray(found)) return { ok: false, refusal: found }
    // The leaf's use comes after its trust: an untrusted certificate is that first of all.
    if (leaf.keyUsage !== undefined && (leaf.keyUsage & (KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation)) === 0) {
      return { ok: false, refusal: { reason: 'key_usage', message: `the keyUsage of ${show(leaf.subject)} allows neither digitalSignature nor nonRepudiation` } }
    }
    const paths = found.map(summarise).sort((a, b) => b.notAfter.getTime() - a.notAfter.getTime())
    return { ok: true, subject: leaf.subject, issuer: leaf.issuer, fingerprint256: leaf.fingerprint256, paths }
  }

  /** Every path (up to MAX_PATHS) from the leaf to an anchor, each leaf first; or why there is none. */
  #paths (leaf: Certificate): Certificate[][] | Refusal {
    if (this.#anchors.size === 0) return { reason: 'untrusted', message: 'no trust anchors are configured' }
    if (this.#anchors.has(leaf.fingerprint256)) return [[leaf]]
    const paths: Certificate[][] = []
    // When no path is found, the refusal found furthest up the chain is reported: it says more
    // than "no path". At the same height, an issuer that signed but may not have (rank + 1)
    // says more than one that did not sign; among equals the first stays.
    let refusal: PathRefusal = { reason: 'untrusted', message: `${show(leaf.subject)} does not chain to a trust anchor`, rank: -1 }
    const consider = (candidate: Refusal, height: number): void => {
      const rank = 2 * height + (candidate.reason === 'untrusted' ? 0 : 1)
      if (rank > refusal.rank) refusal = { ...candidate, rank }
    }

    const extend = (path: Certificate[]): void => {
      const height = path.length - 1
      const child = path[height] as Certificate
      const candidates = this.#bySubject.get(child.issuer) ?? []
      if (candidates.length === 0) consider({ reason: 'untrusted', message: `the issuer of ${show(child.subject)} (${show(child.issuer)}) is not in the trust store` }, height)
      for (const issuer of candidates) {
        if (paths.length >= MAX_PATHS) return
        if (path.some((c) => c.fingerprint256 === issuer.fingerprint256)) continue
        const problem = issuerProblem(child, issuer, path)
        if (problem !== undefined) {
          consider(problem, height)
          continue
        }
        const longer = [...path, issuer]
        if (this.#anchors.has(issuer.fingerprint256)) paths.push(longer)
        else if (height < MAX_INTERMEDIATES) extend(longer)
        else consider({ reason: 'untrusted', message: `no trust anchor within ${MAX_INTERMEDIATES} CA certificates above ${show(leaf.subject)}` }, height + 1)
      }
    }
    extend([leaf])
    return paths.length > 0 ? paths : { reason: refusal.reason, message: refusal.message }
  }
}

/** Reads TRUST_ANCHORS-style config: a path to a PEM bundle file, or undefined (or empty) → empty store. */
export function loadTrustStore (path: string | undefined): TrustStore {
  if (path === undefined || path.trim() === '') return TrustStore.empty()
  let bundle: string
  try {
    bundle = readFileSync(path, 'utf8')
  } catch (err) {
    throw new CertificateError('malformed', `the trust bundle ${path} cannot be read (${(err as Error).message})`, { cause: err })
  }
  try {
    return TrustStore.fromPem(bundle)
  } catch (err) {
    if (err instanceof CertificateError) throw new CertificateError(err.reason, `${path}: ${err.message}`, { cause: err })
    throw err
  }
}

/** Why `issuer` may not stand above `child` in `path` (leaf first), or undefined when it may. */
function issuerProblem (child: Certificate, issuer: Certificate, path: Certificate[]): Refusal | undefined {
  if (!verifies(child, issuer)) {
    return { reason: 'untrusted', message: `the signature of ${show(child.subject)} does not verify with the key of ${show(issuer.subject)}` }
  }
  if (!issuer.ca) return { reason: 'not_a_ca', message: `${show(issuer.subject)} issued ${show(child.subject)} but is not a CA (basicConstraints cA)` }
  if (issuer.keyUsage !== undefined && (issuer.keyUsage & KeyUsageFlags.keyCertSign) === 0) {
    return { reason: 'not_a_ca', message: `${show(issuer.subject)} issued ${show(child.subject)} but its keyUsage lacks keyCertSign` }
  }
  if (issuer.pathLength !== undefined) {
    // RFC 5280 §4.2.1.9: intermediates below it, the leaf and self-issued certificates not counted.
    const below = path.slice(1).filter((c) => c.subject !== c.issuer).length
    if (below > issuer.pathLength) {
      return { reason: 'not_a_ca', message: `${show(issuer.subject)} allows ${issuer.pathLength} intermediate CA(s) below it, the chain has ${below}` }
    }
  }
  return undefined
}

function verifies (child: Certificate, issuer: Certificate): boolean {
  try {
    return child.cert.verify(issuer.cert.publicKey)
  } catch {
    // a key of a kind that cannot check this signature algorithm
    return false
  }
}

function isSelfSigned (c: Certificate): boolean {
  return c.subject === c.issuer && verifies(c, c)
}

function summarise (path: Certificate[]): PathSummary {
  let startsLast = path[0] as Certificate
  let endsFirst = startsLast
  for (const c of path) {
    if (c.notBefore > startsLast.notBefore) startsLast = c
    if (c.notAfter < endsFirst.notAfter) endsFirst = c
  }
  return {
    chain: path.map((c) => c.subject),
    notBefore: startsLast.notBefore,
    notAfter: endsFirst.notAfter,
    startsLast: startsLast.subject,
    endsFirst: endsFirst.subject
  }
}

/** Parses one certificate (PEM text or DER bytes) with node for signatures, and its extensions with @peculiar/x509. */
function readCertificate (input: string | Buffer, what: string): Certificate {
  try {
    const cert = new X509Certificate(input)
    const parsed = new ParsedCertificate(cert.raw)
    const basic = parsed.getExtension(BasicConstraintsExtension)
    const usage = parsed.getExtension(KeyUsagesExtension)
    return {
      cert,
      subject: cert.subject,
      issuer: cert.issuer,
      fingerprint256: cert.fingerprint256,
      notBefore: parsed.notBefore,
      notAfter: parsed.notAfter,
      ca: basic?.ca === true,
      pathLength: basic?.ca === true ? basic.pathLength : undefined,
      keyUsage: usage?.usages
    }
  } catch (err) {
    throw new CertificateError('malformed', `${what} cannot be read (${(err as Error).message})`, { cause: err })
  }
}

/** A distinguished name on one line, for messages (node writes one attribute per line). */
function show (name: string): string {
  return name.replace(/\n/g, ', ')
}

function refusalOf (err: unknown): Refusal {
  if (err instanceof CertificateError) return { reason: err.reason, message: err.message }
  return { reason: 'malformed', message: (err as Error).message }
}
