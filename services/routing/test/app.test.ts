import t from 'tap'
import { loadConfig } from '@lienthong/platform'
import { buildApp } from '../src/app.ts'
import { RoutingConfig } from '../src/config.ts'
import { createTestDatabase } from '../../../test/harness/test-database.ts'
import { createTestNats } from '../../../test/harness/test-nats.ts'

t.test('certificates required with no trust anchor to chain them to: routing refuses to start', async (t) => {
  const db = await createTestDatabase()
  const nats = await createTestNats()
  t.teardown(async () => { await nats.dispose(); await db.drop() })
  const config = loadConfig(RoutingConfig, { DATABASE_URL: db.url, NATS_URL: nats.url, LOG_LEVEL: 'silent', REQUIRE_CERTIFICATES: 'true' })
  await t.rejects(buildApp(config), /REQUIRE_CERTIFICATES=true needs TRUST_ANCHORS/)
})
