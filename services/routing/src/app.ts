import { fileURLToPath } from 'node:url'
import { jetstream } from '@nats-io/jetstream'
import { STREAMS } from '@lienthong/contracts'
import {
  AuthKeys, Directory, auth, connectNats, createServiceApp, ensureStreams, errorFactory, health, migrateSchema,
  openDatabase, startOutboxSweeper, type ServiceApp
} from '@lienthong/platform'
import type { RoutingConfig } from './config.ts'
import type { RoutingContext } from './context.ts'
import { startStatusUpdates } from './consumers/status-updates.ts'
import * as schema from './db/schema.ts'
import { sweepOutbox } from './domain/outbox-sweeper.ts'
import { documentRoutes } from './routes/documents.ts'

const MIGRATIONS = fileURLToPath(new URL('./db/migrations', import.meta.url))

/** Routing: accepts documents from senders and queues one delivery per recipient. */
export async function buildApp (config: RoutingConfig): Promise<ServiceApp> {
  await migrateSchema(config.DATABASE_URL, 'routing', MIGRATIONS)
  const { sql, db } = openDatabase(config.DATABASE_URL, schema)
  const nc = await connectNats(config.NATS_URL, 'routing')
  await ensureStreams(nc, [STREAMS.deliveries, STREAMS.statuses])
  const keys = new AuthKeys()
  const directory = new Directory()
  await Promise.all([keys.start(nc), directory.start(nc)])

  const app = await createServiceApp({
    service: 'routing',
    title: 'lienthong routing',
    description: 'Accepts documents from senders, resolves recipients, and queues a delivery to each',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT
  })
  const ctx: RoutingContext = { config, db, js: jetstream(nc), directory, fail: errorFactory('routing'), log: app.log }
  const statusUpdates = await startStatusUpdates(nc, ctx)
  const stopSweeper = startOutboxSweeper('documents', config.OUTBOX_SWEEP_MS, async () => await sweepOutbox(ctx, config.OUTBOX_SWEEP_MS), app.log)
  app.addHook('onClose', async () => {
    stopSweeper()
    await statusUpdates.stop()
    keys.stop()
    directory.stop()
    await nc.drain()
    await sql.end({ timeout: 5 })
  })

  await app.register(auth, { service: 'routing', keys })
  await app.register(health, {
    checks: {
      postgres: async () => { await sql`select 1` },
      nats: () => { if (nc.isClosed() || nc.isDraining()) throw new Error('nats connection closed') },
      directory: () => { if (directory.size === 0) throw new Error('the agency directory is empty') }
    }
  })
  await app.register(async (scope) => { await documentRoutes(scope as ServiceApp, ctx) })
  return app
}
