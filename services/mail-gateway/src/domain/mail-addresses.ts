import { GOVERNMENT_LEVELS, isAgencyCode, type GovernmentLevel, type RecipientGroup } from '@lienthong/contracts'

/**
 * What an address at the exchange's domain names. The local parts are the exchange's own:
 * - `000.00.31.H38@domain`: one agency, by its code;
 * - `commune.000.00.31.H38@domain`: every agency of a level under an agency (the communes of a
 *   district), as routing's `{group: "subtree", of, level}`;
 * - `children.000.00.31.H38@domain`: the agencies right under one;
 * - `reply+<token>@domain`: the answer to one mailed copy of a document.
 * Mail clients may change the case of a local part, so codes and words are read case-blind.
 */
export type MailAddressTarget =
  | { kind: 'agency', code: string }
  | { kind: 'group', group: RecipientGroup, label: string }
  | { kind: 'reply', token: string }
  | { kind: 'elsewhere', domain: string }
  | { kind: 'unknown', local: string }

const REPLY = /^reply\+([0-9a-f]{32})$/

export function readMailAddress (address: string, domain: string): MailAddressTarget {
  const at = address.lastIndexOf('@')
  const local = at < 0 ? address : address.slice(0, at)
  const host = at < 0 ? '' : address.slice(at + 1).toLowerCase()
  if (host !== domain.toLowerCase()) return { kind: 'elsewhere', domain: host }
  const lower = local.toLowerCase()
  const reply = REPLY.exec(lower)
  if (reply !== null) return { kind: 'reply', token: reply[1]! }
  const code = asCode(local)
  if (code !== undefined) return { kind: 'agency', code }
  const dot = local.indexOf('.')
  if (dot > 0) {
    const word = lower.slice(0, dot)
    const of = asCode(local.slice(dot + 1))
    if (of !== undefined && word === 'children') return { kind: 'group', group: { group: 'children', of }, label: lower }
    if (of !== undefined && (GOVERNMENT_LEVELS as readonly string[]).includes(word)) {
      return { kind: 'group', group: { group: 'subtree', of, level: word as GovernmentLevel }, label: lower }
    }
  }
  return { kind: 'unknown', local }
}

function asCode (text: string): string | undefined {
  const code = text.toUpperCase()
  return isAgencyCode(code) ? code : undefined
}

/** The address of an agency's own mailbox at the exchange (what officials write to). */
export function agencyAddress (code: string, domain: string): string {
  return `${code}@${domain}`
}

export function replyAddress (token: string, domain: string): string {
  return `reply+${token}@${domain}`
}
