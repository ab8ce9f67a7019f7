// Issue 7's audit targets: the ledger takes at least 20,000 events/s, and the online-share report
// over 10 million work files in a year answers with p99 under 50 ms. Not a test: a missed target
// shows as "NO". Writes bench-results/audit-*.json.
//
//   pnpm lienthong bench audit [ledger events = 200000] [work files = 10000000] [report requests per case = 200]
//
// The ledger part publishes a realistic mix of inbox events to a nats-server of its own and times
// the audit's ledger consumer taking them into Postgres (chain, dedupe, work files, rollups, one
// transaction per batch). The report part writes a year of work files straight into Postgres,
// spread over every Lào Cai agency, builds the rollups from them with the measure's rules, and
// times the report's queries as the route runs them.
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import { connect } from '@nats-io/transport-node'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import postgres from 'postgres'
import { STREAMS, codeToSubjectTokens } from '@lienthong/contracts'
import { ensureStreams, migrateSchema } from '@lienthong/platform'
import { laocaiDirectory } from '@lienthong/seeds'
import { createTestDatabase } from '../harness/test-database.ts'
import { createTestNats } from '../harness/test-nats.ts'
import { startLedgerConsumer } from '../../services/audit/src/consumers/ledger-events.ts'
import { ledgerHead } from '../../services/audit/src/domain/ledger-append.ts'
import { onlineShareReport } from '../../services/audit/src/domain/online-share-report.ts'
import { prng, randomWorkload } from '../../services/audit/test/fixtures/workload.ts'
import { loadLine, machineFacts, printTable, writeResult } from './bench-report.ts'
import { percentile } from './latency.ts'

const EVENTS = Number(process.argv[2] ?? 200_000)
const FILES = Number(process.argv[3] ?? 10_000_000)
const REQUESTS = Number(process.argv[4] ?? 200)
const loadAtStart = os.loadavg()
const MIGRATIONS = fileURLToPath(new URL('../../services/audit/src/db/migrations', import.meta.url))
const quiet = { warn: () => {}, info: () => {}, error: () => {}, debug: () => {}, trace: () => {}, fatal: () => {}, child: () => quiet, level: 'silent', silent: () => {} } as never

const db = await createTestDatabase()
const nats = await createTestNats()
const sql = postgres(db.url, { max: 10, onnotice: () => {} })
try {
  await migrateSchema(db.url, 'audit', MIGRATIONS)
  const ledger = await ledgerThroughput()
  const report = await reportLatency()
  const machine = machineFacts(loadAtStart)
  printTable(['ledger', 'events', 'seconds', 'events/s', 'target ≥ 20,000/s'], [['consumer from EVENTS into Postgres', String(ledger.events), ledger.seconds.toFixed(2), ledger.perSecond.toFixed(0), ledger.perSecond >= 20_000 ? 'yes' : 'NO']])
  process.stdout.write('\n')
  printTable(['report over a year (' + FILES.toLocaleString('en') + ' work files)', 'p50 ms', 'p99 ms', 'max ms', 'target p99 < 50 ms'],
    report.map((r) => [r.name, r.p50.toFixed(1), r.p99.toFixed(1), r.max.toFixed(1), r.p99 < 50 ? 'yes' : 'NO']))
  process.stdout.write(`\n${machine.cpu ?? '?'} × ${machine.cpus}, Node ${machine.node}; ${loadLine(machine)}\n`)
  writeResult('audit', { machine, ledger, report, files: FILES })
} finally {
  await sql.end({ timeout: 5 })
  await nats.dispose()
  await db.drop()
}

async function ledgerThroughput (): Promise<{ events: number, seconds: number, perSecond: number }> {
  const nc = await connect({ servers: nats.url })
  await ensureStreams(nc, [STREAMS.events])
  const js = jetstream(nc)
  const random = prng(7)
  let published = 0
  while (published < EVENTS) {
    const batch = randomWorkload(random, 2_000, new Date('2025-01-01T00:00:00Z'), 360).slice(0, EVENTS - published)
    await Promise.all(batch.map(async (e) => await js.publish(e.subject, JSON.stringify(e.event), { msgID: e.eventId })))
    published += batch.length
  }
  // Repeats in the workload are dropped by JetStream's dedupe: count what the stream holds.
  const info = await (await jetstreamManager(nc)).streams.info(STREAMS.events.name)
  const inStream = info.state.messages
  const started = performance.now()
  const consumer = await startLedgerConsumer(nc, sql, { batch: 2_000, ackWaitMs: 60_000, log: quiet, onAppended: () => {} })
  while ((await ledgerHead(sql)).seq < inStream) await new Promise((resolve) => setTimeout(resolve, 50))
  const seconds = (performance.now() - started) / 1000
  await consumer.stop()
  await nc.close()
  return { events: inStream, seconds, perSecond: inStream / seconds }
}

