import { z } from 'zod'
import { AgencyCode, DMS_SCOPES, SCOPES, subtreeTokenPrefix, codeToSubjectTokens } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import { createApiClient, revokeApiClient } from '../domain/api-clients.ts'
import { getAgency } from '../domain/agencies.ts'
import type { RegistryContext } from '../context.ts'

const ScopeName = z.enum(Object.values(SCOPES) as [string, ...string[]])

export async function clientRoutes (app: ServiceApp, ctx: RegistryContext): Promise<void> {
  app.post('/v1/agencies/:code/clients', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['credentials'],
      summary: 'Issue API credentials for an agency (the secret is shown once)',
      params: z.object({ code: AgencyCode }),
      body: z.object({
        scopes: z.array(ScopeName).min(1).optional(),
        /** for audit:read: a subtree inside the agency's own to limit the auditor to */
        under: AgencyCode.optional()
      }).strict().optional(),
      response: { 201: z.object({ clientId: z.string(), clientSecret: z.string(), agency: z.string(), scopes: z.array(z.string()), under: z.string().nullable() }) }
    }
  }, async (request, reply) => {
    const { code } = request.params
    const agency = await getAgency(ctx.db, code)
    if (agency === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${code}`)
    if (agency.status !== 'active') throw ctx.fail('AGENCY_INACTIVE', `${code} is ${agency.status}`)
    const under = request.body?.under
    if (under !== undefined && under !== code && !codeToSubjectTokens(under).startsWith(subtreeTokenPrefix(code))) {
      throw ctx.fail('VALIDATION_FAILED', `an auditor of ${code} can be limited to its own subtree only, and ${under} is outside it`)
    }
    const issued = await createApiClient(ctx.db, ctx.events, code, request.body?.scopes ?? DMS_SCOPES, under ?? null)
    return await reply.code(201).send({ ...issued, agency: code })
  })

  app.post('/v1/clients/:clientId/revoke', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['credentials'],
      summary: 'Revoke API credentials: no more tokens for them (issued ones expire within their lifetime)',
      params: z.object({ clientId: z.string().min(1).max(200) }),
      response: { 200: z.object({ clientId: z.string(), agency: z.string().nullable(), revokedAt: z.string() }) }
    }
  }, async (request) => {
    const revoked = await revokeApiClient(ctx.db, ctx.events, request.params.clientId)
    if (revoked === undefined) throw ctx.fail('CLIENT_NOT_FOUND', `no client ${request.params.clientId}`)
    return { ...revoked, revokedAt: revoked.revokedAt.toISOString() }
  })
}
