import { z } from 'zod'
import { AgencyCode, CustodyKeyView, KeyRole, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { CustodyKeyRow } from '../db/schema.ts'
import { agencyCustodyKeys, CUSTODY_ROLES, enrollAgencies, rotateCustodyKeys } from '../domain/custody-keys.ts'
import { isRegistered } from '../domain/registration.ts'
import type { SignaturesContext } from '../context.ts'

export const ENROLL_MAX = 5_000

const KeysAnswer = z.object({ keys: z.array(CustodyKeyView) })

/**
 * Enrolment and rotation of custody keys, for the operator (`registry:admin`). The service never
 * writes the registry: it answers the public keys, and the operator registers them there (the
 * `lienthong` CLI does both steps). A key signs only once the registry publishes it as usable.
 */
export async function custodyRoutes (app: ServiceApp, ctx: SignaturesContext): Promise<void> {
  const AgencyParams = z.object({ code: AgencyCode })

  function view (row: CustodyKeyRow, at: Date): CustodyKeyView {
    return {
      agency: row.agency,
      role: row.role as KeyRole,
      kid: row.kid,
      alg: 'EdDSA',
      jwk: row.publicJwk as CustodyKeyView['jwk'],
      registered: isRegistered(ctx.agencyKeys, row, at),
      retired: row.retiredAt !== null,
      createdAt: row.createdAt.toISOString(),
      retiredAt: row.retiredAt?.toISOString() ?? null
    }
  }

  /** Codes the directory does not have, or has as retired: no keys are made or changed for them. */
  function notInDirectory (codes: readonly string[]): string[] {
    return codes.filter((code) => {
      const status = ctx.directory.get(code)?.status
      return status === undefined || status === 'retired'
    })
  }

  app.post('/v1/custody/enroll', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['custody'],
      summary: 'Make sure each agency has one live custody key per role (agency, signer); answers their public keys',
      description: 'Idempotent: enrolling again answers the same keys. When any code is not an agency of the directory ' +
        '(or is retired), nothing is made and the answer is 404 SIG_AGENCY_NOT_FOUND listing them in `agencies`. ' +
        'Register each key with the registry (POST /v1/agencies/{code}/keys with its role); until then `registered` is false and the key does not sign.',
      body: z.object({ agencies: z.array(AgencyCode).min(1).max(ENROLL_MAX) }),
      response: { 200: KeysAnswer }
    }
  }, async (request) => {
    const codes = [...new Set(request.body.agencies)]
    const unknown = notInDirectory(codes)
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 20).join(', ') + (unknown.length > 20 ? `, and ${unknown.length - 20} more` : '')
      throw ctx.fail('AGENCY_NOT_FOUND', `not active agencies of the directory: ${shown}; nothing was enrolled`, { agencies: unknown })
    }
    const rows = await enrollAgencies(ctx.db, ctx.masterKeys, codes)
    for (const code of codes) ctx.ring.invalidate(code)
    const at = new Date()
    return { keys: rows.map((row) => view(row, at)) }
  })

  app.post('/v1/custody/:code/rotate', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['custody'],
      summary: 'Make a new custody key for a role, or both; the old one is retired but kept',
      description: 'The old key keeps signing until the new one is registered with the registry; signatures made with ' +
        'the old key keep verifying as long as it stays registered. Without a body, both roles rotate.',
      params: AgencyParams,
      body: z.object({ role: KeyRole.optional() }).strict().nullish(),
      response: { 200: KeysAnswer }
    }
  }, async (request) => {
    const { code } = request.params
    if (notInDirectory([code]).length > 0) throw ctx.fail('AGENCY_NOT_FOUND', `${code} is not an active agency of the directory`, { agencies: [code] })
    const role = request.body?.role
    const rows = await rotateCustodyKeys(ctx.db, ctx.masterKeys, code, role === undefined ? CUSTODY_ROLES : [role])
    if (rows === undefined) throw ctx.fail('NOT_IN_CUSTODY', `${code} has no custody keys; enrol it first (POST /v1/custody/enroll)`)
    ctx.ring.invalidate(code)
    const at = new Date()
    request.log.info({ agency: code, kids: rows.map((r) => r.kid) }, 'custody keys rotated')
    return { keys: rows.map((row) => view(row, at)) }
  })

  app.get('/v1/custody/:code/keys', {
    onRequest: app.requireScopes(SCOPES.registryAdmin),
    schema: {
      tags: ['custody'],
      summary: 'The agency\u2019s custody keys, retired ones included, oldest first (public halves only)',
      params: AgencyParams,
      response: { 200: KeysAnswer }
    }
  }, async (request) => {
    const { code } = request.params
    const rows = await agencyCustodyKeys(ctx.db, code)
    if (rows.length === 0 && ctx.directory.get(code) === undefined) {
      throw ctx.fail('AGENCY_NOT_FOUND', `${code} is not in the directory`, { agencies: [code] })
    }
    const at = new Date()
    const views = rows.map((row) => view(row, at))
    // The key that signs for a role is the newest one registered and usable.
    for (const role of CUSTODY_ROLES) {
      const ofRole = views.filter((v) => v.role === role)
      const signing = ofRole.findLast((v) => v.registered)
      for (const v of ofRole) v.signing = v === signing
    }
    return { keys: views }
  })
}
