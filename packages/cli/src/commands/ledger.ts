import { parseArgs } from 'node:util'
import { SCOPES, isAgencyCode, type LedgerVerification } from '@lienthong/contracts'
import { requireStack } from '../local-stack.ts'
import { agencyToken } from './token.ts'

const USAGE = 'usage: lienthong ledger verify [--as <agency code>]   (default: the province, 000.00.00.H38)'

/**
 * Asks the local stack's audit service to recompute the ledger's chain and check its signed
 * checkpoints; prints what it found and exits 1 when an entry does not hold.
 */
export async function ledgerCommand (args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { as: { type: 'string' } } })
  if (positionals[0] !== 'verify') throw new Error(USAGE)
  const agency = values.as ?? '000.00.00.H38'
  if (!isAgencyCode(agency)) throw new Error(USAGE)
  const audit = requireStack().urls.audit
  if (audit === undefined) throw new Error('the running stack has no audit service; restart it with npm start')
  const res = await fetch(`${audit}/v1/ledger/verify`, { headers: { authorization: `Bearer ${await agencyToken(agency, [SCOPES.auditRead])}` } })
  const body = await res.json() as LedgerVerification & { detail?: string }
  if (!res.ok) throw new Error(`audit answered ${res.status}: ${body.detail ?? ''}`)
  process.stdout.write(describeVerification(body) + '\n')
  if (!body.ok) process.exitCode = 1
}

export function describeVerification (v: LedgerVerification): string {
  const head = `${v.entries} entries, ${v.checkpoints} signed checkpoints, last entry ${v.lastSeq}${v.lastHash === null ? '' : ` (${v.lastHash})`}`
  if (v.firstBroken === null) return `the ledger holds: ${head}`
  const b = v.firstBroken
  return `the ledger is BROKEN at entry ${b.seq}${b.eventId === null ? '' : ` (event ${b.eventId})`}: ${b.reason}, ${b.detail}\n${head}`
}
