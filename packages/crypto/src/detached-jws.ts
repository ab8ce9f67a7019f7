import { sign, verify, type KeyObject } from 'node:crypto'
import { FlattenedSign, type CryptoKey } from 'jose'
import { canonicalJsonBytes } from './canonical-json.ts'
import { parseDetachedJws, type DetachedJwsParts } from './detached-jws-parts.ts'
import { SignatureError } from './signature-error.ts'
import { VerifiedSignatureCache } from './verified-signatures.ts'
import { algorithmOfKey, isSigningAlgorithm, SIGNING_ALGORITHMS, type SigningAlgorithm } from './signing-algorithms.ts'

export interface SigningKey {
  readonly kid: string
  readonly alg: SigningAlgorithm
  readonly privateKey: KeyObject | CryptoKey
}

/** What the verifier asks the key directory for: the key named by `kid`, for use with `alg`. */
export interface KeyRequest {
  readonly kid: string
  readonly alg: SigningAlgorithm
  readonly header: Readonly<Record<string, unknown>>
}

/**
 * Returns the public key registered under `kid`, or undefined when there is none (or it is
 * revoked or expired: the directory decides). Anything it throws reaches the caller unchanged,
 * so a directory outage is never reported as a bad signature.
 */
export type KeyResolver = (request: KeyRequest) => Promise<KeyObject | undefined> | KeyObject | undefined

export interface VerifyOptions {
  /** Narrows the accepted algorithms; never widens them beyond EdDSA and ES256. */
  readonly algorithms?: readonly SigningAlgorithm[]
  /** Remembers signatures that verified, so the same one over the same bytes is checked once. */
  readonly cache?: VerifiedSignatureCache
}

export interface VerifiedSignature {
  readonly kid: string
  readonly alg: SigningAlgorithm
  readonly header: Readonly<Record<string, unknown>>
}

const RESERVED_HEADER = new Set(['alg', 'kid', 'b64', 'crit'])

/** A compact detached JWS (`header..signature`) over the RFC 8785 canonical bytes of `value`. */
export async function signDetached (
  value: unknown,
  key: SigningKey,
  extraProtected?: Readonly<Record<string, unknown>>
): Promise<string> {
  return await signDetachedBytes(canonicalJsonBytes(value), key, extraProtected)
}

/** As `signDetached`, over bytes the caller already canonicalized. */
export async function signDetachedBytes (
  payload: Uint8Array,
  key: SigningKey,
  extraProtected: Readonly<Record<string, unknown>> = {}
): Promise<string> {
  if (key.kid === '') throw new TypeError('signing key has no kid')
  // The type says so already; this is for callers reading alg from config or a database row.
  if (!isSigningAlgorithm(key.alg)) throw new TypeError(`cannot sign with ${String(key.alg)}`)
  const clash = Object.keys(extraProtected).find((name) => RESERVED_HEADER.has(name))
  if (clash !== undefined) throw new TypeError(`extra protected header may not set ${clash}`)
  const jws = await new FlattenedSign(payload)
    .setProtectedHeader({ ...extraProtected, alg: key.alg, kid: key.kid, b64: false, crit: ['b64'] })
    .sign(key.privateKey)
  // RFC 7515 appendix F: the detached compact form is the compact form with the payload left out.
  return `${jws.protected ?? ''}..${jws.signature}`
}

/**
 * As `signDetachedBytes`, synchronously with node:crypto: for custody signing in batches, where an
 * async WebCrypto round trip per signature would cost more than the signature itself. The output
 * is the same JWS the async form makes for the same key and header.
 */
