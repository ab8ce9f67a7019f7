import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'
import { AgencyKind, AgencyStatus, GovernmentLevel } from './agency.ts'
import { KeyAlgorithm, KeyRole } from './agency-key.ts'

/**
 * What routing and registry tell the audit ledger: documents sent and recalled, directory changes,
 * keys and credentials, refused token requests. Same base as the inbox's events: `id` is the
 * JetStream message id (a repeat is dropped), `level` the agency's government level in the
 * directory when the event was recorded. Nothing secret is ever carried: no client secret, no
 * private key, no token.
 */
const Base = z.object({
  id: z.uuid(),
  agency: AgencyCode,
  level: z.string().nullable(),
  at: z.iso.datetime({ offset: true })
})

// --- routing ---

/** A document the exchange accepted from its sender (`agency`), with one delivery queued per recipient. */
export const DocumentSentEvent = Base.extend({
  type: z.literal('document.sent'),
  documentId: z.string(),
  sender: AgencyCode,
  recipients: z.array(AgencyCode),
  priority: z.number().int(),
  number: z.string(),
  notation: z.string(),
  documentType: z.string(),
  /** trích yếu */
  subject: z.string(),
  issuedAt: z.string(),
  attachments: z.number().int().nonnegative(),
  /** `dms`: the sender's own keys signed; `custody`: the signatures service signed for it */
  signedBy: z.enum(['dms', 'custody']),
  /** SHA-256 of the canonical signed envelope, which every receipt names */
  envelopeDigest: z.string().nullable(),
  /** an update (2) or replacement (3) names the document it changes */
  businessType: z.number().int().nullable(),
  originalId: z.string().nullable(),
  responseFor: z.string().nullable()
})

/** The sender asked for a document back (13) from these recipients: only those this request recalled first. */
export const DocumentRecalledEvent = Base.extend({
  type: z.literal('document.recalled'),
  documentId: z.string(),
  recipients: z.array(AgencyCode),
  note: z.string().nullable()
})

export const RoutingEvent = z.discriminatedUnion('type', [DocumentSentEvent, DocumentRecalledEvent])
export type RoutingEvent = z.infer<typeof RoutingEvent>

// --- registry ---

const AgencyFacts = z.object({
  name: z.string(),
  level: GovernmentLevel,
  kind: AgencyKind,
  parent: AgencyCode.nullable(),
  status: AgencyStatus,
  webhookUrl: z.string().nullable(),
  mailAddress: z.string().nullable()
})
export type AgencyFacts = z.infer<typeof AgencyFacts>

export const AgencyCreatedEvent = Base.extend({
  type: z.literal('agency.created'),
  /** `api` for one agency added by an administrator, `import` for a directory import */
  via: z.enum(['api', 'import']),
  agencyFacts: AgencyFacts
})

/** Only the fields that changed, before and after; a change of status or level is one of them. */
export const AgencyChangedEvent = Base.extend({
  type: z.literal('agency.changed'),
  via: z.enum(['api', 'import']),
  before: AgencyFacts.partial(),
  after: AgencyFacts.partial(),
  version: z.number().int()
})

const KeyFacts = z.object({
  kid: z.string(),
  role: KeyRole,
  alg: KeyAlgorithm,
  holder: z.string().nullable(),
  /** the certificate's subject and SHA-256 fingerprint, when the key came with one */
  certificateSubject: z.string().nullable(),
  certificateFingerprint: z.string().nullable()
})

export const AgencyKeyRegisteredEvent = Base.extend({
  type: z.literal('agency-key.registered'),
  ...KeyFacts.shape,
  notBefore: z.string(),
  notAfter: z.string().nullable()
})

export const AgencyKeyRevokedEvent = Base.extend({
  type: z.literal('agency-key.revoked'),
  ...KeyFacts.shape,
  revokedAt: z.string()
})

/** Registry-wide events (an operator's client, a token request for an unknown client) have no agency. */
const SystemBase = Base.extend({ agency: AgencyCode.nullable() })

/** Credentials issued: never the secret. `agency` null for an operator client. */
export const ApiClientCreatedEvent = SystemBase.extend({
  type: z.literal('api-client.created'),
  clientId: z.string(),
  scopes: z.array(z.string()),
  under: AgencyCode.nullable()
})

export const ApiClientRevokedEvent = SystemBase.extend({
  type: z.literal('api-client.revoked'),
  clientId: z.string()
})

/**
 * Why a token was refused: the id names no client, the secret is wrong, the client was revoked,
 * its agency is not active, or the caller was locked out after too many failures.
 */
export const TokenRefusalReason = z.enum(['unknown_client', 'wrong_secret', 'client_revoked', 'agency_inactive', 'rate_limited'])
export type TokenRefusalReason = z.infer<typeof TokenRefusalReason>

/** `clientId` as given (cut to 200 characters by the request schema); `agency` when the id names a client of one. */
export const TokenRefusedEvent = SystemBase.extend({
  type: z.literal('token.refused'),
  clientId: z.string(),
  reason: TokenRefusalReason
})

export const RegistryEvent = z.discriminatedUnion('type', [
  AgencyCreatedEvent, AgencyChangedEvent, AgencyKeyRegisteredEvent, AgencyKeyRevokedEvent, ApiClientCreatedEvent, ApiClientRevokedEvent, TokenRefusedEvent
])
export type RegistryEvent = z.infer<typeof RegistryEvent>

export const ExchangeEvent = z.discriminatedUnion('type', [...RoutingEvent.options, ...RegistryEvent.options])
export type ExchangeEvent = z.infer<typeof ExchangeEvent>
export type ExchangeEventType = ExchangeEvent['type']
export const EXCHANGE_EVENT_TYPES = ExchangeEvent.options.map((o) => o.shape.type.value) as ExchangeEventType[]
