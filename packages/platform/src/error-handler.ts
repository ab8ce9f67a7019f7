import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import type { ServiceName } from '@lienthong/contracts'
import { AppError, errorFactory } from './problem.ts'

const FASTIFY_CODES: Record<string, 'MALFORMED_JSON' | 'BODY_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'VALIDATION_FAILED'> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_JSON'
}

// Errors from plugins (rate limit, auth) keep their meaning when they carry only a status.
const BY_STATUS: Record<number, 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BODY_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'RATE_LIMITED'> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED'
}

/** Turns every error, ours or Fastify's, into RFC 9457 problem details with a stable code. */
export const problemErrors = fp<{ service: ServiceName }>(async (app: FastifyInstance, opts) => {
  const fail = errorFactory(opts.service)

  function send (reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
    return reply.code(error.status).type('application/problem+json').send(error.toProblem(request.url))
  }

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) return send(reply, request, err)
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = err.validation.map((v) => ({
        in: err.validationContext,
        path: v.instancePath,
        message: v.message
      }))
      return send(reply, request, fail('VALIDATION_FAILED', errors.map((e) => `${e.in}${e.path}: ${e.message}`).join('; '), { errors }))
    }
    const mapped = err.code !== undefined ? FASTIFY_CODES[err.code] : undefined
    if (mapped !== undefined) return send(reply, request, fail(mapped, err.message))
    if (err.statusCode !== undefined && err.statusCode < 500) {
      return send(reply, request, fail(BY_STATUS[err.statusCode] ?? 'VALIDATION_FAILED', err.message))
    }
    request.log.error({ err }, 'unhandled error')
    return send(reply, request, fail('INTERNAL', 'an internal error occurred; it has been logged'))
  })

  app.setNotFoundHandler((request, reply) => {
    return send(reply, request, fail('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`))
  })
}, { name: 'problem-errors' })
