import { fileURLToPath } from 'node:url'
import { jetstream } from '@nats-io/jetstream'
import { STREAMS } from '@lienthong/contracts'
import { AttachmentStore, CustodySigner, TurnBatcher, createServiceApp, errorFactory, openServiceResources, startOutboxSweeper, type ServiceApp } from '@lienthong/platform'
import type { RoutingConfig } from './config.ts'
import type { RoutingContext } from './context.ts'
import { startStatusUpdates } from './consumers/status-updates.ts'
import * as schema from './db/schema.ts'
import { sweepOutbox } from './domain/outbox-sweeper.ts'
import { RoutingOutbox } from './domain/event-outbox.ts'
import { markPublished } from './domain/document-store.ts'
import { SendAdmission } from './domain/send-admission.ts'
import { attachmentRoutes } from './routes/attachments.ts'
import { documentRoutes } from './routes/documents.ts'
import { receiptRoutes } from './routes/receipts.ts'
import { recallRoutes } from './routes/recall.ts'

const MIGRATIONS = fileURLToPath(new URL('./db/migrations', import.meta.url))

/** Routing: accepts documents from senders and queues one delivery per recipient. */
export async function buildApp (config: RoutingConfig): Promise<ServiceApp> {
  const res = await openServiceResources({ service: 'routing', config, schema, migrationsFolder: MIGRATIONS, streams: [STREAMS.deliveries, STREAMS.statuses, STREAMS.recalls, STREAMS.events] })
  const { directory } = res
  await Promise.all([res.keys.start(res.nc), directory.start(res.nc), res.agencyKeys.start(res.nc)])

  const app = await createServiceApp({
    service: 'routing',
    title: 'lienthong routing',
    description: 'Accepts documents from senders, resolves recipients, and queues a delivery to each',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    auth: { keys: res.keys, directory },
    checks: {
      ...res.checks,
      directory: () => { if (directory.size === 0) throw new Error('the agency directory is empty') }
    }
  })
  const js = jetstream(res.nc)
  const ctx: RoutingContext = {
    config,
    db: res.db,
    js,
    directory,
    signatures: res.signatureChecker,
    custody: new CustodySigner(res.nc),
    attachments: await AttachmentStore.open(res.nc),
    events: new RoutingOutbox(res.db, js, (agency) => directory.get(agency)?.level ?? null, app.log),
    admission: new SendAdmission(config.SENDS_IN_FLIGHT_MAX),
    published: new TurnBatcher(async (ids) => { await markPublished(res.db, ids); return ids.map(() => undefined) }),
    fail: errorFactory('routing'),
    log: app.log
  }
  const statusUpdates = await startStatusUpdates(res.nc, ctx)
  const stopSweeper = startOutboxSweeper('documents', config.OUTBOX_SWEEP_MS, async () => await sweepOutbox(ctx, config.OUTBOX_SWEEP_MS), app.log)
  const stopEventSweeper = startOutboxSweeper('events', config.OUTBOX_SWEEP_MS, async () => await ctx.events.sweep(config.OUTBOX_SWEEP_MS), app.log)
  app.addHook('onClose', async () => {
    stopSweeper()
    stopEventSweeper()
    await statusUpdates.stop()
    await res.close()
  })
  await app.register(async (scope) => {
    await documentRoutes(scope as ServiceApp, ctx)
    await receiptRoutes(scope as ServiceApp, ctx)
    await recallRoutes(scope as ServiceApp, ctx)
  })
  // Its own scope: the upload's body is a stream, not JSON.
  await app.register(async (scope) => { await attachmentRoutes(scope as ServiceApp, ctx) })
  return app
}
