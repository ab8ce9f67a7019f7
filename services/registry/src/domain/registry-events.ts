import type { AgencyFacts, AgencyKeyEntry, DirectoryEntry } from '@lienthong/contracts'
import type { NewRegistryEvent } from './event-outbox.ts'

type Via = 'api' | 'import'

function factsOf (e: DirectoryEntry): AgencyFacts {
  return { name: e.name, level: e.level, kind: e.kind, parent: e.parent, status: e.status, webhookUrl: e.endpoints.webhookUrl, mailAddress: e.endpoints.mailAddress }
}

/** An agency added to the directory; its level is the one it was created with. */
export function agencyCreated (entry: DirectoryEntry, via: Via, at = new Date()): NewRegistryEvent {
  return { type: 'agency.created', agency: entry.code, level: entry.level, at: at.toISOString(), via, agencyFacts: factsOf(entry) }
}

/**
 * The fields of an agency that a write changed, before and after; undefined when it changed none
 * (an import of the same row, a status set to what it was), so nothing is told.
 */
export function agencyChanged (before: DirectoryEntry, after: DirectoryEntry, via: Via, at = new Date()): NewRegistryEvent | undefined {
  const was = factsOf(before)
  const now = factsOf(after)
  const changed = (Object.keys(now) as Array<keyof AgencyFacts>).filter((k) => was[k] !== now[k])
  if (changed.length === 0) return undefined
  return {
    type: 'agency.changed',
    agency: after.code,
    level: after.level,
    at: at.toISOString(),
    via,
    before: Object.fromEntries(changed.map((k) => [k, was[k]])),
    after: Object.fromEntries(changed.map((k) => [k, now[k]])),
    version: after.version
  }
}

function keyFacts (entry: AgencyKeyEntry): { kid: string, role: AgencyKeyEntry['role'], alg: AgencyKeyEntry['alg'], holder: string | null, certificateSubject: string | null, certificateFingerprint: string | null } {
  return {
    kid: entry.kid,
    role: entry.role,
    alg: entry.alg,
    holder: entry.holder,
    certificateSubject: entry.certificate?.subject ?? null,
    certificateFingerprint: entry.certificate?.fingerprint256 ?? null
  }
}

/** A public key registered for an agency: what identifies it, never the key material itself. */
export function agencyKeyRegistered (entry: AgencyKeyEntry, at = new Date()): NewRegistryEvent {
  return { type: 'agency-key.registered', agency: entry.agency, at: at.toISOString(), ...keyFacts(entry), notBefore: entry.notBefore, notAfter: entry.notAfter }
}

export function agencyKeyRevoked (entry: AgencyKeyEntry, at = new Date()): NewRegistryEvent {
  return { type: 'agency-key.revoked', agency: entry.agency, at: at.toISOString(), ...keyFacts(entry), revokedAt: entry.revokedAt ?? at.toISOString() }
}
