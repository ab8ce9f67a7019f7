import type { Directory } from '@lienthong/platform'
import { SmtpRefusal } from '../smtp/smtp-refusal.ts'
import { readMailAddress, type MailAddressTarget } from './mail-addresses.ts'
import type { Official } from './official-logins.ts'
import { findReplyToken } from './reply-tokens.ts'
import type { Sql } from 'postgres'

export interface RecipientCheckContext {
  directory: Directory
  sql: Sql
  domain: string
  recipientsMax: number
}

/**
 * What `RCPT TO` is answered: an address the exchange cannot deliver is refused there, with the
 * reason, before the client sends the mail at all. The sending policy and the group's members are
 * routing's to judge when the document is sent (its refusal comes at the end of DATA).
 */
export async function checkRecipient (ctx: RecipientCheckContext, official: Official, address: string, earlier: readonly string[]): Promise<MailAddressTarget> {
  const target = readMailAddress(address, ctx.domain)
  const before = earlier.map((a) => readMailAddress(a, ctx.domain))
  if (target.kind === 'elsewhere') throw new SmtpRefusal('RELAY_DENIED', `this server relays nothing; it takes mail for @${ctx.domain} only`)
  if (target.kind === 'unknown') throw new SmtpRefusal('UNKNOWN_RECIPIENT', `${address} is not an agency code, a group (commune.<code>) or a reply address`)
  if (before.length >= ctx.recipientsMax) throw new SmtpRefusal('TOO_MANY_RECIPIENTS', `at most ${ctx.recipientsMax} recipients in one mail; send the rest in another`)
  const alone = (t: MailAddressTarget): boolean => t.kind === 'reply' || t.kind === 'group'
  if (before.length > 0 && (alone(target) || before.some(alone))) {
    throw new SmtpRefusal('ADDRESS_NOT_ALONE', 'a reply address or a group address goes alone in a mail; send the others a mail of their own')
  }
  if (target.kind === 'reply') {
    const token = await findReplyToken(ctx.sql, target.token)
    if (token === undefined) throw new SmtpRefusal('UNKNOWN_RECIPIENT', 'no document was mailed with this reply address')
    if (token.recipient !== official.agency) throw new SmtpRefusal('REPLY_TOKEN_NOT_YOURS', `this reply address answers the copy of another agency, not ${official.agency}`)
    if (token.usedAt !== null) throw new SmtpRefusal('REPLY_TOKEN_USED', `document ${token.documentId} was already answered from this address`)
    checkAgency(ctx.directory, token.sender, official)
    return target
  }
  const code = target.kind === 'agency' ? target.code : target.group.of!
  checkAgency(ctx.directory, code, official, target.kind === 'group')
  return target
}

function checkAgency (directory: Directory, code: string, official: Official, isGroup = false): void {
  const entry = directory.get(code)
  if (entry === undefined) throw new SmtpRefusal('UNKNOWN_RECIPIENT', `no agency ${code} in the directory`)
  if (entry.status !== 'active') throw new SmtpRefusal('INACTIVE_RECIPIENT', `${code} is ${entry.status} since ${entry.statusSince.slice(0, 10)} and takes no documents`)
  if (!isGroup && code === official.agency) throw new SmtpRefusal('UNKNOWN_RECIPIENT', `${code} is your own agency; an agency does not send to itself`)
}