async function reportLatency (): Promise<Array<{ name: string, p50: number, p99: number, max: number }>> {
  const agencies = laocaiDirectory()
  const directory = new Map(agencies.map((a) => [a.code, { ...a, parent: null, status: 'active', statusSince: '', endpoints: { webhookUrl: null, mailbox: null }, version: 1 }]))
  const view = { get: (code: string) => directory.get(code) as never, values: () => directory.values() as never }
  await sql`truncate audit.work_files, audit.daily_rollups, audit.monthly_rollups`
  await sql.begin(async (tx) => {
    await tx`create temporary table agencies_seed (n int primary key, code text, level text, path text) on commit drop`
    await tx`insert into agencies_seed select n::int, code, level, path from unnest(${agencies.map((_, i) => String(i))}::text[], ${agencies.map((a) => a.code)}::text[], ${agencies.map((a) => a.level)}::text[], ${agencies.map((a) => codeToSubjectTokens(a.code))}::text[]) as u(n, code, level, path)`
    // A year of files: 99 % completed at a random moment of 2025, 1 % still open; 1 in 12 with a paper step.
    await tx`
      insert into audit.work_files (id, agency, path, level, origin, signatures_valid, paper, state, opened_at, due_at, due_set_at, closed_at, completed_at, completed_level)
      select gen_random_uuid(), a.code, a.path, a.level, case when g % 20 = 0 then 'dms' else 'exchange' end, true, g % 12 = 0,
             case when g % 100 = 0 then '05' else '06' end, t, t + interval '10 days', t,
             case when g % 100 = 0 then null else t + interval '2 days' end, case when g % 100 = 0 then null else t + interval '2 days' end, a.level
      from generate_series(1::bigint, ${FILES}::bigint) g
      join agencies_seed a on a.n = (g * 7919) % ${agencies.length}
      cross join lateral (select timestamptz '2025-01-01 00:00+07' + ((g * 104729) % 31449600) * interval '1 second' as t) x`
  })
  // The rollups the consumer keeps, built here from the files with the same rules.
  await sql`insert into audit.daily_rollups (day, level, agency, path, closed, online)
    select (completed_at at time zone 'Asia/Ho_Chi_Minh')::date, completed_level, agency, path, count(*), count(*) filter (where origin = 'exchange' and signatures_valid and not paper)
    from audit.work_files where completed_at is not null group by 1, 2, 3, 4`
  await sql`insert into audit.monthly_rollups (month, level, agency, path, closed, online)
    select date_trunc('month', day)::date, level, agency, path, sum(closed), sum(online) from audit.daily_rollups group by 1, 2, 3, 4`
  await sql`analyze audit.work_files`
  await sql`analyze audit.daily_rollups`
  await sql`analyze audit.monthly_rollups`
  const cases: Array<[string, Parameters<typeof onlineShareReport>[2]]> = [
    ['the province, 2025, per level', { from: '2025-01-01', to: '2025-12-31', under: null, by: 'level' }],
    ['the province, 2025, per month', { from: '2025-01-01', to: '2025-12-31', under: '000.00.00.H38', by: 'month' }],
    ['the province, 2025, per agency', { from: '2025-01-01', to: '2025-12-31', under: '000.00.00.H38', by: 'agency' }],
    ['a district, 2025, per agency', { from: '2025-01-01', to: '2025-12-31', under: '000.00.31.H38', by: 'agency' }],
    ['the province, 15 Jan – 20 Nov (days at both ends)', { from: '2025-01-15', to: '2025-11-20', under: null, by: 'level' }]
  ]
  const results = []
  for (const [name, req] of cases) {
    const times: number[] = []
    for (let i = 0; i < REQUESTS + 10; i++) {
      const t0 = performance.now()
      await onlineShareReport(sql, view, req, new Date('2026-01-01T00:00:00Z'))
      if (i >= 10) times.push(performance.now() - t0)
    }
    times.sort((a, b) => a - b)
    results.push({ name, p50: percentile(times, 0.5), p99: percentile(times, 0.99), max: percentile(times, 1) })
  }
  return results
}
