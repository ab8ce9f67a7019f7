import { codeToSubjectTokens } from './agency-code.ts'

/**
 * NATS names, in one place. Subjects carry agency codes root-first so a subtree is one wildcard.
 */
export const STREAMS = {
  /** one message per (document, recipient), from routing to the recipient's inbox */
  deliveries: { name: 'DELIVERIES', subjects: ['deliver.>'] },
  /** status messages from recipients back to senders */
  statuses: { name: 'STATUSES', subjects: ['status.>'] }
} as const

export const CONSUMERS = {
  inboxDeliveries: 'inbox-deliveries',
  routingStatuses: 'routing-statuses'
} as const

export const KV_BUCKETS = {
  /** every agency, keyed by its code root-first (`H38.31.05.007`); written by registry, read by everyone */
  directory: 'directory',
  /** public keys that verify access tokens, keyed by key id; written by registry */
  authKeys: 'auth-keys',
  /** every agency's public keys and certificates, keyed `<code root-first>.<kid>`; written by registry */
  agencyKeys: 'agency-keys'
} as const

export function deliverSubject (recipient: string): string {
  return `deliver.${codeToSubjectTokens(recipient)}`
}

export function statusSubject (sender: string): string {
  return `status.${codeToSubjectTokens(sender)}`
}

/** Message ids make JetStream drop a re-publish of the same delivery or status. */
export function deliveryMessageId (documentId: string, recipient: string): string {
  return `d|${documentId}|${recipient}`
}

export function statusMessageId (documentId: string, recipient: string, code: string): string {
  return `s|${documentId}|${recipient}|${code}`
}
