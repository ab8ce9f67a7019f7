import { SignatureError } from './signature-error.ts'
import { isSigningAlgorithm, type SigningAlgorithm } from './signing-algorithms.ts'

/**
 * Refused before any parsing. A detached JWS is a header and a signature, a few hundred
 * characters; anything near this bound is an attack or a mistake, not a signature.
 */
export const MAX_JWS_LENGTH = 16 * 1024

export interface DetachedJwsParts {
  /** The protected header exactly as received: the signing input is built from this text. */
  readonly protectedPart: string
  readonly header: Readonly<Record<string, unknown>>
  readonly alg: SigningAlgorithm
  readonly kid: string
  readonly signaturePart: string
  readonly signature: Buffer
}

const BASE64URL_TEXT = /^[A-Za-z0-9_-]+$/
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

function malformed (message: string, cause?: unknown): SignatureError {
  return new SignatureError('malformed', message, cause === undefined ? undefined : { cause })
}

function decodePart (part: string, what: string): Buffer {
  if (!BASE64URL_TEXT.test(part)) throw malformed(`${what} is not base64url`)
  const bytes = Buffer.from(part, 'base64url')
  // Node's decoder ignores stray trailing bits; requiring the one canonical spelling keeps a
  // signature from having several valid JWS strings.
  if (bytes.toString('base64url') !== part) throw malformed(`${what} is not canonical base64url`)
  return bytes
}

function parseHeader (protectedPart: string): Record<string, unknown> {
  let header: unknown
  try {
    header = JSON.parse(strictUtf8.decode(decodePart(protectedPart, 'protected header')))
  } catch (error) {
    if (error instanceof SignatureError) throw error
    throw malformed('protected header is not JSON', error)
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw malformed('protected header is not a JSON object')
  }
  return header as Record<string, unknown>
}

function isExactlyB64Crit (crit: unknown): boolean {
  return Array.isArray(crit) && crit.length === 1 && crit[0] === 'b64'
}

/**
 * Reads a compact detached JWS with an unencoded payload (RFC 7515 + RFC 7797) and checks
 * everything that can be checked without the key. `accepted` is the caller's algorithm list.
 */
export function parseDetachedJws (jws: unknown, accepted: readonly SigningAlgorithm[]): DetachedJwsParts {
  if (typeof jws !== 'string') throw malformed('JWS is not a string')
  if (jws.length > MAX_JWS_LENGTH) throw new SignatureError('too_large', `JWS longer than ${MAX_JWS_LENGTH} characters`)
  const parts = jws.split('.')
  if (parts.length !== 3) throw malformed('JWS is not in compact form header..signature')
  const [protectedPart = '', payloadPart = '', signaturePart = ''] = parts
  if (payloadPart !== '') throw malformed('JWS carries a payload; only detached signatures are accepted')

  const header = parseHeader(protectedPart)
  const { alg, kid } = header
  if (typeof alg !== 'string') throw malformed('alg missing')
  if (!isSigningAlgorithm(alg) || !accepted.includes(alg)) {
    throw new SignatureError('unsupported_alg', `alg ${JSON.stringify(alg).slice(0, 40)} is not accepted`)
  }
  // b64:false is what makes the payload the canonical bytes themselves; a signer that
  // base64url-encoded them signed something else.
  if (header.b64 !== false || !isExactlyB64Crit(header.crit)) {
    throw malformed('header must have b64: false and crit: ["b64"]')
  }
  if (typeof kid !== 'string' || kid === '') throw malformed('kid missing')

  return { protectedPart, header, alg, kid, signaturePart, signature: decodePart(signaturePart, 'signature') }
}
