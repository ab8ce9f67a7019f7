// Issue 5's broadcast target: a directive from the provincial People's Committee to every other
// agency in Lào Cai (the subtree group of 000.00.00.H38, about 1,740 inboxes) is in every inbox
// within 2 s of the 202, and the services grow by less than 50 MB of memory doing it. Services
// run as their own processes on a stack of this bench's own, every agency in custody (villages
// too: each signs its 01 receipt). Not a test: a missed target shows as "NO".
// Writes bench-results/broadcast-*.json.
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { EXCHANGE_SERVICE_NAMES, type ExchangeServiceName } from '@lienthong/infra'
import { startStack, type TestStack } from '../harness/stack.ts'
import { request } from '../harness/http.ts'
import { loadLine, machineFacts, printTable, writeResult } from './bench-report.ts'
import { cpuSeconds, memory, resetPeak } from './process-usage.ts'

const PROVINCE = '000.00.00.H38'
const TARGET_MS = 2_000
const TARGET_GROWTH_MB = 50
const ROUNDS = Number(process.argv[2] ?? 3)
const POLL_MS = 5

const loadAtStart = os.loadavg()

function pids (stack: TestStack): Record<ExchangeServiceName, number> {
  return Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((name) => {
    const pid = stack[name].pid
    if (pid === undefined) throw new Error(`${name} has no process`)
    return [name, pid]
  })) as Record<ExchangeServiceName, number>
}

/** Polls until `count` reaches `expected`; the time it was first seen there. */
async function until (expected: number, count: () => Promise<number>, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const n = await count()
    if (n >= expected) return performance.now()
    if (performance.now() > deadline) throw new Error(`only ${n} of ${expected} after ${timeoutMs} ms`)
    await sleep(POLL_MS)
  }
}

interface Round {
  recipients: number
  acceptMs: number
  lastInboxRowMs: number
  lastInboxRowByDbClockMs: number
  last01AtRoutingMs: number
  memory: Record<ExchangeServiceName, { beforeMb: number, afterMb: number, growthMb: number, peakGrowthMb: number }>
  /** CPU time each process spent from the send to the last 01 */
  cpuSeconds: Record<ExchangeServiceName, number>
}

async function round (stack: TestStack, token: string, n: number): Promise<Round> {
  const ids = pids(stack)
  const before = Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((s) => { resetPeak(ids[s]); return [s, memory(ids[s])] })) as Record<ExchangeServiceName, { rssMb: number, peakMb: number }>
  const cpuBefore = Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((s) => [s, cpuSeconds(ids[s])])) as Record<ExchangeServiceName, number>
  const sentAt = performance.now()
  const answer = await request('POST', `${stack.routing.url}/v1/documents`, {
    token,
    json: {
      to: { group: 'subtree', of: PROVINCE },
      document: { number: String(1000 + n), notation: 'CT-UBND', type: 'Chỉ thị', subject: `Chỉ thị về tăng cường phòng, chống thiên tai, lần ${n}`, issuedAt: '2026-11-26', priority: 0 }
    }
  })
  const acceptedAt = performance.now()
  const acceptedAtDb = Date.now()
  if (answer.status !== 202) throw new Error(`send → ${answer.status} ${JSON.stringify(answer.body)}`)
  const id = answer.body.id as string
  const [{ recipients }] = await stack.sql`select count(*)::int as recipients from routing.deliveries where document_id = ${id}` as unknown as [{ recipients: number }]
  const lastRow = await until(recipients, async () => (await stack.sql`select count(*)::int as n from inbox.items where document_id = ${id}`)[0]!.n)
  const [{ last }] = await stack.sql`select max(received_at) as last from inbox.items where document_id = ${id}` as unknown as [{ last: Date }]
  const last01 = await until(recipients, async () => (await stack.sql`select count(*)::int as n from routing.delivery_statuses where document_id = ${id} and code = '01'`)[0]!.n)
  const memoryFigures = Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((s) => {
    const after = memory(ids[s])
    return [s, { beforeMb: before[s].rssMb, afterMb: after.rssMb, growthMb: after.rssMb - before[s].rssMb, peakGrowthMb: after.peakMb - before[s].rssMb }]
  })) as Round['memory']
  return {
    recipients,
    acceptMs: acceptedAt - sentAt,
    lastInboxRowMs: lastRow - acceptedAt,
    lastInboxRowByDbClockMs: last.getTime() - acceptedAtDb,
    last01AtRoutingMs: last01 - acceptedAt,
    memory: memoryFigures,
    cpuSeconds: Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((s) => [s, cpuSeconds(ids[s]) - cpuBefore[s]])) as Record<ExchangeServiceName, number>
  }
}

