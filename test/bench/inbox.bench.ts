// Issue 6's inbox targets, for an agency with 100,000 items: the inbox list answers with p99 under
// 20 ms, and status updates are taken at 500/s with p99 under 20 ms. The items are written straight
// into Postgres as a year of arrivals would have left them (inbox-seed.ts), the services run as
// their own processes on a stack of this bench's own. Not a test: a missed target shows as "NO".
// Writes bench-results/inbox-*.json.
//
//   pnpm lienthong bench inbox [list requests per case = 3000] [status seconds = 20] [status rates = 500,100]
// The status updates run at each rate in turn on items not touched before: the target first, then
// lower rates, to show where this machine stands when the target is out of its reach.
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { startStack, type TestStack } from '../harness/stack.ts'
import { loadLine, machineFacts, printTable, writeResult } from './bench-report.ts'
import { call } from './http-client.ts'
import { cpuSeconds, processesWith } from './process-usage.ts'
import { seedInbox, seedSenderSide } from './inbox-seed.ts'
import { summary as latencySummary } from './latency.ts'

const AGENCY = '000.00.31.H38'
const ITEMS = 100_000
const LIST_REQUESTS = Number(process.argv[2] ?? 3_000)
const LIST_CONCURRENCY = 4
const STATUS_SECONDS = Number(process.argv[3] ?? 20)
const STATUS_RATES = (process.argv[4] ?? '500,100').split(',').map(Number)
const TARGET_RATE = 500
const TARGET_P99_MS = 20

const loadAtStart = os.loadavg()

/** Who sends to a district: the province, its departments, the district's communes; the first ones most. */
const SENDERS = [
  '000.00.00.H38',
  ...Array.from({ length: 29 }, (_, i) => `000.00.${String(i + 1).padStart(2, '0')}.H38`),
  ...Array.from({ length: 17 }, (_, i) => `000.${String(i + 1).padStart(2, '0')}.31.H38`)
]

/** CPU seconds used so far by each part of the stack, and by this load generator. */
function cpuOf (stack: TestStack): Record<string, number> {
  const database = new URL(stack.databaseUrl).pathname.slice(1)
  const natsPort = new URL(stack.nats.url).port
  const sum = (pids: number[]): number => pids.reduce((a, pid) => a + cpuSeconds(pid), 0)
  const own = process.cpuUsage()
  return {
    inbox: cpuSeconds(stack.inbox.pid!),
    routing: cpuSeconds(stack.routing.pid!),
    signatures: cpuSeconds(stack.signatures.pid!),
    registry: cpuSeconds(stack.registry.pid!),
    'postgres: the services\u2019 connections': sum(processesWith('postgres', ` ${database} `).filter((pid) => !processesWith('postgres', 'autovacuum').includes(pid))),
    'postgres: autovacuum': sum(processesWith('postgres', ` ${database}`).filter((pid) => processesWith('postgres', 'autovacuum').includes(pid))),
    'nats-server': sum(processesWith('nats-server', natsPort)),
    'load generator': (own.user + own.system) / 1e6
  }
}

interface Latencies { n: number, errors: number, p50: number, p95: number, p99: number, max: number, perSecond: number }

function summary (durations: number[], errors: number, elapsedMs: number): Latencies {
  const { p50, p95, p99, max } = latencySummary(durations)
  return { n: durations.length, errors, p50, p95, p99, max, perSecond: durations.length / (elapsedMs / 1000) }
}

/** `requests` GETs, `concurrency` at a time, each to the URL `path(n)` gives. */
async function closedLoop (url: string, token: string, requests: number, concurrency: number, path: (n: number) => string): Promise<Latencies & { rows: number }> {
  const durations: number[] = []
  let errors = 0
  let rows = 0
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests) {
      const n = next++
      const t0 = performance.now()
      const res = await call('GET', `${url}${path(n)}`, token)
      durations.push(performance.now() - t0)
      if (res.status !== 200) { errors++; continue }
      rows += (JSON.parse(res.body) as { items?: unknown[] }).items?.length ?? 1
    }
  }))
  return { ...summary(durations, errors, performance.now() - started), rows: rows / requests }
}

