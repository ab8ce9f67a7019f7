import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'
import { DetachedSignature } from './envelope.ts'
import { KeyId, KeyRole } from './agency-key.ts'

/**
 * Custody signing over NATS: routing and inbox ask `services/signatures` to sign for agencies that
 * let it hold their keys. One request carries a batch; the service answers each item in order.
 * The service signs only what it can check is the agency's own: an envelope whose sender it is,
 * or a receipt whose recipient it is.
 */
export const CUSTODY_SIGN_SUBJECT = 'sig.custody.sign'
/** Instances of the signatures service share the requests. */
export const CUSTODY_SIGN_QUEUE = 'signatures'
export const CUSTODY_SIGN_BATCH_MAX = 500

export const CustodySignItem = z.discriminatedUnion('kind', [
  /** both signatures of an envelope: the value is an `Envelope` of this sender */
  z.object({ kind: z.literal('envelope'), agency: AgencyCode, value: z.unknown() }),
  /** the agency signature of a `Receipt` of this recipient */
  z.object({ kind: z.literal('receipt'), agency: AgencyCode, value: z.unknown() }),
  /** the agency signature of a `LedgerCheckpoint` of the audit ledger, which the agency answers for */
  z.object({ kind: z.literal('checkpoint'), agency: AgencyCode, value: z.unknown() })
])
export type CustodySignItem = z.infer<typeof CustodySignItem>

export const CustodySignRequest = z.object({ items: z.array(CustodySignItem).min(1).max(CUSTODY_SIGN_BATCH_MAX) })
export type CustodySignRequest = z.infer<typeof CustodySignRequest>

/** Why an item was not signed. Stable: callers map them to their own problem codes. */
export const CustodyRefusal = z.enum([
  /** the service holds no registered, usable custody key of a needed role for this agency */
  'not_in_custody',
  /** the value is not an envelope of this sender or a receipt of this recipient */
  'invalid_value',
  /** the agency is not an active agency of the directory */
  'agency_inactive'
])
export type CustodyRefusal = z.infer<typeof CustodyRefusal>

export const CustodySignResult = z.union([
  z.object({
    ok: z.literal(true),
    /** by role: `signer` and `agency` for an envelope, `agency` for a receipt */
    signatures: z.partialRecord(KeyRole, DetachedSignature)
  }),
  z.object({ ok: z.literal(false), refusal: CustodyRefusal, detail: z.string() })
])
export type CustodySignResult = z.infer<typeof CustodySignResult>

export const CustodySignResponse = z.union([
  z.object({ results: z.array(CustodySignResult) }),
  /** the whole batch was unreadable */
  z.object({ error: z.string() })
])
export type CustodySignResponse = z.infer<typeof CustodySignResponse>

/**
 * A custody key as the signatures service shows it to the operator (enrolment, rotation, listing):
 * the public half only, to be registered with the registry as it is.
 */
export const CustodyKeyView = z.object({
  agency: AgencyCode,
  role: KeyRole,
  kid: KeyId,
  alg: z.literal('EdDSA'),
  /** the public key, to register with the registry as it is */
  jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }),
  /** registered with the registry, this very key for this role, and usable now */
  registered: z.boolean(),
  /** a newer key of the role was made; it still signs until that one is registered */
  retired: z.boolean(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
  /** (listing only) the key the service signs with for this role now */
  signing: z.boolean().optional()
})
export type CustodyKeyView = z.infer<typeof CustodyKeyView>