async function main (): Promise<void> {
  const teardowns: Array<() => Promise<void> | void> = []
  try {
    process.stdout.write('starting a stack with every Lào Cai agency in custody…\n')
    // BENCH_SERVICE_NODE_OPTIONS (e.g. `--import <a profiler preload>`) goes to routing and inbox,
    // which are then stopped gently at the end so that whatever they write on exit is written
    const nodeOptions = process.env.BENCH_SERVICE_NODE_OPTIONS
    const extra: Record<string, string> = nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }
    const stack = await startStack({ name: 'bench', teardown: (fn) => { teardowns.push(fn) } }, { custody: 'all', audit: true, env: { routing: extra, inbox: extra } })
    if (nodeOptions !== undefined) teardowns.push(async () => { await Promise.all([stack.routing.stop(), stack.inbox.stop()]) })
    const token = await stack.tokenFor(PROVINCE)
    // One small document first: every code path warm, every connection open, as in a running service.
    const warm = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: { to: ['000.00.31.H38'], document: { number: '1', notation: 'CT-UBND', type: 'Công văn', subject: 'Khởi động', issuedAt: '2026-11-26' } } })
    if (warm.status !== 202) throw new Error(`warm-up → ${warm.status}`)
    await until(1, async () => (await stack.sql`select count(*)::int as n from routing.delivery_statuses where document_id = ${warm.body.id} and code = '01'`)[0]!.n)

    const rounds: Round[] = []
    for (let n = 1; n <= ROUNDS; n++) {
      rounds.push(await round(stack, token, n))
      process.stdout.write(`round ${n}: last inbox row ${rounds[n - 1]!.lastInboxRowMs.toFixed(0)} ms after the 202\n`)
      // the previous round's tail (status sweeps, GC) settles before the next is measured
      await sleep(2_000)
    }

    const machine = machineFacts(loadAtStart)
    console.log(`\nbroadcast of a provincial directive to ${rounds[0]!.recipients} inboxes — ${machine.cpus} × ${machine.cpu ?? 'cpu'}, Node ${machine.node}; ${loadLine(machine)}\n`)
    const best = (f: (r: Round) => number): number => Math.min(...rounds.map(f))
    const worst = (f: (r: Round) => number): number => Math.max(...rounds.map(f))
    const rows: string[][] = [
      ['202 answered (ms)', ...rounds.map((r) => r.acceptMs.toFixed(0)), '', ''],
      ['last inbox row after the 202 (ms)', ...rounds.map((r) => r.lastInboxRowMs.toFixed(0)), String(TARGET_MS), worst((r) => r.lastInboxRowMs) <= TARGET_MS ? 'yes' : best((r) => r.lastInboxRowMs) <= TARGET_MS ? 'some' : 'NO'],
      ['  same, by the database clock (ms)', ...rounds.map((r) => r.lastInboxRowByDbClockMs.toFixed(0)), '', ''],
      ['last 01 at routing after the 202 (ms)', ...rounds.map((r) => r.last01AtRoutingMs.toFixed(0)), '', ''],
      ...EXCHANGE_SERVICE_NAMES.map((s) => [`${s} CPU (s)`, ...rounds.map((r) => r.cpuSeconds[s].toFixed(2)), '', '']),
      ...EXCHANGE_SERVICE_NAMES.map((s) => [`${s} RSS growth (MB)`, ...rounds.map((r) => `${r.memory[s].growthMb.toFixed(1)} (peak +${r.memory[s].peakGrowthMb.toFixed(1)})`), `< ${TARGET_GROWTH_MB}`, rounds.every((r) => r.memory[s].growthMb < TARGET_GROWTH_MB) ? 'yes' : 'NO'])
    ]
    printTable(['what', ...rounds.map((_, i) => `round ${i + 1}`), 'target', 'ok?'], rows)
    writeResult('broadcast', { machine, targets: { lastInboxRowMs: TARGET_MS, growthMb: TARGET_GROWTH_MB }, rounds })
  } finally {
    for (const fn of teardowns.reverse()) await fn()
  }
}

await main()
