// The limits of the machine under the exchange: what its nats-server, its Postgres, one core's
// Ed25519 and a Fastify process take a second with nothing of the exchange's own work around them.
// An end-to-end figure is read beside the limit that bounds it: a delivery cannot be stored faster
// than JetStream stores a message, nor an arrival faster than Postgres takes a row.
// Each measure runs alone, one after another, so none slows another on a shared machine.
import { measureEd25519Verify, type Ed25519VerifyLimit } from './ed25519-verify.ts'
import { measureEmptyRoute, type HttpEmptyRouteLimit } from './empty-route.ts'
import { measureJetstreamPublish, type JetstreamPublishLimit } from './jetstream-publish.ts'
import { measurePostgresInserts, type PostgresInsertBatchedLimit, type PostgresInsertSingleLimit } from './postgres-insert.ts'

export type { Ed25519VerifyLimit, HttpEmptyRouteLimit, JetstreamPublishLimit, PostgresInsertBatchedLimit, PostgresInsertSingleLimit }

export interface MachineLimits {
  /** delivery messages (a signed envelope to ten communes, ~2 KB) stored and acknowledged, with a message id each */
  jetstreamPublish: JetstreamPublishLimit
  /** inbox rows, one per statement, from `concurrency` connections at once */
  postgresInsertSingle: PostgresInsertSingleLimit
  /** inbox rows in storeArrivals' unnest statement, `batch` rows each, one statement at a time */
  postgresInsertBatched: PostgresInsertBatchedLimit
  /** one core; what a detached JWS of an envelope signs (`messageBytes`) */
  ed25519Verify: Ed25519VerifyLimit
  /** a Fastify process's route that does nothing, `concurrency` requests at a time */
  httpEmptyRoute: HttpEmptyRouteLimit
}

export interface LimitsOptions {
  /** a database that holds the inbox's schema (a stack's): the rows go to a scratch copy of inbox.items */
  databaseUrl: string
  natsUrl: string
  /** how long each measure counts, after a short warm-up; 5 by default */
  seconds?: number
  log?: (line: string) => void
}

export async function measureLimits (opts: LimitsOptions): Promise<MachineLimits> {
  const seconds = opts.seconds ?? 5
  if (!(seconds > 0)) throw new RangeError(`a measure needs some seconds, not ${seconds}`)
  const log = opts.log ?? (() => {})
  const rate = (perSecond: number): string => `${Math.round(perSecond).toLocaleString('en')}/s`

  log(`Ed25519 verify on one core, ${seconds} s…`)
  const ed25519Verify = measureEd25519Verify({ seconds })
  log(`  ${rate(ed25519Verify.perSecond)} over ${ed25519Verify.messageBytes} bytes`)

  log(`HTTP: an empty Fastify route in its own process, ${seconds} s…`)
  const httpEmptyRoute = await measureEmptyRoute({ seconds })
  log(`  ${rate(httpEmptyRoute.perSecond)}, p50 ${httpEmptyRoute.p50Ms.toFixed(2)} ms, p99 ${httpEmptyRoute.p99Ms.toFixed(2)} ms at ${httpEmptyRoute.concurrency} at a time`)

  log(`Postgres: inbox rows into a scratch copy of inbox.items, ${seconds} s one by one and ${seconds} s in batches…`)
  const { single: postgresInsertSingle, batched: postgresInsertBatched } = await measurePostgresInserts(opts.databaseUrl, { seconds, log })
  log(`  one per statement: ${rate(postgresInsertSingle.perSecond)}, p50 ${postgresInsertSingle.p50Ms.toFixed(2)} ms, p99 ${postgresInsertSingle.p99Ms.toFixed(2)} ms at ${postgresInsertSingle.concurrency} at a time`)
  log(`  ${postgresInsertBatched.batch} per statement: ${rate(postgresInsertBatched.perSecond)}`)

  log(`JetStream: delivery messages to a file stream, ${seconds} s…`)
  const jetstreamPublish = await measureJetstreamPublish(opts.natsUrl, { seconds })
  log(`  ${rate(jetstreamPublish.perSecond)} of ${jetstreamPublish.messageBytes} bytes, ${jetstreamPublish.inFlight} in flight`)

  return { jetstreamPublish, postgresInsertSingle, postgresInsertBatched, ed25519Verify, httpEmptyRoute }
}
