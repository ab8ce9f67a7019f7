import type { MailCredentials } from './registry-admin.ts'

/** Where the mail gateway takes officials' mail: the stack's host and its SMTP port. */
export interface SmtpServer { host: string, port: number }

/** The gateway's SMTP port: MAIL_SMTP_PORT as the gateway reads it, 2525 unless set. */
export function smtpPort (env: NodeJS.ProcessEnv = process.env): number {
  const given = env.MAIL_SMTP_PORT
  if (given === undefined || given === '') return 2525
  const port = Number(given)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`MAIL_SMTP_PORT is not a port: ${given}`)
  return port
}

/**
 * What the operator hands the official: the login, shown this once, and the settings to type into
 * a mail client's outgoing server, in the words mail clients use for them.
 */
export function mailClientSettings (issued: MailCredentials, smtp: SmtpServer): string {
  return [
    `Mail credentials of ${issued.name} (${issued.agency}); the password is shown this once:`,
    `  username        ${issued.username}`,
    `  password        ${issued.password}`,
    'In the mail client, the outgoing server (SMTP):',
    `  server          ${smtp.host}`,
    `  port            ${smtp.port}`,
    '  security        STARTTLS',
    '  authentication  normal password',
    `  username        ${issued.username}`,
    ''
  ].join('\n')
}
