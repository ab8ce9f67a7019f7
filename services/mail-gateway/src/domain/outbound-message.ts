import type Mail from 'nodemailer/lib/mailer'
import type { Directory } from '@lienthong/platform'
import { attachmentContentType, documentMail } from './document-mail.ts'
import type { AttachmentReader } from './attachment-reader.ts'
import { replyAddress } from './mail-addresses.ts'
import type { DocumentPayload, NoticePayload, QueuedMail } from './outbound-queue.ts'

export interface OutboundMessageContext {
  directory: Directory
  attachments: AttachmentReader
  from: { name: string, address: string }
  domain: string
}

/** The whole message of a queued mail, as nodemailer takes it: built at sending time, the same each try. */
export async function outboundMessage (ctx: OutboundMessageContext, mail: QueuedMail): Promise<Mail.Options> {
  const from = { name: ctx.from.name, address: ctx.from.address }
  if (mail.kind === 'notice') {
    const notice = mail.payload as NoticePayload
    return {
      from,
      to: mail.toAddress,
      messageId: mail.messageId,
      subject: notice.subject,
      text: notice.text,
      html: notice.html,
      ...(notice.inReplyTo !== undefined ? { inReplyTo: notice.inReplyTo, references: [notice.inReplyTo] } : {}),
      headers: { 'Auto-Submitted': 'auto-replied' }
    }
  }
  const { delivery, replyToken } = mail.payload as DocumentPayload
  const { envelope } = delivery
  const content = documentMail({
    delivery,
    senderName: ctx.directory.get(envelope.sender)?.name ?? envelope.sender,
    recipientName: ctx.directory.get(delivery.recipient)?.name ?? delivery.recipient,
    toAddress: mail.toAddress,
    from: `"${from.name.replace(/["\\]/g, '')}" <${from.address}>`,
    messageId: mail.messageId,
    replyTo: replyAddress(replyToken, ctx.domain)
  })
  const attachments = await Promise.all(envelope.attachments.map(async (a) => ({
    filename: a.name,
    contentType: attachmentContentType(a.name),
    content: await ctx.attachments.bytes(a)
  })))
  return {
    from,
    to: content.to,
    replyTo: content.replyTo,
    messageId: content.messageId,
    subject: content.subject,
    text: content.text,
    html: content.html,
    priority: content.priority,
    headers: { ...content.headers, 'Auto-Submitted': 'auto-generated' },
    attachments
  }
}
