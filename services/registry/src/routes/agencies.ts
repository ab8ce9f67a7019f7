import { z } from 'zod'
import { AgencyCode, AgencyInput, DirectoryEntry, GovernmentLevel, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import { getAgency, listAgencies, upsertAgencies } from '../domain/agencies.ts'
import { publishDirectory } from '../domain/directory-publisher.ts'
import type { RegistryContext } from '../context.ts'

export async function agencyRoutes (app: ServiceApp, ctx: RegistryContext): Promise<void> {
  app.get('/v1/agencies/:code', {
    schema: { tags: ['agencies'], summary: 'One agency by code', security: [], params: z.object({ code: AgencyCode }), response: { 200: DirectoryEntry } }
  }, async (request) => {
    const agency = await getAgency(ctx.db, request.params.code)
    if (agency === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${request.params.code}`)
    return agency
  })

  app.get('/v1/agencies', {
    schema: {
      tags: ['agencies'],
      summary: 'List agencies',
      security: [],
      querystring: z.object({
        level: GovernmentLevel.optional(),
        q: z.string().max(200).optional(),
        cursor: AgencyCode.optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100)
      }),
      response: { 200: z.object({ items: z.array(DirectoryEntry), next: z.string().nullable() }) }
    }
  }, async (request) => await listAgencies(ctx.db, request.query))

  app.post('/v1/agencies/import', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    bodyLimit: 64 * 1024 * 1024,
    schema: {
      tags: ['agencies'],
      summary: 'Create or update many agencies at once, all or nothing',
      body: z.object({ agencies: z.array(AgencyInput).min(1) }),
      response: { 200: z.object({ received: z.number(), changed: z.number() }) }
    }
  }, async (request) => {
    const changed = await upsertAgencies(ctx.db, request.body.agencies)
    await publishDirectory(ctx.directoryBucket, changed)
    return { received: request.body.agencies.length, changed: changed.length }
  })
}
