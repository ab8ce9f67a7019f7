/**
 * Why a certificate was refused. Stable strings: services map them to problem+json codes (the
 * registry's REG_UNTRUSTED_CERTIFICATE, the signatures service's `untrusted_certificate`), so
 * they are never renamed.
 */
export type CertificateFailure =
  /** the certificate (or a bundle) cannot be read */
  | 'malformed'
  /** no chain to a trust anchor: unknown issuer, or a signature in the chain does not verify */
  | 'untrusted'
  /** the time asked about is after the end of the leaf's or a CA's validity */
  | 'expired'
  /** the time asked about is before the start of the leaf's or a CA's validity */
  | 'not_yet_valid'
  /** the leaf's keyUsage allows neither digitalSignature nor nonRepudiation */
  | 'key_usage'
  /** a certificate that issued another is not a CA (basicConstraints cA, keyCertSign, path length) */
  | 'not_a_ca'

export class CertificateError extends Error {
  override readonly name = 'CertificateError'
  readonly reason: CertificateFailure

  constructor (reason: CertificateFailure, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.reason = reason
  }
}

export function isCertificateError (error: unknown): error is CertificateError {
  return error instanceof CertificateError
}
