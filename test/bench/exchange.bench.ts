// Issue 8: how fast the exchange is, and how far from what the machine could do, in one run.
//
//   pnpm bench            (= pnpm lienthong bench)
//   pnpm lienthong bench exchange [--local] [--seconds 10] [--loads 100,500,1000] [--edges 150] [--rounds 3]
//
// 1. end to end: documents from a few hundred senders of every level to their parents and
//    children, open loop at each offered load, then higher until a load is no longer sustained;
//    timed from when each POST was due to the recipient's `item.arrived` and the sender's
//    `document.status` 01, as a DMS sees them;
// 2. broadcast: a directive from the provincial People's Committee to every other agency;
// 3. the machine's limits (JetStream, PostgreSQL, Ed25519, an empty HTTP route), measured on the
//    same servers once the exchange is idle, each beside the end-to-end figure it bounds;
// 4. each service's peak resident memory and CPU time.
// Writes bench-results/<date>.json and .html (latency against offered load). Not a test: a
// missed target shows as "NO".
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { EXCHANGE_SERVICE_NAMES, repoRoot, type ExchangeServiceName } from '@lienthong/infra'
import { laocaiDirectory } from '@lienthong/seeds'
import { ArrivalWatch } from './arrival-watch.ts'
import { loadLine, machineFacts, printTable, type MachineFacts } from './bench-report.ts'
import { localStack, ownStack, type BenchTarget } from './bench-target.ts'
import { broadcastRound, type BroadcastRound } from './broadcast-round.ts'
import { documentLoad, type LoadResult } from './document-load.ts'
import { ExchangeCounters, perDocument, type ServerCounters } from './exchange-counters.ts'
import { trafficPairs } from './exchange-traffic.ts'
import { latencyChart } from './latency-chart.ts'
import { measureLimits, type MachineLimits } from './limits/machine-limits.ts'
import { cpuSeconds, memory, resetPeak, serverCpuSeconds } from './process-usage.ts'

const TARGETS = { sustainedPerSecond: 2_000, p99At500Ms: 50, broadcastMs: 2_000, residentMb: 200 }
/** A load is sustained when every document's 01 is seen and its p99 stays under this. */
const SUSTAINED_P99_MS = 1_000
/** How many loads look for the highest sustained one between the highest that held and the lowest that did not. */
const BISECTIONS = 3
/** Design counts per document (one recipient): routing checks the envelope's two signatures and the receipt's, the inbox the envelope's two again; custody makes the envelope's two and the receipt's. */
const SIGNATURE_CHECKS_PER_DOCUMENT = 5
const SIGNATURES_MADE_PER_DOCUMENT = 3

const { values } = parseArgs({
  options: {
    local: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '10' },
    loads: { type: 'string', default: '100,500,1000' },
    edges: { type: 'string', default: '150' },
    rounds: { type: 'string', default: '3' },
    'limit-seconds': { type: 'string', default: '5' },
    /** what to run, for a quicker look while working on one part */
    parts: { type: 'string', default: 'e2e,broadcast,limits' }
  }
})
const SECONDS = Number(values.seconds)
const LOADS = values.loads.split(',').map(Number)
const PARTS = new Set(values.parts.split(','))
const loadAtStart = os.loadavg()
const say = (line: string): void => { process.stdout.write(`${line}\n`) }

interface ProcessUse { cpuSeconds: number, peakResidentMb: number, residentMb: number }
type Processes = Record<ExchangeServiceName | 'postgres' | 'nats', number>

function cpuNow (target: BenchTarget): Processes {
  const servers = serverCpuSeconds(target.databaseUrl, target.natsUrl)
  return { ...Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((s) => [s, cpuSeconds(target.pids[s])])), postgres: servers.postgres, nats: servers.nats } as Processes
}

function cpuSince (target: BenchTarget, before: Processes): Processes {
  const now = cpuNow(target)
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - before[k as keyof Processes]])) as Processes
}

interface LoadFigures extends LoadResult {
  sustained: boolean
  perDocument: ServerCounters
  /** CPU milliseconds per document, by process */
  cpuMsPerDocument: Processes
  /** each service's largest resident size during this load (MB) */
  peakResidentMb: Record<ExchangeServiceName, number>
}

