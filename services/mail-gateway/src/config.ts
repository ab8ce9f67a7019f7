import { z } from 'zod'
import { BaseConfig } from '@lienthong/platform'

const optionalText = z.string().optional().transform((v) => v === undefined || v.trim() === '' ? undefined : v.trim())

export const MailGatewayConfig = BaseConfig.extend({
  /** the HTTP side: health, readiness, metrics, the outbound queue for the operator */
  PORT: z.coerce.number().int().min(0).max(65535).default(7106),
  /** where officials' mail clients connect (submission, STARTTLS) */
  SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  /** the exchange's mail domain: `<agency code>@MAIL_DOMAIN`, `reply+<token>@MAIL_DOMAIN` */
  MAIL_DOMAIN: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, 'a domain name such as lienthong.local').default('lienthong.local'),
  /** the From of every mail the gateway sends; its address must be in MAIL_DOMAIN */
  MAIL_FROM_NAME: z.string().min(1).max(100).default('Liên thông văn bản'),
  MAIL_FROM_LOCAL: z.string().regex(/^[a-z0-9._-]+$/i).default('vanban'),
  /**
   * The SMTP server that outbound mail goes through (`smtp://host:port`, `smtps://…`, with
   * `user:pass@` if it wants a login). Unset: arrivals are queued and wait for one.
   */
  MAIL_RELAY_URL: optionalText,
  /** the exchange's public URLs, which the gateway calls as the official who logged in */
  REGISTRY_URL: z.url().default('http://127.0.0.1:7101'),
  ROUTING_URL: z.url().default('http://127.0.0.1:7102'),
  INBOX_URL: z.url().default('http://127.0.0.1:7103'),
  /** PEM files of the STARTTLS certificate; unset, a self-signed one is made at each start */
  SMTP_TLS_CERT: optionalText,
  SMTP_TLS_KEY: optionalText,
  /** the largest mail taken, announced in EHLO as SIZE */
  SMTP_MESSAGE_MAX: z.coerce.number().int().min(1024).default(35 * 1024 * 1024),
  /** the largest single attachment of a mail */
  SMTP_ATTACHMENT_MAX: z.coerce.number().int().min(1).default(25 * 1024 * 1024),
  /** the most recipients (agencies or groups) one mail may name */
  SMTP_RECIPIENTS_MAX: z.coerce.number().int().min(1).default(100),
  /** the most SMTP connections at once */
  SMTP_CLIENTS_MAX: z.coerce.number().int().min(1).default(200),
  /** how many mails are handed to the relay at once */
  OUTBOUND_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(16),
  /** the first retry of a mail the relay did not take; each later one waits twice as long */
  OUTBOUND_RETRY_MS: z.coerce.number().int().min(10).default(5_000),
  /** the longest wait between two tries */
  OUTBOUND_RETRY_MAX_MS: z.coerce.number().int().min(10).default(10 * 60_000),
  /** how often the queue is looked at for mails whose retry is due */
  OUTBOUND_POLL_MS: z.coerce.number().int().min(10).default(1_000),
  /** how long a mail stays claimed by the copy sending it, before another copy may try it */
  OUTBOUND_LEASE_MS: z.coerce.number().int().min(1_000).default(120_000)
}).transform((config) => ({
  ...config,
  mailFrom: { name: config.MAIL_FROM_NAME, address: `${config.MAIL_FROM_LOCAL}@${config.MAIL_DOMAIN}`.toLowerCase() },
  mailDomain: config.MAIL_DOMAIN.toLowerCase()
}))
export type MailGatewayConfig = z.infer<typeof MailGatewayConfig>
