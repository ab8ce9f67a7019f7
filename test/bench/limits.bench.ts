// The limits of this machine, alone: what its nats-server stores, its Postgres inserts, one core
// verifies and a Fastify process answers a second, with none of the exchange's own work around
// them (test/bench/limits/). The exchange bench measures the same on its stack and prints each
// end-to-end figure beside the limit that bounds it; this runs them without a stack, on a database
// with the inbox's schema and a nats-server of its own. Writes bench-results/limits-*.json.
//
//   pnpm lienthong bench limits [seconds per measure = 5]
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { migrateSchema } from '@lienthong/platform'
import { createTestDatabase } from '../harness/test-database.ts'
import { createTestNats } from '../harness/test-nats.ts'
import { loadLine, machineFacts, printTable, writeResult } from './bench-report.ts'
import { measureLimits } from './limits/machine-limits.ts'

const SECONDS = Number(process.argv[2] ?? 5)
const INBOX_MIGRATIONS = fileURLToPath(new URL('../../services/inbox/src/db/migrations', import.meta.url))

const loadAtStart = os.loadavg()
const teardowns: Array<() => Promise<void>> = []
try {
  const db = await createTestDatabase()
  teardowns.push(db.drop)
  const nats = await createTestNats()
  teardowns.push(nats.dispose)
  await migrateSchema(db.url, 'inbox', INBOX_MIGRATIONS)

  const limits = await measureLimits({ databaseUrl: db.url, natsUrl: nats.url, seconds: SECONDS, log: (line) => { process.stdout.write(`${line}\n`) } })

  const machine = machineFacts(loadAtStart)
  const rate = (perSecond: number): string => Math.round(perSecond).toLocaleString('en')
  const ms = (x: number): string => x.toFixed(2)
  const { jetstreamPublish: js, postgresInsertSingle: one, postgresInsertBatched: many, ed25519Verify: ed, httpEmptyRoute: web } = limits
  console.log(`\nlimits of the machine — ${machine.cpus} × ${machine.cpu ?? 'cpu'}, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GB, Node ${machine.node}; ${loadLine(machine)}`)
  console.log(`each measure alone for ${SECONDS} s after a short warm-up; the load generator shares the machine with what it loads\n`)
  printTable(['limit', 'per second', 'counted', 'p50 ms', 'p99 ms', 'how'], [
    ['JetStream publish (file stream, msg id)', rate(js.perSecond), String(js.messages), '', '', `${js.messageBytes} B delivery messages, ${js.inFlight} in flight`],
    ['Postgres insert, one row a statement', rate(one.perSecond), String(one.rows), ms(one.p50Ms), ms(one.p99Ms), `inbox.items copy with its indexes, ${one.concurrency} connections`],
    ['Postgres insert, batched (unnest)', rate(many.perSecond), String(many.rows), '', '', `${many.batch} rows a statement, one at a time`],
    ['Ed25519 verify, one core', rate(ed.perSecond), String(ed.verifies), '', '', `node:crypto, KeyObject, ${ed.messageBytes} B signed`],
    ['HTTP empty route (Fastify, own process)', rate(web.perSecond), String(web.requests), ms(web.p50Ms), ms(web.p99Ms), `node:http keep-alive, ${web.concurrency} at a time`]
  ])
  writeResult('limits', { machine, seconds: SECONDS, limits })
} finally {
  for (const fn of teardowns.reverse()) await fn()
}
