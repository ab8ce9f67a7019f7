import { createHash, randomBytes } from 'node:crypto'

/**
 * The Message-ID of a document's mail to one recipient: the same whoever builds it and however
 * often, so a mail sent again after a crash is recognisably the same mail, and a second queueing
 * of one delivery meets the first in the queue's unique index.
 */
export function documentMessageId (documentId: string, recipient: string, domain: string): string {
  return `<d.${digest(`${documentId}\n${recipient}`)}@${domain}>`
}

/** The Message-ID of the gateway's answer to an official's mail, from what identifies that mail. */
export function noticeMessageId (submissionKey: string, outcome: 'sent' | 'refused', domain: string): string {
  return `<n.${digest(`${submissionKey}\n${outcome}`)}@${domain}>`
}

/** 128 random bits: nobody finds a reply address by trying. */
export function newReplyToken (): string {
  return randomBytes(16).toString('hex')
}

function digest (text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40)
}
