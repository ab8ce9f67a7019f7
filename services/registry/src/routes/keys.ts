import { z } from 'zod'
import { AgencyCode, AgencyKeyEntry, KeyId, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import { getAgency, unknownAgencies } from '../domain/agencies.ts'
import { addAgencyKey, addAgencyKeys, getAgencyKey, listAgencyKeys, revokeAgencyKey } from '../domain/agency-keys.ts'
import { SubmittedKey, validateSubmittedKey } from '../domain/public-key.ts'
import type { RegistryContext } from '../context.ts'

/** Agencies' public keys and X.509 certificates: public to read, registry:admin to change. */
export async function keyRoutes (app: ServiceApp, ctx: RegistryContext): Promise<void> {
  const AgencyParams = z.object({ code: AgencyCode })
  const KeyParams = z.object({ code: AgencyCode, kid: KeyId })

  async function requireAgency (code: string): Promise<void> {
    if (await getAgency(ctx.db, code) === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${code}`)
  }

  app.get('/v1/agencies/:code/keys', {
    schema: {
      tags: ['keys'],
      summary: 'The agency\u2019s public keys and certificates, revoked ones included',
      security: [],
      params: AgencyParams,
      response: { 200: z.object({ items: z.array(AgencyKeyEntry) }) }
    }
  }, async (request) => {
    await requireAgency(request.params.code)
    return { items: await listAgencyKeys(ctx.db, request.params.code) }
  })

  app.get('/v1/agencies/:code/keys/:kid', {
    schema: { tags: ['keys'], summary: 'One key of the agency', security: [], params: KeyParams, response: { 200: AgencyKeyEntry } }
  }, async (request) => {
    const { code, kid } = request.params
    const entry = await getAgencyKey(ctx.db, code, kid)
    if (entry === undefined) {
      await requireAgency(code)
      throw ctx.fail('KEY_NOT_FOUND', `${code} has no key ${kid}`)
    }
    return entry
  })

  app.post('/v1/agencies/:code/keys', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['keys'],
      summary: 'Register a public key (Ed25519 or P-256 JWK) or an X.509 certificate for the agency',
      description: 'Without a kid, the key id is the RFC 7638 thumbprint of the public key. A bare JWK is valid from now (or notBefore) until notAfter, if given; a certificate for its own validity. ' +
        'role is agency (the seal, by default) or signer (an authorised person, named in holder). Where trust anchors are configured, a certificate must chain to one ' +
        '(REG_UNTRUSTED_CERTIFICATE); where certificates are required, a bare JWK is refused (REG_CERTIFICATE_REQUIRED).',
      params: AgencyParams,
      body: SubmittedKey,
      response: { 201: AgencyKeyEntry }
    }
  }, async (request, reply) => {
    await requireAgency(request.params.code)
    const key = validateSubmittedKey(request.body, ctx.fail, new Date(), ctx.keyPolicy)
    const entry = await addAgencyKey(ctx.db, ctx.agencyKeysBucket, ctx.events, request.params.code, key, ctx.fail)
    return await reply.code(201).send(entry)
  })

  app.post('/v1/agencies/keys/import', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['keys'],
      summary: 'Register many keys at once (e.g. a province\u2019s custody keys), all or nothing',
      description: 'Each item is an agency code and a key as for POST /v1/agencies/{code}/keys. A key already registered with the same public key counts as done, so an import can be run again.',
      body: z.object({ keys: z.array(z.object({ agency: AgencyCode, key: SubmittedKey })).min(1).max(5000) }),
      response: { 200: z.object({ registered: z.number(), existing: z.number() }) }
    }
  }, async (request) => {
    const unknown = await unknownAgencies(ctx.db, [...new Set(request.body.keys.map((k) => k.agency))])
    if (unknown.length > 0) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', …' : ''}`, { agencies: unknown })
    const now = new Date()
    const keys = request.body.keys.map(({ agency, key }) => ({ agency, key: validateSubmittedKey(key, ctx.fail, now, ctx.keyPolicy) }))
    return await addAgencyKeys(ctx.db, ctx.agencyKeysBucket, ctx.events, keys, ctx.fail)
  })

  app.post('/v1/agencies/:code/keys/:kid/revoke', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['keys'],
      summary: 'Revoke a key from now on (revoking it again changes nothing)',
      params: KeyParams,
      response: { 200: AgencyKeyEntry }
    }
  }, async (request) => {
    const { code, kid } = request.params
    await requireAgency(code)
    return await revokeAgencyKey(ctx.db, ctx.agencyKeysBucket, ctx.events, code, kid, ctx.fail)
  })
}
