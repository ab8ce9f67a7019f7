import { z } from 'zod'
import type { ServiceApp } from '@lienthong/platform'
import { authenticateClient } from '../domain/api-clients.ts'
import type { RegistryContext } from '../context.ts'

const TokenRequest = z.object({ clientId: z.string().min(1).max(200), clientSecret: z.string().min(1).max(500) })
const TokenResponse = z.object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number(), scope: z.string() })

/** Client credentials in, a short-lived EdDSA-signed JWT out; `sub` is the client's agency. */
export async function authTokenRoutes (app: ServiceApp, ctx: RegistryContext): Promise<void> {
  app.post('/v1/auth/token', {
    schema: { tags: ['auth'], summary: 'Issue an access token', security: [], body: TokenRequest, response: { 200: TokenResponse } }
  }, async (request) => {
    const client = await authenticateClient(ctx.db, request.body.clientId, request.body.clientSecret)
    if (client === undefined) {
      request.log.warn({ clientId: request.body.clientId }, 'refused token request')
      throw ctx.fail('INVALID_CLIENT')
    }
    const accessToken = await app.jwt.sign(
      { sub: client.agency ?? 'operator', scope: client.scopes, cid: request.body.clientId },
      { expiresIn: ctx.config.TOKEN_TTL_SECONDS }
    )
    return { accessToken, tokenType: 'Bearer' as const, expiresIn: ctx.config.TOKEN_TTL_SECONDS, scope: client.scopes }
  })
}