async function load (target: BenchTarget, counters: ExchangeCounters, run: Omit<Parameters<typeof documentLoad>[0], 'rate' | 'seconds'>, rate: number): Promise<LoadFigures> {
  run.watch.clear()
  // from here the peak is this load's own (a service that could not keep up holds its backlog)
  for (const s of EXCHANGE_SERVICE_NAMES) resetPeak(target.pids[s])
  const before = await counters.read()
  const cpu = cpuNow(target)
  // a backlog drains at the rate the exchange manages, which the bench does not know beforehand
  const result = await documentLoad({ ...run, rate, seconds: SECONDS, drainMs: 180_000 })
  // the audit ledger and the statistics catch up before the next load is measured
  await sleep(3_000)
  const used = cpuSince(target, cpu)
  const after = await counters.read()
  const sustained = Object.keys(result.refused).length === 0 && result.completed === result.sent && result.statusSeen.p99 < SUSTAINED_P99_MS
  const figures: LoadFigures = {
    ...result,
    sustained,
    perDocument: perDocument(before, after, Math.max(1, result.completed)),
    cpuMsPerDocument: Object.fromEntries(Object.entries(used).map(([k, v]) => [k, (v * 1000) / Math.max(1, result.completed)])) as Processes,
    peakResidentMb: Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((s) => [s, memory(target.pids[s]).peakMb])) as Record<ExchangeServiceName, number>
  }
  say(`  ${rate}/s: achieved ${result.achieved.toFixed(0)}/s, 01 seen p50 ${result.statusSeen.p50.toFixed(1)} p99 ${result.statusSeen.p99.toFixed(1)} ms, ${result.completed}/${result.sent} done${sustained ? '' : ' — not sustained'}`)
  return figures
}

async function main (): Promise<void> {
  say(values.local ? 'using the running local stack…' : 'starting a stack of the bench\u2019s own, every Lào Cai agency in custody…')
  const target = values.local ? await localStack() : await ownStack()
  const watch = await ArrivalWatch.start(target.natsUrl)
  const counters = await ExchangeCounters.open(target.databaseUrl, target.natsUrl)
  try {
    const directory = laocaiDirectory()
    const villages = new Set(directory.filter((a) => a.level === 'village').map((a) => a.code))
    // the local stack's villages are not in custody: nothing would sign their 01
    const pairs = trafficPairs(directory, Number(values.edges)).filter((p) => !values.local || !villages.has(p.recipient))
    const senders = [...new Set(pairs.map((p) => p.sender))]
    say(`issuing tokens for ${senders.length} senders…`)
    const tokens = new Map<string, string>()
    for (let i = 0; i < senders.length; i += 16) {
      await Promise.all(senders.slice(i, i + 16).map(async (code) => { tokens.set(code, await target.tokenFor(code)) }))
    }
    const run = {
      routingUrl: target.routingUrl,
      pairs,
      token: (code: string) => tokens.get(code)!,
      watch,
      numbers: { next: 1 },
      // a notation of the run's own: a second run on the local stack never repeats a number
      notation: `BENCH-${Date.now().toString(36).toUpperCase()}`,
      issuedAt: new Date().toISOString().slice(0, 10)
    }
    const loads: LoadFigures[] = []
    if (PARTS.has('e2e')) {
      say('warming up at 100/s…')
      await documentLoad({ ...run, rate: 100, seconds: 3 })
      await sleep(2_000)

      say('end to end:')
      for (const rate of LOADS) loads.push(await load(target, counters, run, rate))
      // then the highest sustained load: higher a quarter at a time while the loads hold, or
      // else halving the gap between the highest that held and the lowest that did not
      let rate = Math.max(...LOADS)
      while (loads.every((l) => l.sustained) && rate < 20_000) {
        rate = Math.round(rate * 1.25 / 50) * 50
        loads.push(await load(target, counters, run, rate))
      }
      for (let step = 0; step < BISECTIONS; step++) {
        const held = Math.max(0, ...loads.filter((l) => l.sustained).map((l) => l.offered))
        const failed = Math.min(...loads.filter((l) => !l.sustained).map((l) => l.offered))
        const between = Math.round((held + failed) / 2 / 10) * 10
        if (!Number.isFinite(failed) || between <= held || between >= failed) break
        loads.push(await load(target, counters, run, between))
      }
    }
    const sustainedLoads = loads.filter((l) => l.sustained)
    const highest = sustainedLoads.reduce<LoadFigures | undefined>((best, l) => best === undefined || l.achieved > best.achieved ? l : best, undefined)

    const rounds: BroadcastRound[] = []
    const token = await target.tokenFor('000.00.00.H38')
    if (PARTS.has('broadcast')) say('broadcast:')
    for (let n = 1; PARTS.has('broadcast') && n <= Number(values.rounds); n++) {
      rounds.push(await broadcastRound({ routingUrl: target.routingUrl, token, watch, notation: run.notation, number: run.numbers.next++, waitForReceipts: !values.local }))
      say(`  round ${n}: ${rounds.at(-1)!.recipients} inboxes, last ${rounds.at(-1)!.lastInboxMs.toFixed(0)} ms after the 202`)
      await sleep(2_000)
    }

    if (PARTS.has('limits')) say('the machine\u2019s limits, on the same servers…')
    const limits = !PARTS.has('limits') ? undefined : await measureLimits({ databaseUrl: target.databaseUrl, natsUrl: target.natsUrl, seconds: Number(values['limit-seconds']), log: (line: string) => { say(`  ${line}`) } })

    const resources = Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((s) => {
      const m = memory(target.pids[s])
      return [s, { cpuSeconds: cpuSeconds(target.pids[s]), peakResidentMb: m.peakMb, residentMb: m.rssMb }]
    })) as Record<ExchangeServiceName, ProcessUse>
    const machine = machineFacts(loadAtStart)
    report({ machine, loads, highest, rounds, limits, resources })
    const at = new Date().toISOString().replace(/[:.]/g, '-')
    const dir = join(repoRoot, 'bench-results')
    mkdirSync(dir, { recursive: true })
    const result = { bench: 'exchange', at, machine, targets: TARGETS, settings: { seconds: SECONDS, loads: LOADS, senders: senders.length, pairs: pairs.length, local: values.local }, loads, highestSustained: highest?.achieved ?? 0, broadcast: rounds, limits, resources }
    writeFileSync(join(dir, `${at}.json`), JSON.stringify(result, null, 2) + '\n')
    writeFileSync(join(dir, `${at}.html`), latencyChart(
      'lienthong: latency of a document against offered load',
      `From the due time of POST /v1/documents to the sender's 01, ${machine.cpus} × ${machine.cpu ?? 'cpu'}, Node ${machine.node}, ${at}`,
      loads.map((l) => ({ offered: l.offered, achieved: l.achieved, p50: l.statusSeen.p50, p95: l.statusSeen.p95, p99: l.statusSeen.p99 }))
    ))
    say(`written to bench-results/${at}.json and .html`)
  } finally {
    await watch.close()
    await counters.close()
    await target.close()
  }
}

