export const SCOPES = {
  documentsSend: 'documents:send',
  documentsRead: 'documents:read',
  inboxRead: 'inbox:read',
  inboxWrite: 'inbox:write',
  registryAdmin: 'registry:admin',
  /** the operator's hand on the inbox: webhook dead letters, across agencies */
  inboxAdmin: 'inbox:admin',
  auditRead: 'audit:read'
} as const
export type Scope = typeof SCOPES[keyof typeof SCOPES]

/** What an agency's document-management system may do as that agency. */
export const DMS_SCOPES: Scope[] = [SCOPES.documentsSend, SCOPES.documentsRead, SCOPES.inboxRead, SCOPES.inboxWrite]

export const TOKEN_ISSUER = 'lienthong-registry'
export const TOKEN_AUDIENCE = 'lienthong'

/** Claims of every access token: `sub` is the agency code the caller acts as. */
export interface AccessTokenClaims {
  sub: string
  scope: string
  cid: string
  /** for auditors: the agency code whose subtree the token may read */
  under?: string
  /**
   * for an official's mail credentials: the official's full name, so that what the mail gateway
   * does with the token can name who did it (a step's `official`); absent for a DMS or an operator
   */
  name?: string
}

/** The subject of an operator's token, which acts for no agency. */
export const OPERATOR_SUBJECT = 'operator'
