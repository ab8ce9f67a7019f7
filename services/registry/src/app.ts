import { fileURLToPath } from 'node:url'
import { jetstream } from '@nats-io/jetstream'
import { KV_BUCKETS, SCOPES, STREAMS } from '@lienthong/contracts'
import { loadTrustStore } from '@lienthong/crypto'
import { createServiceApp, errorFactory, openAuthKeysBucket, openBucket, openDirectoryBucket, openServiceResources, startOutboxSweeper, type ServiceApp } from '@lienthong/platform'
import type { RegistryConfig } from './config.ts'
import type { RegistryContext } from './context.ts'
import * as schema from './db/schema.ts'
import { ensureOperatorClient } from './domain/api-clients.ts'
import { RegistryOutbox } from './domain/event-outbox.ts'
import { allAgencies, countAgencies } from './domain/agencies.ts'
import { republishAgencyKeys } from './domain/agency-keys.ts'
import { publishDirectory } from './domain/directory-publisher.ts'
import { syncDirectory } from './domain/directory-sync.ts'
import { TokenKeyRing } from './domain/token-keys.ts'
import { AnswerCache } from './domain/answer-cache.ts'
import { agencyRoutes } from './routes/agencies.ts'
import { authTokenRoutes } from './routes/auth-token.ts'
import { clientRoutes } from './routes/clients.ts'
import { keyRoutes } from './routes/keys.ts'
import { mailCredentialRoutes } from './routes/mail-credentials.ts'

const MIGRATIONS = fileURLToPath(new URL('./db/migrations', import.meta.url))
const KEY_REFRESH_MS = 10_000

/** Registry: the directory of agencies, their keys and credentials, and the keys that sign access tokens. */
export async function buildApp (config: RegistryConfig): Promise<ServiceApp> {
  // Before anything opens: a bundle that cannot be read, or certificates required with nothing to
  // trust, is a configuration to fix, not one to run with.
  const trustStore = loadTrustStore(config.TRUST_ANCHORS)
  if (config.REQUIRE_CERTIFICATES && trustStore.size === 0) {
    throw new Error('REQUIRE_CERTIFICATES=true needs TRUST_ANCHORS: without anchors any self-made certificate would do')
  }
  const res = await openServiceResources({ service: 'registry', config, schema, migrationsFolder: MIGRATIONS, streams: [STREAMS.events] })
  const { db, nc } = res

  const keyRing = new TokenKeyRing(db, await openAuthKeysBucket(nc), config.TOKEN_TTL_SECONDS)
  await keyRing.refresh()
  for (const k of keyRing.published()) res.keys.set(k.kid, k)

  // The buckets are copies of the tables; re-publishing at start repairs a lost or stale copy.
  const agencyKeysBucket = await openBucket(nc, KV_BUCKETS.agencyKeys)
  await republishAgencyKeys(db, agencyKeysBucket)
  const directoryBucket = await openDirectoryBucket(nc)
  // A bucket holding fewer agencies than the table was lost or never filled: copy all of it.
  // Otherwise only what was committed but not yet published.
  if ((await directoryBucket.status()).values < await countAgencies(db)) await publishDirectory({ db, directoryBucket }, await allAgencies(db))
  else while (await syncDirectory({ db, directoryBucket }) > 0) { /* until caught up */ }
  await Promise.all([res.keys.start(nc), res.directory.start(nc)])


  const app = await createServiceApp({
    service: 'registry',
    title: 'lienthong registry',
    description: 'Agencies (QCVN 102:2016 codes), their keys and endpoints, credentials and access tokens',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    auth: { keys: res.keys, directory: res.directory, signing: keyRing.signing },
    checks: res.checks
  })
  const events = new RegistryOutbox(db, jetstream(nc), (agency) => res.directory.get(agency)?.level ?? null, app.log)
  if (config.OPERATOR_CLIENT_ID !== undefined && config.OPERATOR_CLIENT_SECRET !== undefined) {
    await ensureOperatorClient(db, events, config.OPERATOR_CLIENT_ID, config.OPERATOR_CLIENT_SECRET, [SCOPES.registryAdmin, SCOPES.inboxAdmin])
  }
  // Another registry copy may have rotated the signing key: follow the table.
  const refresher = setInterval(() => {
    keyRing.refresh().catch((err: unknown) => { app.log.warn({ err }, 'could not refresh token keys') })
  }, KEY_REFRESH_MS)
  refresher.unref()
  const answers = new AnswerCache()
  res.directory.onChange(() => { answers.clear() })
  const keyPolicy = { trustStore, requireCertificates: config.REQUIRE_CERTIFICATES }
  if (trustStore.size > 0) app.log.info({ anchors: trustStore.size, requireCertificates: config.REQUIRE_CERTIFICATES }, 'agency certificates must chain to the configured trust anchors')
  const ctx: RegistryContext = { config, db, directoryBucket, agencyKeysBucket, keyRing, answers, keyPolicy, events, fail: errorFactory('registry') }
  const stopSync = startOutboxSweeper('directory', config.DIRECTORY_SYNC_MS, async () => await syncDirectory(ctx, 2 * config.DIRECTORY_SYNC_MS), app.log)
  const stopEventSweeper = startOutboxSweeper('events', config.DIRECTORY_SYNC_MS, async () => await ctx.events.sweep(config.DIRECTORY_SYNC_MS), app.log)
  app.addHook('onClose', async () => {
    clearInterval(refresher)
    stopSync()
    stopEventSweeper()
    await res.close()
  })

  await app.register(async (scope) => {
    await authTokenRoutes(scope as ServiceApp, ctx)
    await agencyRoutes(scope as ServiceApp, ctx)
    await clientRoutes(scope as ServiceApp, ctx)
    await mailCredentialRoutes(scope as ServiceApp, ctx)
    await keyRoutes(scope as ServiceApp, ctx)
  })
  return app
}
