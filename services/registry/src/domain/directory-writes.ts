import { parentCode, type AgencyInput, type DirectoryEntry } from '@lienthong/contracts'
import type { RegistryContext } from '../context.ts'
import { getAgency, insertAgency, liveChildren, lockedFacts, parentFacts, setAgencyStatus, updateAgency, upsertAgencies, type AgencyChanges } from './agencies.ts'
import { checkImport, type ImportRow, type RowProblem } from './agency-import.ts'
import { placementProblem } from './agency-placement.ts'
import { publishDirectory } from './directory-publisher.ts'

/**
 * Every change to the directory: checked, written to registry's table, then put into the KV
 * bucket the other services mirror, so it takes effect everywhere within moments.
 */

export async function createAgency (ctx: RegistryContext, input: AgencyInput, endpoints: { webhookUrl?: string | null, mailAddress?: string | null }): Promise<DirectoryEntry> {
  const created = await ctx.db.transaction(async (tx) => {
    const parentOf = parentCode(input.code)
    const parent = parentOf !== null ? await lockedFacts(tx, parentOf, 'share') : undefined
    const problem = placementProblem(input, parent, ctx.config.LEVELS)
    if (problem !== undefined) throw ctx.fail('INVALID_PLACEMENT', problem)
    const row = await insertAgency(tx, input, endpoints)
    if (row === undefined) throw ctx.fail('AGENCY_EXISTS', `${input.code} is already in the directory`)
    return row
  })
  await publishDirectory(ctx, [created])
  return created
}

export async function changeAgency (ctx: RegistryContext, code: string, changes: AgencyChanges): Promise<DirectoryEntry> {
  const current = await getAgency(ctx.db, code)
  if (current === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${code}`)
  if (changes.level !== undefined || changes.kind !== undefined) {
    const next = { code, name: changes.name ?? current.name, level: changes.level ?? current.level, kind: changes.kind ?? current.kind }
    const parent = current.parent !== null ? (await parentFacts(ctx.db, [current.parent])).get(current.parent) : undefined
    const problem = placementProblem(next, parent, ctx.config.LEVELS)
    if (problem !== undefined) throw ctx.fail('INVALID_PLACEMENT', problem)
  }
  const updated = await updateAgency(ctx.db, code, changes)
  if (updated === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${code}`)
  await publishDirectory(ctx, [updated])
  return updated
}

export type StatusAction = 'suspend' | 'reactivate' | 'retire'

/**
 * Suspends, reactivates or retires an agency. Retirement is final, and waits until nothing works
 * under the agency any more. A suspended or retired agency gets no token, and the services refuse
 * its live tokens as soon as the directory change reaches them.
 */
export async function changeStatus (ctx: RegistryContext, code: string, action: StatusAction): Promise<DirectoryEntry> {
  const current = await getAgency(ctx.db, code)
  if (current === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${code}`)
  if (current.status === 'retired') throw ctx.fail('AGENCY_RETIRED', `${code} was retired on ${current.statusSince}`)
  const target = action === 'suspend' ? 'suspended' : action === 'retire' ? 'retired' : 'active'
  // Even when nothing changes, publish: a retry must mend a publish that failed the first time.
  if (current.status === target) {
    await publishDirectory(ctx, [current])
    return current
  }
  const changed = await ctx.db.transaction(async (tx) => {
    await lockedFacts(tx, code, 'update')
    if (target === 'retired') {
      const live = await liveChildren(tx, code)
      if (live.length > 0) throw ctx.fail('HAS_LIVE_CHILDREN', `retire these first: ${live.slice(0, 20).join(', ')}${live.length > 20 ? ` and ${live.length - 20} more` : ''}`, { children: live.length })
    }
    return await setAgencyStatus(tx, code, target)
  })
  if (changed === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${code}`)
  await publishDirectory(ctx, [changed])
  return changed
}

/** A whole import, all or nothing: every bad row is reported and nothing is written. */
export async function importDirectory (ctx: RegistryContext, rows: ImportRow[], earlier: RowProblem[] = []): Promise<{ received: number, changed: number }> {
  const { agencies, problems } = await checkImport(rows, async (codes) => await parentFacts(ctx.db, codes), ctx.config.LEVELS)
  const all = [...earlier, ...problems]
  if (all.length > 0) {
    throw ctx.fail('IMPORT_INVALID', `${all.length} problem${all.length === 1 ? '' : 's'} in the import; nothing was written`, { problems: all.slice(0, 1000) })
  }
  const changed = await upsertAgencies(ctx.db, agencies)
  await publishDirectory(ctx, changed)
  return { received: agencies.length, changed: changed.length }
}
