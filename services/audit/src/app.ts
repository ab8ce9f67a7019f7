import { fileURLToPath } from 'node:url'
import { STREAMS } from '@lienthong/contracts'
import { CustodySigner, createServiceApp, errorFactory, openServiceResources, type ServiceApp } from '@lienthong/platform'
import type { AuditConfig } from './config.ts'
import type { AuditContext } from './context.ts'
import { startLedgerConsumer } from './consumers/ledger-events.ts'
import * as schema from './db/schema.ts'
import { Checkpointer } from './domain/checkpoints.ts'
import { dashboardRoutes } from './routes/dashboard.ts'
import { ledgerRoutes } from './routes/ledger.ts'
import { reportRoutes } from './routes/reports.ts'

const MIGRATIONS = fileURLToPath(new URL('./db/migrations', import.meta.url))

/** Audit: the ledger of every event, the measure's rollups, and the auditors' reports. */
export async function buildApp (config: AuditConfig): Promise<ServiceApp> {
  const res = await openServiceResources({ service: 'audit', config, schema, migrationsFolder: MIGRATIONS, streams: [STREAMS.events] })
  await Promise.all([res.keys.start(res.nc), res.directory.start(res.nc), res.agencyKeys.start(res.nc)])
  const app = await createServiceApp({
    service: 'audit',
    title: 'lienthong audit',
    description: 'The hash-chained ledger of every event, and the share of work files handled fully online per level',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    auth: { keys: res.keys, directory: res.directory },
    checks: res.checks
  })
  const ctx: AuditContext = { config, sql: res.sql, directory: res.directory, signatures: res.signatureChecker, fail: errorFactory('audit'), log: app.log }
  const checkpointer = new Checkpointer(res.sql, new CustodySigner(res.nc), { every: config.CHECKPOINT_EVERY, intervalMs: config.CHECKPOINT_MS, agency: config.CHECKPOINT_AGENCY }, app.log)
  await checkpointer.start()
  const ledger = await startLedgerConsumer(res.nc, res.sql, {
    batch: config.LEDGER_BATCH,
    ackWaitMs: config.ACK_WAIT_MS,
    log: app.log,
    onAppended: (head) => { checkpointer.headMoved(head) }
  })
  app.addHook('onClose', async () => {
    await ledger.stop()
    await checkpointer.stop()
    await res.close()
  })
  await app.register(async (scope) => { await reportRoutes(scope as ServiceApp, ctx) })
  await app.register(async (scope) => { await ledgerRoutes(scope as ServiceApp, ctx) })
  await app.register(dashboardRoutes)
  return app
}