const ms = (x: number): string => Number.isFinite(x) ? x.toFixed(1) : '–'
const yes = (ok: boolean): string => ok ? 'yes' : 'NO'

function report (r: { machine: MachineFacts, loads: LoadFigures[], highest: LoadFigures | undefined, rounds: BroadcastRound[], limits: MachineLimits | undefined, resources: Record<ExchangeServiceName, ProcessUse> }): void {
  const { machine, loads, highest, rounds, limits, resources } = r
  say(`\nlienthong end to end — ${machine.cpus} × ${machine.cpu ?? 'cpu'}, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${machine.node}; ${loadLine(machine)}\n`)
  printTable(['offered /s', 'achieved /s', '202 p50/p99', 'inbox row p50/p95/p99', '01 seen p50/p95/p99 (ms)', 'done', 'sustained'], [...loads].sort((a, b) => a.offered - b.offered).map((l) => [
    String(l.offered), l.achieved.toFixed(0), `${ms(l.accepted.p50)} / ${ms(l.accepted.p99)}`,
    `${ms(l.inInbox.p50)} / ${ms(l.inInbox.p95)} / ${ms(l.inInbox.p99)}`, `${ms(l.statusSeen.p50)} / ${ms(l.statusSeen.p95)} / ${ms(l.statusSeen.p99)}`,
    `${l.completed}/${l.sent}${Object.keys(l.refused).length > 0 ? ` refused ${JSON.stringify(l.refused)}` : ''}`, yes(l.sustained)
  ]))
  const at500 = loads.find((l) => l.offered === 500)
  say('')
  printTable(['target', 'measured', 'target value', 'met'], [
    ['sustained end to end (documents/s)', (highest?.achieved ?? 0).toFixed(0), `≥ ${TARGETS.sustainedPerSecond}`, yes((highest?.achieved ?? 0) >= TARGETS.sustainedPerSecond)],
    ['p99 at 500/s, to the 01 seen (ms)', ms(at500?.statusSeen.p99 ?? NaN), `< ${TARGETS.p99At500Ms}`, yes((at500?.statusSeen.p99 ?? Infinity) < TARGETS.p99At500Ms)],
    ['broadcast, last inbox after the 202 (ms, worst round)', ms(Math.max(...rounds.map((b) => b.lastInboxMs))), `< ${TARGETS.broadcastMs}`, yes(rounds.every((b) => b.lastInboxMs < TARGETS.broadcastMs))],
    ...EXCHANGE_SERVICE_NAMES.map((s) => {
      const peak = highest?.peakResidentMb[s] ?? NaN
      return [`${s} peak resident at the highest sustained load (MB)`, Number.isFinite(peak) ? peak.toFixed(0) : '–', `< ${TARGETS.residentMb}`, yes(peak < TARGETS.residentMb)]
    })
  ])
  // what bounds the exchange is read at its highest sustained load, or at its busiest if none held
  const basis = highest ?? loads.reduce<LoadFigures | undefined>((best, l) => best === undefined || l.achieved > best.achieved ? l : best, undefined)
  if (basis !== undefined && limits !== undefined) {
    const per = basis.perDocument
    const bound = (limit: number, perDoc: number): number => limit / perDoc
    const rows: Array<[string, string, string, number]> = [
      ['JetStream publish to file (messages/s)', limits.jetstreamPublish.perSecond.toFixed(0), per.jetstreamMessages.toFixed(1), bound(limits.jetstreamPublish.perSecond, per.jetstreamMessages)],
      ['PostgreSQL single-row insert (rows/s)', limits.postgresInsertSingle.perSecond.toFixed(0), per.transactions.toFixed(1), bound(limits.postgresInsertSingle.perSecond, per.transactions)],
      ['PostgreSQL batched insert (rows/s)', limits.postgresInsertBatched.perSecond.toFixed(0), per.rowsWritten.toFixed(1), bound(limits.postgresInsertBatched.perSecond, per.rowsWritten)],
      ['Ed25519 verify, one core (/s)', limits.ed25519Verify.perSecond.toFixed(0), String(SIGNATURE_CHECKS_PER_DOCUMENT + SIGNATURES_MADE_PER_DOCUMENT), bound(limits.ed25519Verify.perSecond * machine.cpus, SIGNATURE_CHECKS_PER_DOCUMENT + SIGNATURES_MADE_PER_DOCUMENT)],
      ['empty Fastify route (requests/s)', limits.httpEmptyRoute.perSecond.toFixed(0), '1', limits.httpEmptyRoute.perSecond]
    ]
    say(`\nwhat bounds the ${highest === undefined ? 'busiest' : 'highest sustained'} load (${basis.achieved.toFixed(0)} documents/s): each limit alone, divided by what one document needs of it\n`)
    printTable(['limit', 'measured', 'per document', 'bound (documents/s)', 'end to end / bound'], rows.map(([name, measured, perDoc, b]) => [name, measured, perDoc, b.toFixed(0), `${((basis.achieved / b) * 100).toFixed(1)} %`]))
    say(`(per document: JetStream messages and PostgreSQL transactions and rows counted on the servers over that load; signatures: ${SIGNATURE_CHECKS_PER_DOCUMENT} checks and ${SIGNATURES_MADE_PER_DOCUMENT} made, bound over all ${machine.cpus} cores; single-row inserts stand for one transaction each)`)
    say(`latency: the 202 at 100/s p50 ${ms(loads[0]!.accepted.p50)} ms against an empty route's round trip p50 ${ms(limits.httpEmptyRoute.p50Ms)} ms (× ${(loads[0]!.accepted.p50 / limits.httpEmptyRoute.p50Ms).toFixed(1)})`)
  }
  say(`\nresources over the whole run (CPU per document at the ${highest === undefined ? 'busiest' : 'highest sustained'} load)\n`)
  printTable(['process', 'peak resident, whole run (MB)', 'resident at the end (MB)', 'CPU (s)', 'CPU ms per document'], [
    ...EXCHANGE_SERVICE_NAMES.map((s) => [s, resources[s].peakResidentMb.toFixed(0), resources[s].residentMb.toFixed(0), resources[s].cpuSeconds.toFixed(1), basis === undefined ? '–' : basis.cpuMsPerDocument[s].toFixed(2)]),
    ...(['postgres', 'nats'] as const).map((s) => [s, '', '', '', basis === undefined ? '–' : basis.cpuMsPerDocument[s].toFixed(2)])
  ])
  if (basis !== undefined) {
    const total = Object.values(basis.cpuMsPerDocument).reduce((a, b) => a + b, 0)
    say(`\none document costs ${total.toFixed(2)} ms of CPU over every process: ${machine.cpus} cores allow at most ${((machine.cpus * 1000) / total).toFixed(0)} documents/s, and the load generator's own share is not counted in that`)
  }
}

await main()
