import type { NatsConnection } from '@nats-io/transport-node'
import type { Sql } from 'postgres'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { ServiceName } from '@lienthong/contracts'
import { AuthKeys } from './auth-keys.ts'
import { Directory } from './directory.ts'
import { loadTrustStore } from '@lienthong/crypto'
import { AgencyKeysMirror } from './agency-keys-mirror.ts'
import { SignatureChecker } from './signature-check.ts'
import type { BaseConfig } from './config.ts'
import { migrateSchema, openDatabase } from './database.ts'
import type { ReadinessCheck } from './health.ts'
import { connectNats, ensureStreams, type StreamDefinition } from './nats.ts'

export interface ServiceResources<TSchema extends Record<string, unknown>> {
  sql: Sql
  db: PostgresJsDatabase<TSchema>
  nc: NatsConnection
  keys: AuthKeys
  /** the agency directory, mirrored from registry's KV bucket */
  directory: Directory
  /** every agency's public keys and certificates, mirrored from registry's KV bucket */
  agencyKeys: AgencyKeysMirror
  /** checks signatures against `agencyKeys` and the configured trust anchors */
  signatureChecker: SignatureChecker
  /** the checks `/readyz` runs: Postgres answers, NATS is connected */
  checks: Record<string, ReadinessCheck>
  close: () => Promise<void>
}

/**
 * What every service holds: its own Postgres schema (migrated first), a NATS connection with the
 * streams it uses, the keys that verify access tokens and the agency directory (both mirrors are
 * created here and started by the service, once what it publishes itself is in place).
 */
export async function openServiceResources<TSchema extends Record<string, unknown>> (opts: {
  service: ServiceName
  config: BaseConfig
  schema: TSchema
  migrationsFolder: string
  streams?: readonly StreamDefinition[]
}): Promise<ServiceResources<TSchema>> {
  await migrateSchema(opts.config.DATABASE_URL, opts.service, opts.migrationsFolder)
  const { sql, db } = openDatabase(opts.config.DATABASE_URL, opts.schema)
  const nc = await connectNats(opts.config.NATS_URL, opts.service)
  if (opts.streams !== undefined) await ensureStreams(nc, opts.streams)
  const keys = new AuthKeys()
  const directory = new Directory()
  const agencyKeys = new AgencyKeysMirror()
  const trust = loadTrustStore(opts.config.TRUST_ANCHORS)
  // Required certificates with nothing to chain them to would accept any self-made one.
  if (opts.config.REQUIRE_CERTIFICATES && trust.size === 0) {
    await nc.drain()
    await sql.end({ timeout: 5 })
    throw new Error('REQUIRE_CERTIFICATES=true needs TRUST_ANCHORS: a PEM bundle of the CAs certificates must chain to')
  }
  const signatureChecker = new SignatureChecker(agencyKeys, {
    trust,
    requireCertificates: opts.config.REQUIRE_CERTIFICATES
  })
  return {
    sql,
    db,
    nc,
    keys,
    directory,
    agencyKeys,
    signatureChecker,
    checks: {
      postgres: async () => { await sql`select 1` },
      nats: () => { if (nc.isClosed() || nc.isDraining()) throw new Error('nats connection closed') }
    },
    close: async () => {
      keys.stop()
      directory.stop()
      agencyKeys.stop()
      await nc.drain()
      await sql.end({ timeout: 5 })
    }
  }
}
