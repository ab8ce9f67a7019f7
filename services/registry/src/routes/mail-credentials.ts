import { z } from 'zod'
import { AgencyCode, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import { getAgency } from '../domain/agencies.ts'
import { issueMailCredentials } from '../domain/mail-credentials.ts'
import type { RegistryContext } from '../context.ts'

// `mail:` and the address is the client id a token request names, and that takes 200 characters.
const MailAddress = z.email().max(195)

export async function mailCredentialRoutes (app: ServiceApp, ctx: RegistryContext): Promise<void> {
  app.post('/v1/agencies/:code/mail-credentials', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['credentials'],
      summary: 'Issue an official\u2019s mail credentials for the mail gateway (the password is shown once); issuing again replaces the password',
      params: z.object({ code: AgencyCode }),
      body: z.object({
        address: MailAddress.meta({ description: 'the official\u2019s mail address, which is also the user name' }),
        name: z.string().trim().min(1).max(200).meta({ description: 'the official\u2019s full name, carried in their tokens as `name`' })
      }).strict(),
      response: {
        201: z.object({ username: z.string(), password: z.string(), clientId: z.string(), agency: z.string(), name: z.string() })
      }
    }
  }, async (request, reply) => {
    const { code } = request.params
    const agency = await getAgency(ctx.db, code)
    if (agency === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${code}`)
    if (agency.status !== 'active') throw ctx.fail('AGENCY_INACTIVE', `${code} is ${agency.status}`)
    return await reply.code(201).send(await issueMailCredentials(ctx, code, request.body))
  })
}