export function signDetachedBytesSync (
  payload: Uint8Array,
  key: { readonly kid: string, readonly alg: SigningAlgorithm, readonly privateKey: KeyObject },
  extraProtected: Readonly<Record<string, unknown>> = {}
): string {
  if (key.kid === '') throw new TypeError('signing key has no kid')
  if (!isSigningAlgorithm(key.alg)) throw new TypeError(`cannot sign with ${String(key.alg)}`)
  if (algorithmOfKey(key.privateKey) !== key.alg) throw new TypeError(`key ${key.kid} cannot sign ${key.alg}`)
  const clash = Object.keys(extraProtected).find((name) => RESERVED_HEADER.has(name))
  if (clash !== undefined) throw new TypeError(`extra protected header may not set ${clash}`)
  const header = { ...extraProtected, alg: key.alg, kid: key.kid, b64: false, crit: ['b64'] }
  const protectedPart = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url')
  const signingInput = Buffer.concat([Buffer.from(`${protectedPart}.`, 'latin1'), payload])
  const signature = key.alg === 'EdDSA'
    ? sign(null, signingInput, key.privateKey)
    : sign('sha256', signingInput, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
  return `${protectedPart}..${signature.toString('base64url')}`
}

/** Checks a detached JWS made by `signDetached` over `value`; throws `SignatureError` on any failure. */
export async function verifyDetached (
  jws: string,
  value: unknown,
  resolveKey: KeyResolver,
  opts: VerifyOptions = {}
): Promise<VerifiedSignature> {
  return await verifyDetachedBytes(jws, canonicalJsonBytes(value), resolveKey, opts)
}

/** As `verifyDetached`, over canonical bytes the caller already made (one value, several signatures). */
export async function verifyDetachedBytes (
  jws: string,
  payload: Uint8Array,
  resolveKey: KeyResolver,
  opts: VerifyOptions = {}
): Promise<VerifiedSignature> {
  const parts = parseDetachedJws(jws, opts.algorithms ?? SIGNING_ALGORITHMS)
  const key = await keyFor(parts, resolveKey)
  return checkSignature(parts, key, payload, opts.cache)
}

/** What a synchronous verifier asks for: the key, already resolved from a local directory. */
export type SyncKeyResolver = (request: KeyRequest) => KeyObject | undefined

/**
 * As `verifyDetachedBytes`, when the keys are in memory (a directory mirror): no promise per
 * signature, which is most of the difference at thousands of envelopes a second.
 */
export function verifyDetachedBytesSync (
  jws: string,
  payload: Uint8Array,
  resolveKey: SyncKeyResolver,
  opts: VerifyOptions = {}
): VerifiedSignature {
  const parts = parseDetachedJws(jws, opts.algorithms ?? SIGNING_ALGORITHMS)
  return checkSignature(parts, checkedKey(parts, resolveKey({ kid: parts.kid, alg: parts.alg, header: parts.header })), payload, opts.cache)
}

async function keyFor (parts: DetachedJwsParts, resolveKey: KeyResolver): Promise<KeyObject> {
  return checkedKey(parts, await resolveKey({ kid: parts.kid, alg: parts.alg, header: parts.header }))
}

function checkedKey (parts: DetachedJwsParts, key: KeyObject | undefined): KeyObject {
  if (key === undefined) throw new SignatureError('unknown_key', `no key ${parts.kid}`)
  const keyAlg = algorithmOfKey(key)
  // The header names the algorithm, but the key decides it: an ES256 header over an Ed25519 key,
  // or an HMAC "secret" that is really a public key, never gets near a verify call.
  if (keyAlg !== parts.alg) {
    throw new SignatureError('alg_mismatch', `key ${parts.kid} is for ${keyAlg ?? 'no accepted algorithm'}, not ${parts.alg}`)
  }
  return key
}

function checkSignature (parts: DetachedJwsParts, key: KeyObject, payload: Uint8Array, cache?: VerifiedSignatureCache): VerifiedSignature {
  const signingInput = Buffer.concat([Buffer.from(`${parts.protectedPart}.`, 'latin1'), payload])
  const name = cache === undefined ? undefined : VerifiedSignatureCache.entryName(signingInput, parts.signature)
  if (name !== undefined && cache!.has(name, key)) return { kid: parts.kid, alg: parts.alg, header: parts.header }
  let valid: boolean
  try {
    // node:crypto directly rather than jose's WebCrypto path: the same checks, without an async
    // thread-pool round trip per envelope (see bench/verify.bench.ts). ES256 signatures in JWS are
    // r||s, which Node reads as IEEE P1363.
    valid = parts.alg === 'EdDSA'
      ? verify(null, signingInput, key, parts.signature)
      : verify('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, parts.signature)
  } catch (error) {
    throw new SignatureError('bad_signature', 'signature does not verify', { cause: error })
  }
  if (!valid) throw new SignatureError('bad_signature', 'signature does not verify')
  if (name !== undefined) cache!.add(name, key)
  return { kid: parts.kid, alg: parts.alg, header: parts.header }
}
