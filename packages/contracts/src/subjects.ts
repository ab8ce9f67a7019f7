import { codeToSubjectTokens, subtreeTokenPrefix } from './agency-code.ts'
import type { Priority } from './document.ts'

/**
 * NATS names, in one place. Subjects carry agency codes root-first so a subtree is one wildcard.
 */
export const STREAMS = {
  /** one message per (document, recipient), from routing to the recipient's inbox */
  deliveries: { name: 'DELIVERIES', subjects: ['deliver.>'] },
  /** status messages from recipients back to senders */
  statuses: { name: 'STATUSES', subjects: ['status.>'] },
  /** a sender's recall of a document (13), one message per recipient, from routing to the inbox */
  recalls: { name: 'RECALLS', subjects: ['recall.>'] },
  /**
   * Events for DMSs (server-sent events, webhooks) and the audit ledger, `events.<code root-first>.<source>`:
   * the source token last keeps one agency's events one filter (`events.H38.31.*`) and a subtree one
   * wildcard (`events.H38.31.>`).
   */
  events: { name: 'EVENTS', subjects: ['events.>'] }
} as const

/** Which service an event comes from: the last token of its subject. */
export type EventSource = 'inbox' | 'routing' | 'registry'

/**
 * `events.<code root-first>.<source>`; an event that concerns no agency (a token asked for by an
 * unknown client id, an operator's credentials) goes to `events.system.<source>`: still inside
 * `events.>`, and `system` can never be the first token of a code (those are `H38`, `G01`, …).
 */
export function eventSubject (agency: string | null, source: EventSource): string {
  return agency === null ? systemEventSubject(source) : `events.${codeToSubjectTokens(agency)}.${source}`
}

export function systemEventSubject (source: EventSource): string {
  return `events.system.${source}`
}

/**
 * The events of one agency (not its subtree's) from one source, or from every source. A DMS's
 * server-sent events are the inbox's only: the stream's documented content (`InboxEvent`) stays
 * what DMSs were built against, while routing and registry events go to the ledger.
 */
export function agencyEventsFilter (agency: string, source: EventSource | '*' = '*'): string {
  return `events.${codeToSubjectTokens(agency)}.${source}`
}

/**
 * Delivery lanes, most urgent first: hỏa tốc (3, and 4 hỏa tốc hẹn giờ), thượng khẩn (2), khẩn (1),
 * thường (0). The lane is the subject's first token after `deliver`, so each lane is one
 * consumer's filter and a subtree across all lanes is still one wildcard (`deliver.*.H38.31.>`).
 */
export const DELIVERY_LANES = ['hoatoc', 'thuongkhan', 'khan', 'thuong'] as const
export type DeliveryLane = typeof DELIVERY_LANES[number]

export function laneOf (priority: Priority): DeliveryLane {
  if (priority >= 3) return 'hoatoc'
  if (priority === 2) return 'thuongkhan'
  if (priority === 1) return 'khan'
  return 'thuong'
}

export const CONSUMERS = {
  /** the prefix of the inbox's consumers, one per lane: `inbox-deliveries-hoatoc`, … */
  inboxDeliveries: 'inbox-deliveries',
  inboxRecalls: 'inbox-recalls',
  routingStatuses: 'routing-statuses',
  /** turns the inbox's events into webhook calls for the agencies that registered one */
  inboxWebhooks: 'inbox-webhooks',
  /** every event, in stream order, into the audit ledger */
  auditLedger: 'audit-ledger',
  /** every delivery, in stream order, for the mail gateway: those to an agency with a mailbox become mail */
  mailDeliveries: 'mail-deliveries'
} as const

export function inboxLaneConsumer (lane: DeliveryLane): string {
  return `${CONSUMERS.inboxDeliveries}-${lane}`
}

/** Object stores: attachments are kept once, by SHA-256, however many recipients a document has. */
export const OBJECT_STORES = {
  attachments: 'attachments'
} as const

export const KV_BUCKETS = {
  /** every agency, keyed by its code root-first (`H38.31.05.007`); written by registry, read by everyone */
  directory: 'directory',
  /** public keys that verify access tokens, keyed by key id; written by registry */
  authKeys: 'auth-keys',
  /** every agency's public keys and certificates, keyed `<code root-first>.<kid>`; written by registry */
  agencyKeys: 'agency-keys'
} as const

export function deliverSubject (recipient: string, priority: Priority = 0): string {
  return `deliver.${laneOf(priority)}.${codeToSubjectTokens(recipient)}`
}

/** Every delivery of one lane, to anyone: a lane consumer's filter. */
export function deliverLaneSubject (lane: DeliveryLane): string {
  return `deliver.${lane}.>`
}

/** Every delivery of one lane (or of every lane) to an agency and everything under it. */
export function deliverSubtreeSubject (code: string, lane: DeliveryLane | '*' = '*'): string {
  return `deliver.${lane}.${subtreeTokenPrefix(code)}>`
}

export function recallSubject (recipient: string): string {
  return `recall.${codeToSubjectTokens(recipient)}`
}

export function statusSubject (sender: string): string {
  return `status.${codeToSubjectTokens(sender)}`
}

/** Message ids make JetStream drop a re-publish of the same delivery or status. */
export function deliveryMessageId (documentId: string, recipient: string): string {
  return `d|${documentId}|${recipient}`
}

export function recallMessageId (documentId: string, recipient: string): string {
  return `r|${documentId}|${recipient}`
}

export function statusMessageId (documentId: string, recipient: string, code: string): string {
  return `s|${documentId}|${recipient}|${code}`
}
