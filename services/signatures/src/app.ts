import { fileURLToPath } from 'node:url'
import { agencyOfKeyBucketKey } from '@lienthong/contracts'
import { createServiceApp, errorFactory, openServiceResources, type ServiceApp } from '@lienthong/platform'
import type { SignaturesConfig } from './config.ts'
import type { SignaturesContext } from './context.ts'
import { startCustodySignResponder } from './consumers/custody-sign-responder.ts'
import * as schema from './db/schema.ts'
import { CustodyKeyRing } from './domain/custody-key-ring.ts'
import { custodyKeysOf } from './domain/custody-keys.ts'
import { resealUnderCurrentMasterKey } from './domain/master-key-rotation.ts'
import { custodyRoutes } from './routes/custody.ts'
import { verificationRoutes } from './routes/verification.ts'

const MIGRATIONS = fileURLToPath(new URL('./db/migrations', import.meta.url))

/**
 * Signatures: holds the keys of agencies that let the service sign for them (sealed under a master
 * key), answers the operator's enrolment and rotation over HTTP, and signs envelopes and receipts
 * for routing and inbox over NATS.
 */
export async function buildApp (config: SignaturesConfig): Promise<ServiceApp> {
  const res = await openServiceResources({ service: 'signatures', config, schema, migrationsFolder: MIGRATIONS })
  try {
    return await assemble(config, res)
  } catch (err) {
    await res.close()
    throw err
  }
}

async function assemble (config: SignaturesConfig, res: Awaited<ReturnType<typeof openServiceResources<typeof schema>>>): Promise<ServiceApp> {
  const { directory, agencyKeys } = res
  const masterKeys = config.masterKeys
  // Before anything signs: keys sealed under an older master key move to the current one.
  const { resealed } = await resealUnderCurrentMasterKey(res.db, masterKeys)
  // Both mirrors have their whole bucket before the app exists, so nothing is signed or refused
  // against a half-loaded directory or key set.
  await Promise.all([res.keys.start(res.nc), directory.start(res.nc), agencyKeys.start(res.nc)])

  const app = await createServiceApp({
    service: 'signatures',
    title: 'lienthong signatures',
    description: 'Custody keys of agencies that let the service sign for them: enrolment, rotation, and signing over NATS',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    auth: { keys: res.keys, directory },
    checks: {
      ...res.checks,
      directory: () => { if (directory.size === 0) throw new Error('the agency directory is empty') }
    }
  })
  app.log.info({ masterKey: masterKeys.currentId, masterKeys: masterKeys.ids.length, resealed }, 'custody keys sealed under the current master key')

  const ring = new CustodyKeyRing({
    load: async (agencies) => await custodyKeysOf(res.db, agencies),
    masters: masterKeys,
    agencyKeys,
    ttlMs: config.KEY_CACHE_MS,
    onUnreadable: (err) => { app.log.error({ err }, 'a custody key does not open; it cannot sign') }
  })
  // A key signs once the registry publishes it; any change to an agency's registered keys makes
  // every copy read that agency's custody keys again (a copy other than the enrolling one learns
  // of a new key this way).
  agencyKeys.onChange((key) => {
    const agency = agencyOfKeyBucketKey(key)
    if (agency !== undefined) ring.invalidate(agency)
  })

  const ctx: SignaturesContext = { config, db: res.db, masterKeys, directory, agencyKeys, ring, signatureChecker: res.signatureChecker, fail: errorFactory('signatures'), log: app.log }
  const responder = startCustodySignResponder(res.nc, { ring, directory, log: app.log, metrics: app.metrics })
  app.addHook('onClose', async () => {
    await responder.stop()
    await res.close()
  })
  await app.register(async (scope) => {
    await custodyRoutes(scope as ServiceApp, ctx)
    await verificationRoutes(scope as ServiceApp, ctx)
  })
  return app
}
