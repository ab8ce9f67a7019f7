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
