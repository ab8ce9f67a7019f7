import type { Sql } from 'postgres'

export interface ReplyToken {
  token: string
  documentId: string
  recipient: string
  sender: string
  /** as text: the service's Postgres client, shared with drizzle, reads timestamps as strings */
  usedAt: string | null
  claimedAt: string | null
}

/** A reply being sent holds its token this long at most; a gateway that died mid-way frees it then. */
const CLAIM_MS = 5 * 60_000

export async function findReplyToken (sql: Sql, token: string): Promise<ReplyToken | undefined> {
  const [row] = await sql<Array<{ token: string, document_id: string, recipient: string, sender: string, used_at: string | null, claimed_at: string | null }>>`
    select token, document_id, recipient, sender, used_at, claimed_at from mail.reply_tokens where token = ${token}`
  return row === undefined ? undefined : { token: row.token, documentId: row.document_id, recipient: row.recipient, sender: row.sender, usedAt: row.used_at, claimedAt: row.claimed_at }
}

/**
 * Takes the token for one reply: two mails answering with it at once cannot both go. False when it
 * is used, or another reply holds it.
 */
export async function claimReplyToken (sql: Sql, token: string): Promise<boolean> {
  const rows = await sql`
    update mail.reply_tokens set claimed_at = now()
    where token = ${token} and used_at is null and (claimed_at is null or claimed_at < now() - ${CLAIM_MS} * interval '1 millisecond')
    returning token`
  return rows.length > 0
}

/** The reply did not go: the token answers again. */
export async function releaseReplyToken (sql: Sql, token: string): Promise<void> {
  await sql`update mail.reply_tokens set claimed_at = null where token = ${token} and used_at is null`
}

export async function markReplyTokenUsed (sql: Sql, token: string, answerId: string): Promise<void> {
  await sql`update mail.reply_tokens set used_at = now(), answer_id = ${answerId} where token = ${token}`
}
