import {
  COMMON_ERRORS, SERVICE_ERRORS, errorCode,
  type CommonErrorKind, type ErrorKind, type Problem, type ServiceErrorKind, type ServiceName
} from '@lienthong/contracts'

/** An error that becomes an `application/problem+json` answer with a stable code. */
export class AppError extends Error {
  readonly code: string
  readonly status: number
  readonly title: string
  readonly extensions: Record<string, unknown>

  constructor (code: string, kind: ErrorKind, detail?: string, extensions: Record<string, unknown> = {}) {
    super(detail ?? kind.title)
    this.name = 'AppError'
    this.code = code
    this.status = kind.status
    this.title = kind.title
    this.extensions = extensions
  }

  toProblem (instance?: string): Problem {
    return {
      type: `urn:lienthong:problem:${this.code}`,
      title: this.title,
      status: this.status,
      code: this.code,
      detail: this.message,
      ...(instance !== undefined ? { instance } : {}),
      ...this.extensions
    }
  }
}

export type ErrorFactory<S extends ServiceName> =
  (kind: CommonErrorKind | ServiceErrorKind<S>, detail?: string, extensions?: Record<string, unknown>) => AppError

/** The one place a service's errors are made: `fail('UNKNOWN_RECIPIENT', '…')` → `RTE_UNKNOWN_RECIPIENT`. */
export function errorFactory<S extends ServiceName> (service: S): ErrorFactory<S> {
  const own = SERVICE_ERRORS[service] as Record<string, ErrorKind>
  return (kind, detail, extensions) => {
    const name = kind as string
    const def = own[name] ?? (COMMON_ERRORS as Record<string, ErrorKind>)[name]
    if (def === undefined) throw new Error(`unknown error kind ${name} for ${service}`)
    return new AppError(errorCode(service, name), def, detail, extensions)
  }
}