interface StatusRun extends OpenLoop { stored: number, signed: number, cpu: Record<string, { perUpdateMs: number, cores: number }> }

interface OpenLoop extends Latencies { offered: number, seconds: number, achieved: number, sendLag: Latencies, byStatus: Record<string, number> }

/**
 * Status updates sent on a fixed schedule, whatever the answers do: request n leaves at
 * start + n / rate. Its latency counts from when it was due to leave, so a stall that holds the
 * sender back is charged to the requests it delayed (no coordinated omission).
 */
async function openLoop (url: string, token: string, ids: string[], rate: number, seconds: number): Promise<OpenLoop> {
  const total = Math.min(ids.length, Math.round(rate * seconds))
  const durations: number[] = []
  const lags: number[] = []
  const byStatus: Record<string, number> = {}
  let errors = 0
  const inFlight: Array<Promise<void>> = []
  const started = performance.now()
  let sent = 0
  while (sent < total) {
    const now = performance.now()
    while (sent < total && started + (sent * 1000) / rate <= now) {
      const due = started + (sent * 1000) / rate
      const id = ids[sent++]!
      lags.push(now - due)
      inFlight.push((async () => {
        let status: string
        try {
          status = String((await call('POST', `${url}/v1/inbox/${id}/status`, token, JSON.stringify({ code: '03', channel: 'online', official: { name: 'Văn thư' } }))).status)
        } catch (err) {
          status = `failed (${(err as Error).message})`
        }
        durations.push(performance.now() - due)
        byStatus[status] = (byStatus[status] ?? 0) + 1
        if (status !== '200') errors++
      })())
    }
    await sleep(1)
  }
  await Promise.all(inFlight)
  const elapsed = performance.now() - started
  const ok = durations.length - errors
  return { ...summary(durations, errors, elapsed), offered: rate, seconds: elapsed / 1000, achieved: ok / (elapsed / 1000), sendLag: summary(lags, 0, elapsed), byStatus }
}

async function ids (stack: TestStack, query: string): Promise<string[]> {
  return (await stack.sql.unsafe(query)).map((r) => r.id as string)
}

