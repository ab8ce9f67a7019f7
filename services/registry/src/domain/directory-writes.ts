import { parentCode, type AgencyInput, type DirectoryEntry, type RegistryEvent } from '@lienthong/contracts'
import type { RegistryContext } from '../context.ts'
import { getAgency, insertAgency, liveChildren, lockedEntries, lockedFacts, parentFacts, setAgencyStatus, updateAgency, upsertAgencies, type AgencyChanges } from './agencies.ts'
import { checkImport, type ImportRow, type RowProblem } from './agency-import.ts'
import { placementProblem } from './agency-placement.ts'
import { publishDirectory } from './directory-publisher.ts'
import { agencyChanged, agencyCreated } from './registry-events.ts'

/**
 * Every change to the directory: checked, written to registry's table with its event (for the
 * audit ledger) in one transaction, then put into the KV bucket the other services mirror, so it
 * takes effect everywhere within moments, and its event published.
 */

export async function createAgency (ctx: RegistryContext, input: AgencyInput, endpoints: { webhookUrl?: string | null, mailAddress?: string | null }): Promise<DirectoryEntry> {
  let recorded: RegistryEvent[] = []
  const created = await ctx.db.transaction(async (tx) => {
    const parentOf = parentCode(input.code)
    const parent = parentOf !== null ? await lockedFacts(tx, parentOf, 'share') : undefined
    const problem = placementProblem(input, parent, ctx.config.LEVELS)
    if (problem !== undefined) throw ctx.fail('INVALID_PLACEMENT', problem)
    const row = await insertAgency(tx, input, endpoints)
    if (row === undefined) throw ctx.fail('AGENCY_EXISTS', `${input.code} is already in the directory`)
    recorded = await ctx.events.record(tx, [agencyCreated(row, 'api')])
    return row
  })
  ctx.events.publish(recorded)
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
  let recorded: RegistryEvent[] = []
  const updated = await ctx.db.transaction(async (tx) => {
    const before = (await lockedEntries(tx, [code])).get(code)
    if (before === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${code}`)
    const after = (await updateAgency(tx, code, changes))!
    const told = agencyChanged(before, after, 'api')
    if (told !== undefined) recorded = await ctx.events.record(tx, [told])
    return after
  })
  ctx.events.publish(recorded)
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
  let recorded: RegistryEvent[] = []
  const changed = await ctx.db.transaction(async (tx) => {
    const before = (await lockedEntries(tx, [code])).get(code)
    if (before === undefined) return undefined
    if (target === 'retired') {
      const live = await liveChildren(tx, code)
      if (live.length > 0) throw ctx.fail('HAS_LIVE_CHILDREN', `retire these first: ${live.slice(0, 20).join(', ')}${live.length > 20 ? ` and ${live.length - 20} more` : ''}`, { children: live.length })
    }
    const after = (await setAgencyStatus(tx, code, target))!
    const told = agencyChanged(before, after, 'api')
    if (told !== undefined) recorded = await ctx.events.record(tx, [told])
    return after
  })
  if (changed === undefined) throw ctx.fail('AGENCY_NOT_FOUND', `no agency ${code}`)
  ctx.events.publish(recorded)
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
  const changed = await upsertAgencies(ctx.db, ctx.events, agencies)
  await publishDirectory(ctx, changed)
  return { received: agencies.length, changed: changed.length }
}
