import { once } from 'node:events'
import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'

/**
 * A mail server standing in for an agency's: it takes whatever the gateway relays (no TLS, no
 * login, as a relay inside the province's network would), parses each mail with mailparser, and
 * can be stopped and started again on the same port.
 */
export class MailReceiver {
  readonly port: number
  readonly mails: ParsedMail[] = []
  #server: SMTPServer | undefined

  constructor (port: number) {
    this.port = port
  }

  get running (): boolean {
    return this.#server !== undefined
  }

  async start (): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      hideSTARTTLS: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      size: 200 * 1024 * 1024,
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then((mail) => { this.mails.push(mail); callback() }, (err: Error) => { callback(err) })
      }
    })
    server.listen(this.port, '127.0.0.1')
    await once(server.server, 'listening')
    this.#server = server
  }

  /** Stops at once: open connections are cut, as when the server goes down. */
  async stop (): Promise<void> {
    const server = this.#server
    if (server === undefined) return
    this.#server = undefined
    const closed = new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    for (const conn of (server as unknown as { connections: Set<{ close: () => void }> }).connections ?? []) conn.close()
    await closed
  }

  /** Mails by Message-ID: how many times each arrived. */
  counts (): Map<string, number> {
    const counts = new Map<string, number>()
    for (const m of this.mails) counts.set(m.messageId ?? '', (counts.get(m.messageId ?? '') ?? 0) + 1)
    return counts
  }

  async waitFor (n: number, timeoutMs = 60_000): Promise<ParsedMail[]> {
    const deadline = Date.now() + timeoutMs
    while (this.mails.length < n) {
      if (Date.now() > deadline) throw new Error(`${this.mails.length} of ${n} mails arrived in ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return this.mails
  }
}
