import { fileURLToPath } from 'node:url'
import { SCOPES } from '@lienthong/contracts'
import { createServiceApp, errorFactory, openAuthKeysBucket, openDirectoryBucket, openServiceResources, type ServiceApp } from '@lienthong/platform'
import type { RegistryConfig } from './config.ts'
import * as schema from './db/schema.ts'
import { ensureOperatorClient } from './domain/api-clients.ts'
import { allAgencies } from './domain/agencies.ts'
import { publishDirectory } from './domain/directory-publisher.ts'
import { currentSigningKey } from './domain/token-keys.ts'
import { agencyRoutes } from './routes/agencies.ts'
import { authTokenRoutes } from './routes/auth-token.ts'
import { clientRoutes } from './routes/clients.ts'

const MIGRATIONS = fileURLToPath(new URL('./db/migrations', import.meta.url))

/** Registry: the directory of agencies, their credentials, and the keys that sign access tokens. */
export async function buildApp (config: RegistryConfig): Promise<ServiceApp> {
  const res = await openServiceResources({ service: 'registry', config, schema, migrationsFolder: MIGRATIONS })
  const { db, nc } = res

  const { signing, published } = await currentSigningKey(db)
  const keysBucket = await openAuthKeysBucket(nc)
  for (const k of published) {
    await keysBucket.put(k.kid, JSON.stringify(k))
    res.keys.set(k.kid, k)
  }
  await res.keys.start(nc)

  const directoryBucket = await openDirectoryBucket(nc)
  // The bucket is a copy of the table; re-publishing at start repairs a lost or stale copy.
  await publishDirectory(directoryBucket, await allAgencies(db))

  if (config.OPERATOR_CLIENT_ID !== undefined && config.OPERATOR_CLIENT_SECRET !== undefined) {
    await ensureOperatorClient(db, config.OPERATOR_CLIENT_ID, config.OPERATOR_CLIENT_SECRET, [SCOPES.registryAdmin])
  }

  const app = await createServiceApp({
    service: 'registry',
    title: 'lienthong registry',
    description: 'Agencies (QCVN 102:2016 codes), credentials and access tokens',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT,
    auth: { keys: res.keys, signing: { kid: signing.kid, privateKeyPem: signing.privateKeyPem } },
    checks: res.checks
  })
  app.addHook('onClose', async () => { await res.close() })
  const ctx = { config, db, directoryBucket, fail: errorFactory('registry') }
  await app.register(async (scope) => {
    await authTokenRoutes(scope as ServiceApp, ctx)
    await agencyRoutes(scope as ServiceApp, ctx)
    await clientRoutes(scope as ServiceApp, ctx)
  })
  return app
}
