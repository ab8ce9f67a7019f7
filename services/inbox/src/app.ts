import { fileURLToPath } from 'node:url'
import { jetstream } from '@nats-io/jetstream'
import { STREAMS, agencyOfKeyBucketKey } from '@lienthong/contracts'
import { AttachmentStore, CustodySigner, createServiceApp, errorFactory, openServiceResources, startOutboxSweeper, type ServiceApp } from '@lienthong/platform'
import type { InboxConfig } from './config.ts'
import type { InboxContext } from './context.ts'
import { startDeliveries } from './consumers/deliveries.ts'
import { startRecalls } from './consumers/recalls.ts'
import { startWebhookEvents } from './consumers/webhook-events.ts'
import * as schema from './db/schema.ts'
import { EventOutbox } from './domain/event-outbox.ts'
import { sweepOutbox } from './domain/outbox-sweeper.ts'
import { reawakenUnsignedSteps } from './domain/item-store.ts'
import { WebhookSender } from './domain/webhook-sender.ts'
import { TargetGuard } from './domain/webhook-target.ts'
import { acknowledgeRoutes } from './routes/acknowledge.ts'
import { attachmentRoutes } from './routes/attachments.ts'
import { eventRoutes } from './routes/events.ts'
import { inboxRoutes } from './routes/inbox.ts'
import { workFileRoutes } from './routes/work-files.ts'
import { webhookRoutes } from './routes/webhooks.ts'
import { inboxCountRoutes } from './routes/inbox-counts.ts'

const MIGRATIONS = fileURLToPath(new URL('./db/migrations', import.meta.url))

/** Inbox: each agency's received documents and the steps of handling them. */
export async function buildApp (config: InboxConfig): Promise<ServiceApp> {
  const res = await openServiceResources({ service: 'inbox', config, schema, migrationsFolder: MIGRATIONS, streams: [STREAMS.deliveries, STREAMS.statuses, STREAMS.recalls, STREAMS.events] })
  await Promise.all([res.keys.start(res.nc), res.directory.start(res.nc), res.agencyKeys.start(res.nc)])

  const app = await createServiceApp({
    service: 'inbox',
    title: 'lienthong inbox',
    description: "Each agency's inbox and the steps of handling its documents",
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    auth: { keys: res.keys, directory: res.directory },
    checks: res.checks
  })
  const js = jetstream(res.nc)
  const ctx: InboxContext = {
    config,
    db: res.db,
    js,
    events: new EventOutbox(res.db, js, (agency) => res.directory.get(agency)?.level ?? null, app.log),
    signatures: res.signatureChecker,
    custody: new CustodySigner(res.nc),
    fail: errorFactory('inbox'),
    log: app.log
  }
  res.agencyKeys.onChange((key) => {
    const agency = agencyOfKeyBucketKey(key)
    if (agency === undefined) return
    reawakenUnsignedSteps(ctx.db, agency)
      .then((n) => { if (n > 0) app.log.info({ agency, steps: n }, 'the agency\u2019s keys changed: its unsigned receipts are tried again') })
      .catch((err: unknown) => { app.log.warn({ err, agency }, 'could not retry unsigned receipts') })
  })
  const deliveries = await startDeliveries(res.nc, ctx)
  const recalls = await startRecalls(res.nc, ctx)
  const webhookGuard = new TargetGuard(config.WEBHOOK_ALLOW_PRIVATE)
  const webhookSender = new WebhookSender(ctx.db, {
    guard: webhookGuard,
    schedule: { baseMs: config.WEBHOOK_RETRY_BASE_MS, maxMs: config.WEBHOOK_RETRY_MAX_MS, giveUpMs: config.WEBHOOK_GIVE_UP_MS },
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    pollMs: config.WEBHOOK_POLL_MS,
    log: app.log
  })
  const webhookEvents = await startWebhookEvents(res.nc, ctx, () => { webhookSender.wake() })
  webhookSender.start()
  const stopSweeper = startOutboxSweeper('statuses', config.OUTBOX_SWEEP_MS, async () => await sweepOutbox(ctx, config.OUTBOX_SWEEP_MS), app.log)
  const stopEventSweeper = startOutboxSweeper('events', config.OUTBOX_SWEEP_MS, async () => await ctx.events.sweep(config.OUTBOX_SWEEP_MS), app.log)
  app.addHook('onClose', async () => {
    stopSweeper()
    stopEventSweeper()
    await deliveries.stop()
    await recalls.stop()
    await webhookEvents.stop()
    await webhookSender.stop()
    await res.close()
  })
  await app.register(async (scope) => { await inboxRoutes(scope as ServiceApp, ctx) })
  await app.register(async (scope) => { await workFileRoutes(scope as ServiceApp, ctx) })
  await app.register(async (scope) => { await eventRoutes(scope as ServiceApp, ctx) })
  await app.register(async (scope) => { await webhookRoutes(scope as ServiceApp, ctx, { guard: webhookGuard, wakeSender: () => { webhookSender.wake() } }) })
  await app.register(async (scope) => { await inboxCountRoutes(scope as ServiceApp, ctx) })
  await app.register(async (scope) => { await acknowledgeRoutes(scope as ServiceApp, ctx) })
  const attachments = await AttachmentStore.open(res.nc)
  await app.register(async (scope) => { await attachmentRoutes(scope as ServiceApp, ctx, attachments) })
  return app
}
