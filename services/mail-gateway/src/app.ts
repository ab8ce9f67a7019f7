import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { Counter } from 'prom-client'
import { STREAMS } from '@lienthong/contracts'
import { AttachmentStore, createServiceApp, errorFactory, openServiceResources, type ServiceApp } from '@lienthong/platform'
import type { MailGatewayConfig } from './config.ts'
import type { MailContext } from './context.ts'
import { startDeliveriesConsumer } from './consumers/deliveries.ts'
import * as schema from './db/schema.ts'
import { AttachmentReader } from './domain/attachment-reader.ts'
import { ExchangeClient } from './domain/exchange-client.ts'
import { OfficialLogins } from './domain/official-logins.ts'
import { outboundMessage } from './domain/outbound-message.ts'
import { OutboundSender } from './domain/outbound-sender.ts'
import { outboundRoutes } from './routes/outbound.ts'
import { createSmtpDoor } from './smtp/smtp-door.ts'
import { tlsMaterial } from './smtp/tls-certificate.ts'

const MIGRATIONS = fileURLToPath(new URL('./db/migrations', import.meta.url))

/**
 * The mail gateway: arrivals for agencies with a mailbox go out as mail (a queue of its own, sent
 * through the relay with retries), and officials' mail comes in at the SMTP door and goes to the
 * exchange as documents through its public API, as the official who logged in.
 */
export async function buildApp (config: MailGatewayConfig): Promise<ServiceApp> {
  const res = await openServiceResources({ service: 'mail', config, schema, migrationsFolder: MIGRATIONS, streams: [STREAMS.deliveries] })
  try {
    return await assemble(config, res)
  } catch (err) {
    await res.close()
    throw err
  }
}

async function assemble (config: MailGatewayConfig, res: Awaited<ReturnType<typeof openServiceResources<typeof schema>>>): Promise<ServiceApp> {
  const { directory } = res
  await Promise.all([res.keys.start(res.nc), directory.start(res.nc)])
  const attachments = await AttachmentStore.open(res.nc)
  const tls = await tlsMaterial({ certFile: config.SMTP_TLS_CERT, keyFile: config.SMTP_TLS_KEY, domain: config.mailDomain })

  const app = await createServiceApp({
    service: 'mail',
    title: 'lienthong mail gateway',
    description: 'Arrivals delivered to agencies\u2019 mailboxes, and officials\u2019 mail taken in as documents (SMTP on its own port)',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    auth: { keys: res.keys, directory },
    checks: {
      ...res.checks,
      directory: () => { if (directory.size === 0) throw new Error('the agency directory is empty') }
    }
  })
  const ctx: MailContext = { config, db: res.db, sql: res.sql, directory, attachments, fail: errorFactory('mail'), log: app.log }

  const mails = new Counter({ name: 'lienthong_mail_outbound_total', help: 'Outbound mails by outcome of a try', labelNames: ['outcome'], registers: [app.metrics] })
  const submissions = new Counter({ name: 'lienthong_mail_inbound_total', help: 'Officials\u2019 mails at the end of DATA, by outcome', labelNames: ['outcome'], registers: [app.metrics] })

  const composing = { directory, attachments: new AttachmentReader(attachments), from: config.mailFrom, domain: config.mailDomain }
  const sender = config.MAIL_RELAY_URL === undefined
    ? undefined
    : new OutboundSender({
      sql: res.sql,
      relayUrl: config.MAIL_RELAY_URL,
      message: async (mail) => await outboundMessage(composing, mail),
      concurrency: config.OUTBOUND_CONCURRENCY,
      retryMs: config.OUTBOUND_RETRY_MS,
      retryMaxMs: config.OUTBOUND_RETRY_MAX_MS,
      pollMs: config.OUTBOUND_POLL_MS,
      leaseMs: config.OUTBOUND_LEASE_MS,
      log: app.log,
      onOutcome: (outcome) => { mails.inc({ outcome }) }
    })
  if (sender === undefined) app.log.warn('MAIL_RELAY_URL is not set: arrivals for mailboxes are queued and wait for a relay')
  const queued = (): void => { sender?.nudge() }

  const exchange = new ExchangeClient({ registry: config.REGISTRY_URL, routing: config.ROUTING_URL, inbox: config.INBOX_URL })
  const door = createSmtpDoor({
    tls,
    domain: config.mailDomain,
    sizeMax: config.SMTP_MESSAGE_MAX,
    clientsMax: config.SMTP_CLIENTS_MAX,
    logins: new OfficialLogins(exchange),
    recipients: { directory, sql: res.sql, domain: config.mailDomain, recipientsMax: config.SMTP_RECIPIENTS_MAX },
    submission: { sql: res.sql, directory, exchange, domain: config.mailDomain, attachmentMax: config.SMTP_ATTACHMENT_MAX, log: app.log, queued },
    log: app.log,
    onSubmitted: (outcome) => { submissions.inc({ outcome }) }
  })

  const consumer = await startDeliveriesConsumer(res.nc, ctx, queued)
  sender?.start()
  door.listen(config.SMTP_PORT, config.HOST)
  await once(door.server, 'listening')
  app.log.info({ port: config.SMTP_PORT, domain: config.mailDomain, relay: config.MAIL_RELAY_URL !== undefined }, 'SMTP door open')

  app.addHook('onClose', async () => {
    await new Promise<void>((resolve) => { door.close(() => { resolve() }) })
    await consumer.stop()
    await sender?.stop()
    await res.close()
  })
  await app.register(async (scope) => { await outboundRoutes(scope as ServiceApp, ctx) })
  return app
}
