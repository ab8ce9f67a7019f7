/**
 * Why a signature was refused. Stable strings: services map them to problem+json codes and the
 * audit ledger stores them, so they are never renamed.
 */
export type SignatureFailure =
  | 'malformed'
  | 'unsupported_alg'
  | 'unknown_key'
  | 'alg_mismatch'
  | 'bad_signature'
  | 'too_large'
  /** the key is registered but revoked */
  | 'revoked_key'
  /** the signing time falls outside the key's (or its certificate chain's) validity */
  | 'expired_key'
  /** the key is registered, but for another agency than the one that must sign */
  | 'foreign_key'
  /** the key belongs to the agency but not in the role asked (a seal for a person, or the reverse) */
  | 'wrong_role'
  /** the key's certificate does not chain to a trust anchor, or its key usage does not allow signing */
  | 'untrusted_certificate'
  /** the signing time is too far in the past or the future to be accepted now */
  | 'stale'
  /** an attachment's bytes do not match the digest the envelope names */
  | 'attachment_mismatch'
  /** no signature where one is required */
  | 'missing'

export class SignatureError extends Error {
  override readonly name = 'SignatureError'
  readonly reason: SignatureFailure

  constructor (reason: SignatureFailure, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.reason = reason
  }
}

export function isSignatureError (error: unknown): error is SignatureError {
  return error instanceof SignatureError
}
