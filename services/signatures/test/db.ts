// A migrated database of the test file's own, for the domain tests that need Postgres.
import { fileURLToPath } from 'node:url'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { Sql } from 'postgres'
import { migrateSchema, openDatabase } from '@lienthong/platform'
import { createTestDatabase } from '../../../test/harness/test-database.ts'
import * as schema from '../src/db/schema.ts'
import type { Teardown } from './fixtures.ts'

const MIGRATIONS = fileURLToPath(new URL('../src/db/migrations', import.meta.url))

export async function migratedDatabase (t: Teardown): Promise<{ db: PostgresJsDatabase<Record<string, unknown>>, sql: Sql }> {
  const test = await createTestDatabase()
  await migrateSchema(test.url, 'signatures', MIGRATIONS)
  const { db, sql } = openDatabase(test.url, schema)
  t.teardown(async () => {
    await sql.end({ timeout: 1 })
    await test.drop()
  })
  return { db, sql }
}
