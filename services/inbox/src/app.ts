import { fileURLToPath } from 'node:url'
import { jetstream } from '@nats-io/jetstream'
import { STREAMS } from '@lienthong/contracts'
import {
  AuthKeys, auth, connectNats, createServiceApp, ensureStreams, errorFactory, health, migrateSchema, openDatabase,
  startOutboxSweeper, type ServiceApp
} from '@lienthong/platform'
import type { InboxConfig } from './config.ts'
import type { InboxContext } from './context.ts'
import { startDeliveries } from './consumers/deliveries.ts'
import * as schema from './db/schema.ts'
import { sweepOutbox } from './domain/outbox-sweeper.ts'
import { inboxRoutes } from './routes/inbox.ts'

const MIGRATIONS = fileURLToPath(new URL('./db/migrations', import.meta.url))

/** Inbox: each agency's received documents and the steps of handling them. */
export async function buildApp (config: InboxConfig): Promise<ServiceApp> {
  await migrateSchema(config.DATABASE_URL, 'inbox', MIGRATIONS)
  const { sql, db } = openDatabase(config.DATABASE_URL, schema)
  const nc = await connectNats(config.NATS_URL, 'inbox')
  await ensureStreams(nc, [STREAMS.deliveries, STREAMS.statuses])
  const keys = new AuthKeys()
  await keys.start(nc)

  const app = await createServiceApp({
    service: 'inbox',
    title: 'lienthong inbox',
    description: "Each agency's inbox and the steps of handling its documents",
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT
  })
  const ctx: InboxContext = { config, db, js: jetstream(nc), fail: errorFactory('inbox'), log: app.log }
  const deliveries = await startDeliveries(nc, ctx)
  const stopSweeper = startOutboxSweeper('statuses', config.OUTBOX_SWEEP_MS, async () => await sweepOutbox(ctx, config.OUTBOX_SWEEP_MS), app.log)
  app.addHook('onClose', async () => {
    stopSweeper()
    await deliveries.stop()
    keys.stop()
    await nc.drain()
    await sql.end({ timeout: 5 })
  })

  await app.register(auth, { service: 'inbox', keys })
  await app.register(health, {
    checks: {
      postgres: async () => { await sql`select 1` },
      nats: () => { if (nc.isClosed() || nc.isDraining()) throw new Error('nats connection closed') }
    }
  })
  await app.register(async (scope) => { await inboxRoutes(scope as ServiceApp, ctx) })
  return app
}
