import postgres, { type Sql } from 'postgres'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'

export interface Database<TSchema extends Record<string, unknown>> {
  sql: Sql
  db: PostgresJsDatabase<TSchema>
}

export function openDatabase<TSchema extends Record<string, unknown>> (url: string, schema: TSchema, max = 10): Database<TSchema> {
  const sql = postgres(url, { max, onnotice: () => {} })
  return { sql, db: drizzle(sql, { schema }) }
}

/**
 * Applies a service's drizzle-kit migrations into its own Postgres schema. An advisory lock keyed
 * by the schema name lets several copies of a service start at once without racing.
 */
export async function migrateSchema (url: string, pgSchema: string, migrationsFolder: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await sql`select pg_advisory_lock(hashtext(${'lienthong-migrate-' + pgSchema}))`
    await migrate(drizzle(sql), { migrationsFolder, migrationsSchema: pgSchema, migrationsTable: '__migrations' })
  } finally {
    await sql.end({ timeout: 5 })
  }
}