async function main (): Promise<void> {
  const teardowns: Array<() => Promise<void> | void> = []
  try {
    process.stdout.write('starting a stack with the district in custody…\n')
    const stack = await startStack({ name: 'bench', teardown: (fn) => { teardowns.push(fn) } }, { custody: [AGENCY] })
    const token = await stack.tokenFor(AGENCY)
    const url = stack.inbox.url

    process.stdout.write(`seeding ${ITEMS.toLocaleString('en')} items of ${AGENCY}…\n`)
    const seedStart = performance.now()
    await seedInbox(stack.sql, { recipient: AGENCY, count: ITEMS, unaccepted: 15_000, senders: SENDERS })
    const senderSide = await seedSenderSide(stack.sql, AGENCY)
    const seedSeconds = (performance.now() - seedStart) / 1000
    const [facts] = await stack.sql`select count(*)::int as items, pg_size_pretty(pg_total_relation_size('inbox.items')) as size,
      count(*) filter (where state = '01')::int as unaccepted from inbox.items where recipient = ${AGENCY}`
    process.stdout.write(`seeded in ${seedSeconds.toFixed(0)} s: ${facts!.items} items (${facts!.size} with indexes), ${senderSide} known to routing\n`)

    // Cursors spread over the whole inbox, so that "a later page" is any page, not one cached one.
    const cursors = await ids(stack, `select id from (select id, row_number() over (order by id desc) as n from inbox.items where recipient = '${AGENCY}') r where n % 997 = 50 order by id desc`)
    const cases: Array<[string, (n: number) => string]> = [
      ['first page', () => '/v1/inbox?limit=50'],
      [`a later page (${cursors.length} cursors over the inbox)`, (n) => `/v1/inbox?limit=50&cursor=${cursors[n % cursors.length]!}`],
      ['state=01 (new arrivals)', () => '/v1/inbox?limit=50&state=01'],
      ['state=03,04,05&priority=1,2,3', () => '/v1/inbox?limit=50&state=03,04,05&priority=1,2,3'],
      ['sender, received in a month', () => `/v1/inbox?limit=50&sender=000.00.02.H38&receivedFrom=${encodeURIComponent(new Date(Date.now() - 120 * 86400_000).toISOString())}&receivedTo=${encodeURIComponent(new Date(Date.now() - 90 * 86400_000).toISOString())}`],
      ['overdue=true', () => '/v1/inbox?limit=50&overdue=true'],
      [`q=${'chuyển đổi số'}`, () => `/v1/inbox?limit=50&q=${encodeURIComponent('chuyển đổi số')}`],
      ['q=bao (with and without diacritics)', () => '/v1/inbox?limit=50&q=bao'],
      ['q=sa pa, state=06', () => `/v1/inbox?limit=50&q=${encodeURIComponent('sa pa')}&state=06`],
      ['counts', () => '/v1/inbox/counts']
    ]
    // Warm: connections open, the JIT compiled, each query's pages read once.
    for (const [, path] of LIST_REQUESTS > 0 ? cases : []) await closedLoop(url, token, 100, LIST_CONCURRENCY, path)

    const list: Array<{ what: string } & Latencies & { rows: number }> = []
    for (const [what, path] of LIST_REQUESTS > 0 ? cases : []) {
      const figures = await closedLoop(url, token, what === 'counts' ? Math.ceil(LIST_REQUESTS / 10) : LIST_REQUESTS, LIST_CONCURRENCY, path)
      list.push({ what, ...figures })
      process.stdout.write(`${what}: p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms\n`)
    }

    // Distinct items at 01, oldest of the backlog first; the first few warm the path up.
    const pool = await ids(stack, `select id from inbox.items where recipient = '${AGENCY}' and state = '01' and recall_answer is null order by id`)
    const warmIds = pool.splice(0, 200)
    await openLoop(url, token, warmIds, 100, 2)
    await sleep(2_000)
    const statuses: StatusRun[] = []
    for (const rate of STATUS_RATES) {
      process.stdout.write(`status updates: ${rate}/s for ${STATUS_SECONDS} s…\n`)
      const before = await stack.sql`select count(*)::int as n from inbox.steps where code = '03'`
      const cpuBefore = cpuOf(stack)
      const status = await openLoop(url, token, pool.splice(0, Math.round(rate * STATUS_SECONDS)), rate, STATUS_SECONDS)
      const cpuAfter = cpuOf(stack)
      const answered = Object.values(status.byStatus).reduce((a, b) => a + b, 0)
      const cpu = Object.fromEntries(Object.keys(cpuAfter).map((k) => {
        // processes that ended during the run (an autovacuum worker) take their seconds with them
        const used = Math.max(0, cpuAfter[k]! - cpuBefore[k]!)
        return [k, { perUpdateMs: (used * 1000) / answered, cores: used / status.seconds }]
      }))
      // Every 200 was stored with its signed receipt before it was answered; the sender's side follows.
      const [stored] = await stack.sql`select count(*)::int - ${before[0]!.n}::int as steps, count(*) filter (where signature is not null)::int - ${before[0]!.n}::int as signed
        from inbox.steps where code = '03'`
      statuses.push({ ...status, stored: stored!.steps, signed: stored!.signed, cpu })
      // the run's tail (statuses at routing, sweeps, GC) settles before the next
      await sleep(5_000)
    }
    const [atSender] = await stack.sql`select count(*)::int as n from routing.delivery_statuses where code = '03' and recipient = ${AGENCY}`
    const [allStored] = await stack.sql`select count(*)::int as n from inbox.steps where code = '03'`

    const machine = machineFacts(loadAtStart)
    console.log(`\ninbox of ${facts!.items.toLocaleString('en')} items (${AGENCY}) — ${machine.cpus} × ${machine.cpu ?? 'cpu'}, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GB, Node ${machine.node}; ${loadLine(machine)}`)
    console.log('the services, Postgres, nats-server and this load generator share the machine\n')
    printTable(['GET /v1/inbox', 'requests', 'rows', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'req/s', 'target p99', 'ok?'],
      list.map((f) => [f.what, String(f.n), f.rows.toFixed(0), f.p50.toFixed(1), f.p95.toFixed(1), f.p99.toFixed(1), f.max.toFixed(1), f.perSecond.toFixed(0),
        f.what === 'counts' ? '-' : `< ${TARGET_P99_MS} ms`, f.errors > 0 ? 'ERRORS' : f.what === 'counts' ? '-' : f.p99 < TARGET_P99_MS ? 'yes' : 'NO']))
    console.log(`(closed loop, ${LIST_CONCURRENCY} requests at a time)\n`)
    const col = (f: (r: StatusRun) => string): string[] => statuses.map(f)
    printTable(['POST /v1/inbox/{id}/status 03 (open loop)', ...statuses.map((r) => `at ${r.offered}/s`), 'target'], [
      ['achieved (200 answers per s)', ...col((r) => r.achieved.toFixed(0)), `${TARGET_RATE}/s`],
      ['answers', ...col((r) => Object.entries(r.byStatus).map(([code, n]) => `${n} × ${code}`).join(', ')), ''],
      ['p50 (ms)', ...col((r) => r.p50.toFixed(1)), ''],
      ['p95 (ms)', ...col((r) => r.p95.toFixed(1)), ''],
      ['p99 (ms)', ...col((r) => r.p99.toFixed(1)), `< ${TARGET_P99_MS}`],
      ['max (ms)', ...col((r) => r.max.toFixed(1)), ''],
      ['sent late by the generator, p99 (ms)', ...col((r) => r.sendLag.p99.toFixed(1)), ''],
      ['03 steps stored / signed', ...col((r) => `${r.stored} / ${r.signed}`), ''],
      ...Object.keys(statuses[0]?.cpu ?? {}).map((k) => [`CPU ms per update: ${k}`, ...col((r) => `${r.cpu[k]!.perUpdateMs.toFixed(2)} (${r.cpu[k]!.cores.toFixed(2)} cores)`), '']),
      ['CPU ms per update: all of these', ...col((r) => { const all = Object.values(r.cpu); return `${all.reduce((a, v) => a + v.perUpdateMs, 0).toFixed(2)} (${all.reduce((a, v) => a + v.cores, 0).toFixed(2)} cores)` }), ''],
      ['target met?', ...col((r) => r.offered >= TARGET_RATE && r.achieved >= TARGET_RATE * 0.98 && r.p99 < TARGET_P99_MS && r.errors === 0 ? 'yes' : r.offered >= TARGET_RATE ? 'NO' : '-'), '']
    ])
    console.log(`03 at the sender: ${atSender!.n} of ${allStored!.n} stored (5 s after the last run)`)
    writeResult('inbox', {
      machine,
      targets: { listP99Ms: TARGET_P99_MS, statusRate: TARGET_RATE, statusP99Ms: TARGET_P99_MS },
      seed: { items: facts!.items, unaccepted: facts!.unaccepted, knownToRouting: senderSide, seconds: seedSeconds },
      list: { concurrency: LIST_CONCURRENCY, cases: list },
      status: { runs: statuses, seconds: STATUS_SECONDS, atSender: atSender!.n, stored: allStored!.n }
    })
  } finally {
    for (const fn of teardowns.reverse()) await fn()
  }
}

await main()
