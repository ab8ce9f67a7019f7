import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import { AgencyCode, AgencyEndpoints, AgencyInput, AgencyKind, AgencyName, AgencyStatus, DirectoryEntry, GovernmentLevel, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { RegistryContext } from '../context.ts'
import { ancestorsOf, childrenOf, getAgency, listAgencies } from '../domain/agencies.ts'
import { csvRows } from '../domain/agency-csv.ts'
import { changeAgency, changeStatus, createAgency, importDirectory } from '../domain/directory-writes.ts'

const CodeParams = z.object({ code: AgencyCode })
const Entries = z.object({ items: z.array(DirectoryEntry) })
const IMPORT_LIMIT = 64 * 1024 * 1024

/**
 * What anyone may read of an agency: all but its webhook URL, which often carries a secret of the
 * DMS behind it. Operators see it in the answers to their own writes.
 */
function publicView (entry: DirectoryEntry): DirectoryEntry {
  return entry.endpoints.webhookUrl === null ? entry : { ...entry, endpoints: { ...entry.endpoints, webhookUrl: null } }
}

/** Sends an answer serialised already (from the answer cache) as it is. */
async function json (reply: FastifyReply, body: string): Promise<FastifyReply> {
  return await reply.type('application/json; charset=utf-8').serializer((payload: unknown) => payload as string).send(body)
}

export async function agencyRoutes (app: ServiceApp, ctx: RegistryContext): Promise<void> {
  app.get('/v1/agencies/:code', {
    schema: { tags: ['agencies'], summary: 'One agency by code', security: [], params: CodeParams, response: { 200: DirectoryEntry } }
  }, async (request, reply) => {
    return await json(reply, await ctx.answers.get(request.url, async () => {
      const agency = await getAgency(ctx.db, request.params.code)
      if (agency === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${request.params.code}`)
      return publicView(agency)
    }))
  })

  const relatives = [
    ['children', 'The agencies directly under one', childrenOf],
    ['ancestors', 'The agencies above one, nearest first', ancestorsOf]
  ] as const
  for (const [relation, summary, find] of relatives) {
    app.get(`/v1/agencies/:code/${relation}`, {
      schema: { tags: ['agencies'], summary, security: [], params: CodeParams, response: { 200: Entries } }
    }, async (request, reply) => {
      return await json(reply, await ctx.answers.get(request.url, async () => {
        if (await getAgency(ctx.db, request.params.code) === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${request.params.code}`)
        return { items: (await find(ctx.db, request.params.code)).map(publicView) }
      }))
    })
  }

  app.get('/v1/agencies', {
    schema: {
      tags: ['agencies'],
      summary: 'List agencies: by level, status, subtree (`under`) and name (`q`, diacritics optional)',
      security: [],
      querystring: z.object({
        level: GovernmentLevel.optional(),
        status: AgencyStatus.optional(),
        under: AgencyCode.optional(),
        q: z.string().max(200).optional(),
        cursor: AgencyCode.optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100)
      }),
      response: { 200: z.object({ items: z.array(DirectoryEntry), next: z.string().nullable() }) }
    }
  }, async (request, reply) => {
    return await json(reply, await ctx.answers.get(request.url, async () => {
      const page = await listAgencies(ctx.db, request.query)
      return { items: page.items.map(publicView), next: page.next }
    }))
  })

  app.post('/v1/agencies', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['agencies'],
      summary: 'Create an agency',
      body: AgencyInput.extend({ endpoints: AgencyEndpoints.partial().optional() }).strict(),
      response: { 201: DirectoryEntry }
    }
  }, async (request, reply) => {
    const { endpoints, ...input } = request.body
    return await reply.code(201).send(await createAgency(ctx, input, endpoints ?? {}))
  })

  app.patch('/v1/agencies/:code', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['agencies'],
      summary: "Change an agency's name, level, kind or endpoints",
      params: CodeParams,
      body: z.object({
        name: AgencyName.optional(),
        level: GovernmentLevel.optional(),
        kind: AgencyKind.optional(),
        endpoints: AgencyEndpoints.partial().optional()
      }).strict(),
      response: { 200: DirectoryEntry }
    }
  }, async (request) => {
    const { endpoints, ...rest } = request.body
    return await changeAgency(ctx, request.params.code, { ...rest, ...endpoints })
  })

  for (const action of ['suspend', 'reactivate', 'retire'] as const) {
    app.post(`/v1/agencies/:code/${action}`, {
      onRequest: app.requireScopes(SCOPES.registryAdmin),
      schema: { tags: ['agencies'], summary: `${action[0]!.toUpperCase()}${action.slice(1)} an agency`, params: CodeParams, response: { 200: DirectoryEntry } }
    }, async (request) => await changeStatus(ctx, request.params.code, action))
  }

  // The CSV parser and its large body limit live in a scope of their own: other routes keep the
  // service's small limit, so nobody can make registry buffer 64 MB without a token.
  await app.register(async (scope) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_LIMIT }, (_request, body, done) => { done(null, body) })
    scope.post('/v1/agencies/import', {
      onRequest: app.requireScopes(SCOPES.registryAdmin),
      bodyLimit: IMPORT_LIMIT,
      schema: {
        tags: ['agencies'],
        summary: 'Create or update many agencies, all or nothing: JSON `{"agencies": […]}` or CSV `code,name,level,kind`',
        response: { 200: z.object({ received: z.number(), changed: z.number() }) }
      }
    }, async (request) => {
      if (typeof request.body === 'string') {
        const { rows, problems } = csvRows(request.body)
        return await importDirectory(ctx, rows, problems)
      }
      const body = request.body as { agencies?: unknown } | unknown[] | null
      const list = Array.isArray(body) ? body : body?.agencies
      if (!Array.isArray(list) || list.length === 0) throw ctx.fail('VALIDATION_FAILED', 'send {"agencies": [ … ]} with at least one agency, or a CSV file')
      return await importDirectory(ctx, list.map((value, i) => ({ line: i + 1, value })))
    })
  })
}
