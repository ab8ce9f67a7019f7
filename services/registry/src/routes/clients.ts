import { z } from 'zod'
import { AgencyCode, DMS_SCOPES, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import { createApiClient } from '../domain/api-clients.ts'
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
      body: z.object({ scopes: z.array(ScopeName).min(1).optional() }).optional(),
      response: { 201: z.object({ clientId: z.string(), clientSecret: z.string(), agency: z.string(), scopes: z.array(z.string()) }) }
    }
  }, async (request, reply) => {
    if (await getAgency(ctx.db, request.params.code) === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${request.params.code}`)
    const issued = await createApiClient(ctx.db, request.params.code, request.body?.scopes ?? DMS_SCOPES)
    return await reply.code(201).send({ ...issued, agency: request.params.code })
  })
}
