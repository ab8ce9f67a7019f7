import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { ensureServers } from '@lienthong/infra'

/**
 * A database of its own for one test file, on the project's test PostgreSQL (or the server
 * DATABASE_URL names), dropped at the end: files run in parallel without seeing each other.
 */
export async function createTestDatabase (): Promise<{ url: string, drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== ''
    ? process.env.DATABASE_URL
    : (await ensureServers('test', process.env, { nats: false })).databaseUrl
  const name = `lt_test_${randomBytes(6).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} })
      await sql.unsafe(`drop database if exists ${name} with (force)`)
      await sql.end()
    }
  }
}
