import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import { OPERATOR_SUBJECT, TOKEN_AUDIENCE, TOKEN_ISSUER, type AccessTokenClaims, type Scope, type ServiceName } from '@lienthong/contracts'
import type { AuthKeys } from './auth-keys.ts'
import type { Directory } from './directory.ts'
import { errorFactory } from './problem.ts'
import { VerifiedTokens } from './verified-tokens.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** A preHandler that admits only a valid token carrying every scope given. */
    requireScopes: (...scopes: Scope[]) => preHandlerAsyncHookHandler
  }
  interface FastifyRequest {
    /** The agency code the caller acts as (the token's subject), set by `requireScopes`. */
    agency: string
    /** All claims of the caller's verified token, set by `requireScopes`. */
    tokenClaims: AccessTokenClaims | undefined
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessTokenClaims
    user: AccessTokenClaims
  }
}

export interface AuthOptions {
  service: ServiceName
  keys: AuthKeys
  /** when given, a token of an agency that is not active is refused at once */
  directory?: Directory
  /** Only registry signs; it passes its current private key. */
  signing?: { kid: string, privateKeyPem: string }
}

/** Verifies access tokens against the keys registry publishes, with no call to registry. */
export const auth = fp<AuthOptions>(async (app: FastifyInstance, opts) => {
  const fail = errorFactory(opts.service)

  await app.register(jwt, {
    secret: {
      ...(opts.signing !== undefined ? { private: opts.signing.privateKeyPem } : {}),
      public: async (_request: FastifyRequest, token: unknown) => {
        const kid = (token as { header?: { kid?: string } }).header?.kid
        const key = kid !== undefined ? opts.keys.get(kid) : undefined
        if (key === undefined) throw fail('UNAUTHORIZED', 'the token was signed with an unknown key')
        return key.publicKeyPem
      }
    },
    decode: { complete: true },
    ...(opts.signing !== undefined ? { sign: { algorithm: 'EdDSA', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, kid: opts.signing.kid } } : {}),
    verify: { algorithms: ['EdDSA', 'ES256'], allowedIss: TOKEN_ISSUER, allowedAud: TOKEN_AUDIENCE }
  })

  const verified = new VerifiedTokens()
  app.decorateRequest('agency', '')
  app.decorateRequest('tokenClaims', undefined)

  app.decorate('requireScopes', (...scopes: Scope[]) => {
    return async function requireScopes (request: FastifyRequest, _reply: FastifyReply) {
      if (request.headers.authorization === undefined) {
        throw fail('UNAUTHORIZED', 'send Authorization: Bearer <token> (POST /v1/auth/token on registry issues one)')
      }
      const token = /^Bearer +(\S+)$/i.exec(request.headers.authorization)?.[1]
      let claims = token === undefined ? undefined : verified.get(token, (kid) => opts.keys.get(kid) !== undefined)
      if (claims === undefined) {
        try {
          claims = await request.jwtVerify<AccessTokenClaims>()
        } catch (err) {
          throw fail('UNAUTHORIZED', describeTokenError(err))
        }
        if (token !== undefined) verified.add(token, claims)
      }
      const granted = new Set((claims.scope ?? '').split(' '))
      const missing = scopes.filter((s) => !granted.has(s))
      if (missing.length > 0) throw fail('FORBIDDEN', `the token lacks scope ${missing.join(', ')}`)
      // A suspended or retired agency's tokens stop working as soon as the directory says so.
      if (opts.directory !== undefined && claims.sub !== OPERATOR_SUBJECT) {
        const status = opts.directory.get(claims.sub)?.status
        if (status !== 'active') throw fail('UNAUTHORIZED', `the agency ${claims.sub} is ${status ?? 'not in the directory'}`)
      }
      request.agency = claims.sub
      request.tokenClaims = claims
    }
  })
}, { name: 'auth' })

function describeTokenError (err: unknown): string {
  const code = (err as { code?: string }).code ?? ''
  if (code.includes('EXPIRED')) return 'the token has expired'
  if (code.includes('MALFORMED') || code.includes('BADREQUEST')) return 'the token is malformed'
  if (err instanceof Error && err.name === 'AppError') return err.message
  return 'the token is not valid'
}
