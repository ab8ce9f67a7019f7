import { SMTPServer, type SMTPServerSession } from 'smtp-server'
import type { FastifyBaseLogger } from 'fastify'
import { SmtpRefusal } from './smtp-refusal.ts'
import type { TlsMaterial } from './tls-certificate.ts'
import type { Official, OfficialLogins } from '../domain/official-logins.ts'
import { checkRecipient, type RecipientCheckContext } from '../domain/recipient-check.ts'
import { submitMail, type SubmissionContext } from '../domain/mail-submission.ts'

export interface SmtpDoorOptions {
  tls: TlsMaterial
  domain: string
  sizeMax: number
  clientsMax: number
  logins: OfficialLogins
  recipients: RecipientCheckContext
  submission: SubmissionContext
  log: FastifyBaseLogger
  onSubmitted?: (outcome: 'sent' | 'refused' | 'deferred') => void
}

/**
 * The SMTP door officials' mail clients talk to (submission): STARTTLS before AUTH, AUTH before
 * MAIL, the sender checked at MAIL FROM, every recipient at RCPT TO, the size announced (SIZE) and
 * held to, and the whole mail checked and sent at the end of DATA. The 250 comes only once the
 * exchange has the document durably (routing's 202).
 */
export function createSmtpDoor (opts: SmtpDoorOptions): SMTPServer {
  const officials = new Map<string, Official>()
  const officialOf = (session: SMTPServerSession): Official => {
    const official = officials.get(session.id)
    if (official === undefined) throw new SmtpRefusal('AUTH_REQUIRED', 'log in first (AUTH PLAIN or LOGIN, after STARTTLS)')
    return official
  }
  const refusalOf = (err: unknown): Error => {
    if (err instanceof SmtpRefusal) return err
    opts.log.error({ err }, 'a mail could not be handled')
    return new SmtpRefusal('EXCHANGE_UNAVAILABLE', 'the gateway failed on this mail; try again later')
  }

  const server = new SMTPServer({
    name: opts.domain,
    banner: 'lienthong mail gateway',
    secure: false,
    key: opts.tls.key,
    cert: opts.tls.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: false,
    // a password never crosses the network in the clear
    allowInsecureAuth: false,
    size: opts.sizeMax,
    maxClients: opts.clientsMax,
    // headers must be 7-bit (RFC 2047 words): a client that would send raw UTF-8 is not invited to
    hideSMTPUTF8: true,
    hideENHANCEDSTATUSCODES: true,
    hideDSN: true,
    disabledCommands: [],
    logger: false,
    onAuth (auth, session, callback) {
      if (auth.method !== 'PLAIN' && auth.method !== 'LOGIN') { callback(new SmtpRefusal('AUTH_FAILED', 'use AUTH PLAIN or LOGIN')); return }
      opts.logins.login(auth.username ?? '', auth.password ?? '', session.remoteAddress).then((result) => {
        if (result.ok) {
          officials.set(session.id, result.official)
          callback(null, { user: result.official.address })
          return
        }
        opts.log.info({ mailbox: auth.username, reason: result.reason, client: session.remoteAddress }, 'refused SMTP login')
        const err = new SmtpRefusal(result.temporary ? 'EXCHANGE_UNAVAILABLE' : 'AUTH_FAILED', result.temporary ? 'logins cannot be checked right now; try again later' : 'unknown mailbox or wrong password')
        if (result.temporary) (err as { responseCode: number }).responseCode = 454
        callback(err)
      }, (err: unknown) => { callback(refusalOf(err)) })
    },
    onMailFrom (address, session, callback) {
      try {
        const official = officialOf(session)
        if (address.address.toLowerCase() !== official.address) {
          throw new SmtpRefusal('SENDER_MISMATCH', `MAIL FROM must be ${official.address}, the mailbox that logged in`)
        }
        callback()
      } catch (err) { callback(refusalOf(err)) }
    },
    onRcptTo (address, session, callback) {
      let official: Official
      try { official = officialOf(session) } catch (err) { callback(refusalOf(err)); return }
      const earlier = session.envelope.rcptTo.map((a) => a.address)
      checkRecipient(opts.recipients, official, address.address, earlier).then(() => { callback() }, (err: unknown) => { callback(refusalOf(err)) })
    },
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      let size = 0
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length
        // past the limit the bytes are read and dropped: the client gets its 552 after its final dot
        if (size <= opts.sizeMax) chunks.push(chunk)
      })
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded === true || size > opts.sizeMax) {
          opts.onSubmitted?.('refused')
          callback(new SmtpRefusal('MESSAGE_TOO_LARGE', `the mail has more than ${opts.sizeMax} bytes (SIZE)`))
          return
        }
        let official: Official
        try { official = officialOf(session) } catch (err) { callback(refusalOf(err)); return }
        const recipients = session.envelope.rcptTo.map((a) => a.address)
        submitMail(opts.submission, { raw: Buffer.concat(chunks), official, recipients }).then((sent) => {
          opts.onSubmitted?.('sent')
          callback(null, `2.0.0 Da gui van ban ${sent.documentId} toi ${sent.recipients.length} co quan`)
        }, (err: unknown) => {
          const refusal = refusalOf(err)
          opts.onSubmitted?.(refusal instanceof SmtpRefusal && refusal.temporary ? 'deferred' : 'refused')
          callback(refusal)
        })
      })
    },
    onClose (session) {
      officials.delete(session.id)
    }
  })
  server.on('error', (err) => { opts.log.warn({ err }, 'SMTP connection error') })
  return server
}
