import type { KeyObject } from 'node:crypto'
import type { KeyRole } from '@lienthong/contracts'
import type { AgencyKeysMirror } from '@lienthong/platform'
import type { CustodyKeyRow } from '../db/schema.ts'
import { openPrivateKey, SealedKeyError } from './key-sealing.ts'
import type { MasterKeySet } from './master-keys.ts'
import { isRegistered } from './registration.ts'

/** A key ready to sign with `signDetachedBytesSync`. */
export interface CustodySigningKey {
  readonly kid: string
  readonly alg: 'EdDSA'
  readonly privateKey: KeyObject
}

interface AgencyCustody {
  /** every key of the agency by role, newest first */
  byRole: Record<KeyRole, CustodyKeyRow[]>
  loadedAt: number
  /** the registry's keys of the agency changed while this was being read: read again next time */
  stale: boolean
}

export interface CustodyKeyRingOptions {
  /** reads every custody key (retired ones too) of these agencies */
  load: (agencies: string[]) => Promise<CustodyKeyRow[]>
  masters: MasterKeySet
  agencyKeys: AgencyKeysMirror
  /** how long an agency's keys are trusted before they are read again */
  ttlMs: number
  /** told, once per key, when a sealed key does not open (never anything of the key itself) */
  onUnreadable?: (error: SealedKeyError) => void
  /** at most this many decrypted keys are held; the longest held go first */
  maxPrivateKeys?: number
  now?: () => number
}

/**
 * The custody keys the signing path needs, in memory: the rows of each agency asked for (read
 * from Postgres once, then again when the registry's keys of that agency change or after `ttlMs`),
 * and each private key decrypted once. Choosing the key is then a few map lookups: per role, the
 * newest key that the registry has registered and that is usable now. Until a rotated key is
 * registered, the one before it keeps signing.
 */
export class CustodyKeyRing {
  readonly #opts: CustodyKeyRingOptions
  readonly #maxPrivateKeys: number
  readonly #now: () => number
  readonly #agencies = new Map<string, AgencyCustody>()
  readonly #loading = new Map<string, Promise<void>>()
  /** how many times each agency was invalidated: a read that began before the last one is stale */
  readonly #invalidations = new Map<string, number>()
  readonly #privateKeys = new Map<string, KeyObject>()
  readonly #unreadable = new Set<string>()

  constructor (opts: CustodyKeyRingOptions) {
    this.#opts = opts
    this.#maxPrivateKeys = opts.maxPrivateKeys ?? 200_000
    this.#now = opts.now ?? Date.now
  }

  /** Forgets what is held of an agency: its keys were enrolled, rotated, or changed in the registry. */
  invalidate (agency: string): void {
    this.#invalidations.set(agency, (this.#invalidations.get(agency) ?? 0) + 1)
    const held = this.#agencies.get(agency)
    if (held !== undefined) held.stale = true
  }

  /** Reads the keys of the agencies not held (or held too long); one query for all of them. */
  async ensureLoaded (agencies: Iterable<string>): Promise<void> {
    const now = this.#now()
    const missing = new Set<string>()
    const waits: Array<Promise<void>> = []
    for (const agency of agencies) {
      const held = this.#agencies.get(agency)
      if (held !== undefined && !held.stale && now - held.loadedAt < this.#opts.ttlMs) continue
      const loading = this.#loading.get(agency)
      if (loading !== undefined) waits.push(loading)
      else missing.add(agency)
    }
    if (missing.size > 0) {
      const load = this.#load([...missing])
      for (const agency of missing) this.#loading.set(agency, load)
      waits.push(load)
    }
    await Promise.all(waits)
  }

  /**
   * The key to sign with for this agency and role now, or undefined when none is registered and
   * usable. With `signedAt` (the time the value says it was signed), the key must be usable then
   * too, since verifiers check the signature at that time.
   */
  signingKey (agency: string, role: KeyRole, at: Date = new Date(), signedAt?: Date): CustodySigningKey | undefined {
    const held = this.#agencies.get(agency)
    if (held === undefined) return undefined
    for (const row of held.byRole[role]) {
      if (!isRegistered(this.#opts.agencyKeys, row, at)) continue
      if (signedAt !== undefined && this.#opts.agencyKeys.usableKey(row.agency, row.kid, signedAt) === undefined) continue
      const privateKey = this.#privateKey(row)
      if (privateKey !== undefined) return { kid: row.kid, alg: 'EdDSA', privateKey }
    }
    return undefined
  }

  /** Whether the agency has custody keys at all (registered or not), as far as it was read. */
  holds (agency: string): boolean {
    const held = this.#agencies.get(agency)
    return held !== undefined && (held.byRole.agency.length > 0 || held.byRole.signer.length > 0)
  }

  async #load (agencies: string[]): Promise<void> {
    const began = new Map(agencies.map((a) => [a, this.#invalidations.get(a) ?? 0]))
    try {
      const rows = await this.#opts.load(agencies)
      const loadedAt = this.#now()
      const fresh = new Map(agencies.map((a) => [a, { byRole: { agency: [], signer: [] }, loadedAt, stale: false } as AgencyCustody]))
      for (const row of rows) fresh.get(row.agency)?.byRole[row.role as KeyRole]?.push(row)
      for (const [agency, custody] of fresh) {
        for (const list of Object.values(custody.byRole)) list.sort((a, b) => b.id - a.id)
        // Answer the batch that asked with what was read, but read again if it may have missed a change.
        custody.stale = (this.#invalidations.get(agency) ?? 0) !== began.get(agency)
        this.#agencies.set(agency, custody)
      }
    } finally {
      for (const agency of agencies) this.#loading.delete(agency)
    }
  }

  #privateKey (row: CustodyKeyRow): KeyObject | undefined {
    const id = `${row.agency}|${row.kid}`
    const held = this.#privateKeys.get(id)
    if (held !== undefined) return held
    if (this.#unreadable.has(id)) return undefined
    let key: KeyObject
    try {
      key = openPrivateKey(row, { agency: row.agency, role: row.role as KeyRole, kid: row.kid }, this.#opts.masters)
    } catch (err) {
      if (!(err instanceof SealedKeyError)) throw err
      this.#unreadable.add(id)
      this.#opts.onUnreadable?.(err)
      return undefined
    }
    if (this.#privateKeys.size >= this.#maxPrivateKeys) {
      const oldest = this.#privateKeys.keys().next().value
      if (oldest !== undefined) this.#privateKeys.delete(oldest)
    }
    this.#privateKeys.set(id, key)
    return key
  }
}
