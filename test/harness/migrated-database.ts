// A migrated database of the test file's own, for the domain tests of a service that need Postgres.
import { migrateSchema, openDatabase } from '@lienthong/platform'
import { createTestDatabase } from './test-database.ts'

export interface Teardown { teardown: (fn: () => Promise<void> | void) => void }

export async function migratedDatabase (t: Teardown, service: { schemaName: string, migrations: string, schema: Record<string, unknown>, maxConnections?: number }): Promise<ReturnType<typeof openDatabase>> {
  const test = await createTestDatabase()
  await migrateSchema(test.url, service.schemaName, service.migrations)
  const { db, sql } = openDatabase(test.url, service.schema, service.maxConnections)
  t.teardown(async () => {
    await sql.end({ timeout: 1 })
    await test.drop()
  })
  return { db, sql }
}

/** Logs nothing: the domain functions under test take a logger but the tests look at their effects. */
export const quietLog = { warn: () => {}, info: () => {}, error: () => {}, debug: () => {} } as never
