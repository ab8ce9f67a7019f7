/**
 * Every error code the services answer with, each with its HTTP status. Codes carry the service
 * prefix so a DMS log line says where a refusal came from; the common kinds exist once per service.
 */
export const SERVICE_PREFIXES = {
  registry: 'REG',
  routing: 'RTE',
  inbox: 'INB',
  signatures: 'SIG',
  audit: 'AUD',
  mail: 'MAIL'
} as const
export type ServiceName = keyof typeof SERVICE_PREFIXES

export interface ErrorKind { status: number, title: string }

export const COMMON_ERRORS = {
  MALFORMED_JSON: { status: 400, title: 'The body is not valid JSON' },
  VALIDATION_FAILED: { status: 400, title: 'The request does not match the schema' },
  UNAUTHORIZED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'The token does not allow this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  BODY_TOO_LARGE: { status: 413, title: 'The body is larger than allowed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  UNAVAILABLE: { status: 503, title: 'A backing server is unavailable; retry with the same Idempotency-Key' }
} as const satisfies Record<string, ErrorKind>

export const SERVICE_ERRORS = {
  registry: {
    INVALID_CLIENT: { status: 401, title: 'Unknown client or wrong secret' },
    AGENCY_NOT_FOUND: { status: 404, title: 'No agency with this code' },
    AGENCY_EXISTS: { status: 409, title: 'An agency with this code already exists' },
    INVALID_PLACEMENT: { status: 422, title: 'The agency does not fit where its code puts it' },
    IMPORT_INVALID: { status: 422, title: 'The import has invalid rows; nothing was written' },
    AGENCY_RETIRED: { status: 409, title: 'The agency is retired; its status can no longer change' },
    HAS_LIVE_CHILDREN: { status: 409, title: 'The agency still has agencies working under it' },
    AGENCY_INACTIVE: { status: 403, title: 'The agency is suspended or retired' },
    CLIENT_NOT_FOUND: { status: 404, title: 'No API client with this id' },
    INVALID_KEY: { status: 422, title: 'The key is not a public Ed25519 or P-256 JWK' },
    INVALID_CERTIFICATE: { status: 422, title: 'The certificate cannot be read or its key is not Ed25519 or P-256' },
    CERTIFICATE_EXPIRED: { status: 422, title: 'The certificate has expired' },
    CERTIFICATE_NOT_YET_VALID: { status: 422, title: 'The certificate is not valid yet' },
    INVALID_VALIDITY: { status: 422, title: 'The validity window is empty or already over' },
    KEY_EXISTS: { status: 409, title: 'The agency already has a key with this key id' },
    KEY_NOT_FOUND: { status: 404, title: 'The agency has no key with this key id' },
    UNTRUSTED_CERTIFICATE: { status: 422, title: 'The certificate does not chain to a configured trust anchor, or may not sign' },
    CERTIFICATE_REQUIRED: { status: 422, title: 'Keys must be registered by a certificate from a trusted CA here' },
    MAILBOX_TAKEN: { status: 409, title: 'This mail address already has live mail credentials of another agency' }
  },
  routing: {
    SENDER_MISMATCH: { status: 403, title: 'The sender is not the agency of the token' },
    SENDER_INACTIVE: { status: 403, title: 'The sending agency is not active' },
    UNKNOWN_RECIPIENT: { status: 422, title: 'A recipient is not in the directory' },
    INACTIVE_RECIPIENT: { status: 422, title: 'A recipient is suspended or retired' },
    SELF_ADDRESSED: { status: 422, title: 'An agency cannot send a document to itself' },
    EMPTY_GROUP: { status: 422, title: 'The recipient group resolves to no agency' },
    CLASSIFIED: { status: 422, title: 'Classified documents (mật, tối mật, tuyệt mật) may not enter the exchange' },
    IDEMPOTENCY_CONFLICT: { status: 409, title: 'This Idempotency-Key was used with a different body' },
    DUPLICATE_DOCUMENT: { status: 409, title: 'A different document with this number and notation was already sent' },
    DOCUMENT_NOT_FOUND: { status: 404, title: 'No such document of this sender' },
    SIGNATURE_REQUIRED: { status: 422, title: 'The document is not signed, and the signatures service holds no keys of the sender' },
    SIGNATURE_INVALID: { status: 422, title: 'A signature of the envelope is missing, invalid, or made with a key that may not sign it' },
    POLICY_REFUSED: { status: 403, title: 'The sending policy does not let this agency send to a recipient; the refusal names the rule' },
    TOO_MANY_RECIPIENTS: { status: 422, title: 'The document has more recipients than this exchange allows in one send' },
    ATTACHMENT_NOT_FOUND: { status: 422, title: 'An attachment the document names was not uploaded' },
    ATTACHMENT_MISMATCH: { status: 422, title: 'The attachment\u2019s bytes do not match its SHA-256 digest or size' },
    ATTACHMENT_TOO_LARGE: { status: 413, title: 'The attachment is larger than 100 MB' },
    ORIGINAL_NOT_FOUND: { status: 422, title: 'The document an update or replacement names is not a document of this sender' },
    RECALL_NOT_ALLOWED: { status: 409, title: 'This document cannot be recalled from these recipients' }
  },
  inbox: {
    ITEM_NOT_FOUND: { status: 404, title: 'No such item in this inbox' },
    TRANSITION_NOT_ALLOWED: { status: 409, title: 'This step is not allowed from the current state' },
    SIGNATURE_REQUIRED: { status: 422, title: 'The step needs the agency\u2019s signature of its receipt, and the signatures service holds no keys of the agency' },
    SIGNATURE_INVALID: { status: 422, title: 'The receipt signature is invalid, or made with a key that may not sign it' },
    RECEIPT_ALREADY_SIGNED: { status: 409, title: 'This step\u2019s receipt is already signed' },
    STEP_NOT_FOUND: { status: 404, title: 'The item has no step with this code' },
    ATTACHMENT_NOT_FOUND: { status: 404, title: 'The item has no attachment with this number' },
    RANGE_NOT_SATISFIABLE: { status: 416, title: 'The range lies outside the attachment' },
    ATTACHMENT_UNAVAILABLE: { status: 503, title: 'The attachment\u2019s bytes cannot be read right now; retry' },
    ITEM_WITHDRAWN: { status: 409, title: 'The sender recalled this document; it takes no more steps' },
    WORK_FILE_NOT_FOUND: { status: 404, title: 'No such work file of this agency' },
    WEBHOOK_TARGET_REFUSED: { status: 422, title: 'The webhook URL is not an https or http address on the public internet' },
    WEBHOOK_NOT_FOUND: { status: 404, title: 'This agency has no webhook' },
    EVENT_ID_INVALID: { status: 400, title: 'Last-Event-ID is not an event id of this stream' }
  },
  signatures: {
    AGENCY_NOT_FOUND: { status: 404, title: 'No active agency with this code in the directory' },
    NOT_IN_CUSTODY: { status: 404, title: 'The service holds no custody key of this agency' },
    INVALID_PAYLOAD: { status: 422, title: 'The value to sign or verify is not an envelope or a receipt' }
  },
  audit: {
    INVALID_PERIOD: { status: 400, title: 'The period is empty, reversed, or longer than ten years' },
    OUTSIDE_SUBTREE: { status: 403, title: 'The token may read only its own agency\u2019s subtree' },
    UNKNOWN_AGENCY: { status: 404, title: 'No agency with this code in the directory' }
  },
  mail: {
    AUTH_REQUIRED: { status: 401, title: 'Log in (SMTP AUTH) before sending' },
    AUTH_FAILED: { status: 401, title: 'Unknown mailbox or wrong password' },
    RELAY_DENIED: { status: 403, title: 'This server takes mail only for the exchange\u2019s own domain' },
    SENDER_MISMATCH: { status: 403, title: 'The sender address is not the mailbox that logged in' },
    UNKNOWN_RECIPIENT: { status: 422, title: 'No agency, group or reply address by this name' },
    INACTIVE_RECIPIENT: { status: 422, title: 'The agency is suspended or retired' },
    REPLY_TOKEN_USED: { status: 409, title: 'This document was already answered from this reply address' },
    REPLY_TOKEN_NOT_YOURS: { status: 403, title: 'This reply address belongs to another agency\u2019s copy' },
    ADDRESS_NOT_ALONE: { status: 422, title: 'A reply address or a group address goes alone in a mail' },
    TOO_MANY_RECIPIENTS: { status: 422, title: 'The mail has more recipients than one mail may have' },
    MESSAGE_TOO_LARGE: { status: 413, title: 'The mail is larger than the announced SIZE' },
    ATTACHMENT_TOO_LARGE: { status: 413, title: 'An attachment is larger than allowed' },
    MALFORMED_MIME: { status: 422, title: 'The mail is not well-formed MIME' },
    HEADER_NOT_ASCII: { status: 422, title: 'A header holds raw 8-bit bytes without SMTPUTF8' },
    ATTACHMENT_TYPE_MISMATCH: { status: 422, title: 'An attachment\u2019s bytes are not what its name or content type says' },
    CONVENTION_BROKEN: { status: 422, title: 'The mail does not follow the exchange\u2019s conventions (Số: line, step word)' },
    REFUSED_BY_EXCHANGE: { status: 422, title: 'The exchange refused the document; the reason is the exchange\u2019s code' },
    EXCHANGE_UNAVAILABLE: { status: 503, title: 'The exchange cannot take the document right now; the mail client will retry' }
  }
} as const satisfies Record<ServiceName, Record<string, ErrorKind>>

export type CommonErrorKind = keyof typeof COMMON_ERRORS
export type ServiceErrorKind<S extends ServiceName> = keyof typeof SERVICE_ERRORS[S]

/** The stable code of an error kind of a service, e.g. `RTE_UNKNOWN_RECIPIENT`. */
export function errorCode (service: ServiceName, kind: string): string {
  return `${SERVICE_PREFIXES[service]}_${kind}`
}

/** RFC 9457 problem details as every service answers them. */
export interface Problem {
  type: string
  title: string
  status: number
  code: string
  detail?: string
  instance?: string
  [extension: string]: unknown
}
