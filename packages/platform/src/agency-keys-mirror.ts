import { AgencyKeyEntry, KV_BUCKETS, agencyKeyBucketKey } from '@lienthong/contracts'
import { KvMirror, parsedBy } from './kv-mirror.ts'

/** Every agency's public keys, registry's `agency-keys` bucket mirrored in memory. */
export class AgencyKeysMirror extends KvMirror<AgencyKeyEntry> {
  constructor () {
    super(KV_BUCKETS.agencyKeys, {
      parse: parsedBy(AgencyKeyEntry)
    })
  }

  /** The key as registered, whatever its state; for saying why a signature was refused. */
  key (agency: string, kid: string): AgencyKeyEntry | undefined {
    return this.get(agencyKeyBucketKey(agency, kid))
  }

  /**
   * The key when it may verify a signature made at `at`: not revoked (a revocation has no date of
   * compromise, so it withdraws the key for every time) and inside its validity window.
   */
  usableKey (agency: string, kid: string, at: Date = new Date()): AgencyKeyEntry | undefined {
    const entry = this.key(agency, kid)
    if (entry === undefined || entry.revokedAt !== null) return undefined
    const t = at.getTime()
    if (t < Date.parse(entry.notBefore)) return undefined
    if (entry.notAfter !== null && t >= Date.parse(entry.notAfter)) return undefined
    return entry
  }
}
