import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { OPERATOR_SUBJECT, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import { authenticateClient, clientAgency } from '../domain/api-clients.ts'
import { recordTokenRefusal, type TokenRefusal } from '../domain/token-refusals.ts'
import { getAgency } from '../domain/agencies.ts'
import { LoginThrottle } from '../domain/login-throttle.ts'
import type { RegistryContext } from '../context.ts'

const TokenRequest = z.object({ clientId: z.string().min(1).max(200), clientSecret: z.string().min(1).max(500) })
const TokenResponse = z.object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number(), scope: z.string() })

/**
 * Client credentials in, a short-lived EdDSA-signed JWT out; `sub` is the client's agency. A
 * wrong id and a wrong secret get the same answer, and repeated failures are slowed down.
 */
export async function authTokenRoutes (app: ServiceApp, ctx: RegistryContext): Promise<void> {
  // Counted per (client, address) and per address: someone who knows a client id (it is in every
  // token) cannot lock that DMS out from elsewhere, and one address cannot try many clients.
  const throttle = new LoginThrottle({ lockAfter: ctx.config.LOGIN_LOCK_AFTER, maxDelayMs: ctx.config.LOGIN_MAX_DELAY_MS })
  const perAddress = new LoginThrottle({ lockAfter: ctx.config.LOGIN_LOCK_AFTER * 5, maxDelayMs: ctx.config.LOGIN_MAX_DELAY_MS })
  // A refusal that cannot be recorded (database trouble, or the bound reached) is logged and still refused.
  const tell = async (refusal: TokenRefusal): Promise<void> => {
    try {
      if (!await recordTokenRefusal(ctx.db, ctx.events, refusal, ctx.config.TOKEN_REFUSALS_KEPT_MAX)) {
        app.log.warn({ clientId: refusal.clientId, reason: refusal.reason }, 'refused token request not recorded: too many refusals wait for JetStream')
      }
    } catch (err) {
      app.log.warn({ err, clientId: refusal.clientId }, 'refused token request not recorded')
    }
  }

  app.post('/v1/auth/token', {
    schema: { tags: ['auth'], summary: 'Issue an access token', security: [], body: TokenRequest, response: { 200: TokenResponse } }
  }, async (request, reply) => {
    const pair = [`${request.body.clientId}|${request.ip}`]
    const address = [request.ip]
    const locked = Math.max(throttle.lockedFor(pair), perAddress.lockedFor(address))
    if (locked > 0) {
      await tell({ clientId: request.body.clientId, agency: await clientAgency(ctx.db, request.body.clientId).catch(() => null), reason: 'rate_limited' })
      void reply.header('retry-after', String(locked))
      throw ctx.fail('RATE_LIMITED', `too many failed attempts; try again in ${locked} s`)
    }
    const client = await authenticateClient(ctx.db, request.body.clientId, request.body.clientSecret)
    if (!client.ok) {
      request.log.warn({ clientId: request.body.clientId }, 'refused token request')
      await tell({ clientId: request.body.clientId, agency: client.agency, reason: client.reason })
      await sleep(Math.max(throttle.fail(pair), perAddress.fail(address)))
      throw ctx.fail('INVALID_CLIENT', 'the client id or the secret is wrong')
    }
    throttle.succeed(pair[0]!)
    if (client.agency !== null) {
      const agency = await getAgency(ctx.db, client.agency)
      if (agency?.status !== 'active') {
        await tell({ clientId: request.body.clientId, agency: client.agency, reason: 'agency_inactive' })
        throw ctx.fail('AGENCY_INACTIVE', `${client.agency} is ${agency?.status ?? 'not in the directory'}`)
      }
    }
    const scopes = client.scopes.split(' ')
    // An auditor sees one subtree: their agency's, unless the client was issued for a narrower one.
    const under = scopes.includes(SCOPES.auditRead) ? (client.under ?? client.agency ?? undefined) : undefined
    const signing = ctx.keyRing.signing
    const accessToken = await app.jwt.sign(
      {
        sub: client.agency ?? OPERATOR_SUBJECT,
        scope: client.scopes,
        cid: request.body.clientId,
        ...(under !== undefined ? { under } : {}),
        ...(client.officialName !== null ? { name: client.officialName } : {})
      },
      { expiresIn: ctx.config.TOKEN_TTL_SECONDS, key: signing.privateKeyPem, kid: signing.kid }
    )
    return { accessToken, tokenType: 'Bearer' as const, expiresIn: ctx.config.TOKEN_TTL_SECONDS, scope: client.scopes }
  })

  app.get('/.well-known/jwks.json', {
    schema: { tags: ['auth'], summary: 'The public keys that verify access tokens', security: [] }
  }, async (_request, reply) => {
    return await reply.header('cache-control', 'public, max-age=60').send(ctx.keyRing.jwks())
  })

  app.post('/v1/auth/keys/rotate', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: { tags: ['auth'], summary: 'Start signing tokens with a new key; the old one verifies until its tokens expire', response: { 200: z.object({ kid: z.string() }) } }
  }, async () => ({ kid: await ctx.keyRing.rotate() }))
}
