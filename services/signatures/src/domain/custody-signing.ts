import { Envelope, LedgerCheckpoint, Receipt, documentId, type CustodyRefusal, type CustodySignItem, type CustodySignResult, type KeyRole } from '@lienthong/contracts'
import { canonicalJsonBytes, signDetachedBytesSync } from '@lienthong/crypto'
import type { Directory } from '@lienthong/platform'
import type { CustodyKeyRing, CustodySigningKey } from './custody-key-ring.ts'

/** How far from now an envelope (either way) or a receipt (ahead) may be dated. */
export const SIGNING_TIME_SKEW_MS = 5 * 60_000

export interface CustodySigningDeps {
  ring: CustodyKeyRing
  directory: Directory
}

/**
 * Signs one item for an agency in custody, or says why not. The service signs only what it can
 * check is the agency's own: an envelope whose sender it is (with the signer's and the agency's
 * keys) or a receipt whose recipient it is (with the agency's key), for an active agency, with keys
 * the registry has registered and that are usable both now and at the value's own time (the
 * envelope's `signedAt`, the receipt's `at`), which is when verifiers check them. The signatures
 * are over the RFC 8785 form of the value as parsed.
 * The ring must already hold the agency's keys (`ensureLoaded`).
 */
export function signCustodyItem (item: CustodySignItem, deps: CustodySigningDeps, at: Date = new Date()): CustodySignResult {
  if (item.kind === 'envelope') {
    const parsed = Envelope.safeParse(item.value)
    if (!parsed.success) return refuse('invalid_value', `the value is not an envelope: ${firstIssue(parsed.error)}`)
    if (parsed.data.sender !== item.agency) return refuse('invalid_value', `the envelope's sender is ${parsed.data.sender}, not ${item.agency}`)
    // The id is what binds the signatures to one số/ký hiệu: it must be the one the fields make.
    const id = documentId(parsed.data.sender, parsed.data.document)
    if (parsed.data.id !== id) return refuse('invalid_value', `the envelope's id is not ${id}, the id of its sender, date, number and notation`)
    // Routing asks at send time: an envelope dated another time is not a send, whoever asks.
    if (Math.abs(Date.parse(parsed.data.signedAt) - at.getTime()) > SIGNING_TIME_SKEW_MS) return refuse('invalid_value', `the envelope is dated ${parsed.data.signedAt}; custody signs envelopes dated now`)
    return signWith(parsed.data, item.agency, ['signer', 'agency'], deps, at, new Date(parsed.data.signedAt))
  }
  if (item.kind === 'checkpoint') {
    // The audit ledger's head, which the agency answers for: signed when it is made, never for another time.
    const parsed = LedgerCheckpoint.safeParse(item.value)
    if (!parsed.success) return refuse('invalid_value', `the value is not a ledger checkpoint: ${firstIssue(parsed.error)}`)
    if (Math.abs(Date.parse(parsed.data.at) - at.getTime()) > SIGNING_TIME_SKEW_MS) return refuse('invalid_value', `the checkpoint is dated ${parsed.data.at}; custody signs checkpoints dated now`)
    return signWith(parsed.data, item.agency, ['agency'], deps, at, new Date(parsed.data.at))
  }
  const parsed = Receipt.safeParse(item.value)
  if (!parsed.success) return refuse('invalid_value', `the value is not a receipt: ${firstIssue(parsed.error)}`)
  if (parsed.data.recipient !== item.agency) return refuse('invalid_value', `the receipt's recipient is ${parsed.data.recipient}, not ${item.agency}`)
  if (!parsed.data.documentId.startsWith(`${parsed.data.sender},`)) return refuse('invalid_value', 'the receipt names a document of another sender than its own')
  // A receipt may be signed late (an outbox catching up), never ahead of its step.
  if (Date.parse(parsed.data.at) - at.getTime() > SIGNING_TIME_SKEW_MS) return refuse('invalid_value', `the receipt is dated ${parsed.data.at}, in the future`)
  return signWith(parsed.data, item.agency, ['agency'], deps, at, new Date(parsed.data.at))
}

function signWith (value: unknown, agency: string, roles: readonly KeyRole[], deps: CustodySigningDeps, at: Date, signedAt: Date): CustodySignResult {
  const status = deps.directory.get(agency)?.status
  if (status !== 'active') return refuse('agency_inactive', status === undefined ? `${agency} is not in the directory` : `${agency} is ${status}`)
  const keys: Array<[KeyRole, CustodySigningKey]> = []
  const lacking: KeyRole[] = []
  for (const role of roles) {
    const key = deps.ring.signingKey(agency, role, at, signedAt)
    if (key === undefined) lacking.push(role)
    else keys.push([role, key])
  }
  if (lacking.length > 0) {
    const why = deps.ring.holds(agency) ? 'registered and usable in the registry now and at the time the value was signed' : 'at all (not enrolled)'
    return refuse('not_in_custody', `the service holds no custody key of role ${lacking.join(' and ')} for ${agency} ${why}`)
  }
  const payload = canonicalJsonBytes(value)
  const signatures: Partial<Record<KeyRole, string>> = {}
  for (const [role, key] of keys) signatures[role] = signDetachedBytesSync(payload, key)
  return { ok: true, signatures }
}

function refuse (refusal: CustodyRefusal, detail: string): CustodySignResult {
  return { ok: false, refusal, detail }
}

function firstIssue (error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>, message: string }> }): string {
  const issue = error.issues[0]
  if (issue === undefined) return 'unreadable'
  const path = issue.path.map(String).join('.')
  return `${path === '' ? '' : `${path}: `}${issue.message}`.slice(0, 300)
}
