// The registry targets of issue 3, measured against real services: registry, routing and inbox as
// their own processes on a fresh database and a private nats-server (the e2e harness). Figures go
// to stdout and to bench-results/; nothing here is a test, so a missed target only shows as "no".
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AgencyInput } from '@lienthong/contracts'
import { importAgencies, seed } from '@lienthong/cli'
import { Directory, connectNats } from '@lienthong/platform'
import { countryDirectory, laocaiDirectory } from '@lienthong/seeds'
import { startStack, type TestStack } from '../harness/stack.ts'
import { loadLine, machineFacts, printTable, writeResult } from './bench-report.ts'
import { percentile } from './latency.ts'

const SUBTREE_ROOT = '000.00.31.H38'
const SUBTREE_REQUESTS = 2_000
const SUBTREE_CONNECTIONS = 4
const LOOKUPS = 10_000_000
/** seed() sends the country in requests of this many agencies */
const SEED_CHUNK = 5_000

interface Figure { what: string, measured: number, unit: 'ms' | 'ns', target: number, detail?: Record<string, unknown> }

const loadAtStart = os.loadavg()
const figures: Figure[] = []
const notes: Record<string, unknown> = {}

/** A stack of its own for each part, stopped before the next starts: two cores do not share well. */
async function withStack<T> (agencies: AgencyInput[], use: (stack: TestStack) => Promise<T>): Promise<T> {
  const teardowns: Array<() => Promise<void> | void> = []
  try {
    const stack = await startStack({ name: 'bench', teardown: (fn) => { teardowns.push(fn) } }, { agencies })
    return await use(stack)
  } finally {
    for (const fn of teardowns.reverse()) await fn()
  }
}

async function timed<T> (fn: () => Promise<T>): Promise<{ ms: number, result: T }> {
  const start = performance.now()
  const result = await fn()
  return { ms: performance.now() - start, result }
}

/** Registry refuses an empty import, so the stack starts with the province alone. */
async function laocaiImport (): Promise<void> {
  const laocai = laocaiDirectory()
  await withStack(laocai.slice(0, 1), async (stack) => {
    const token = await stack.adminToken()
    const first = await timed(async () => await importAgencies(stack.registry.url, token, laocai))
    const again = await timed(async () => await importAgencies(stack.registry.url, token, laocai))
    if (again.result.changed !== 0) throw new Error(`importing Lào Cai again changed ${again.result.changed} agencies`)
    figures.push({ what: `Lào Cai import (${laocai.length} agencies, ${first.result.changed} new)`, measured: first.ms, unit: 'ms', target: 2_000, detail: first.result })
    figures.push({ what: 'Lào Cai import again (unchanged)', measured: again.ms, unit: 'ms', target: 2_000, detail: again.result })
  })
}

/**
 * The national import, the subtree query and the local lookup share one stack: the subtree and the
 * lookup then run against the whole country, the harder case.
 */
async function countryParts (): Promise<void> {
  const built = await timed(async () => countryDirectory())
  const country = built.result
  notes.countryListBuildMs = built.ms
  await withStack(country.slice(0, 1), async (stack) => {
    const nc = await connectNats(stack.nats.url, 'bench')
    const directory = new Directory()
    try {
      await directory.start(nc)
      await countryImport(stack, directory, country.length)
      await subtree(stack)
      lookups(directory, country)
    } finally {
      directory.stop()
      await nc.close()
    }
  })
}

async function countryImport (stack: TestStack, directory: Directory, total: number): Promise<void> {
  const token = await stack.adminToken()
  // The mirror's size over time tells, per request, when registry's commit reached NATS (the first
  // entry of the chunk) and when its publishing ended (the last): the split between the two steps.
  const growth: Array<[number, number]> = []
  let lastSize = directory.size
  const sampler = setInterval(() => {
    if (directory.size !== lastSize) { lastSize = directory.size; growth.push([performance.now(), lastSize]) }
  }, 2)
  const start = performance.now()
  let mirroredAt = 0
  let importDone = Infinity
  const mirrored = (async () => {
    while (directory.size < total) {
      if (performance.now() - importDone > 120_000) throw new Error(`the mirror holds ${directory.size} of ${total} agencies two minutes after the import`)
      await sleep(5)
    }
    mirroredAt = performance.now()
  })()
  const imported = await timed(async () => await seed(stack.registry.url, token, 'country'))
    .finally(() => { importDone = performance.now() })
  try {
    await mirrored
  } finally {
    clearInterval(sampler)
  }
  const mirrorMs = mirroredAt - start
  figures.push({ what: `national import (${total} agencies, ${Math.ceil(total / SEED_CHUNK)} requests)`, measured: imported.ms, unit: 'ms', target: 60_000, detail: imported.result })
  figures.push({ what: 'national import until a mirror has it all', measured: mirrorMs, unit: 'ms', target: 60_000, detail: { mirrorSize: directory.size } })
  notes.countryImportSteps = importSteps(growth, start, imported.ms, total)
}

/**
 * Summed over the requests: from the previous request's last entry (or the start) to this one's
 * first — sending, checking, building the SQL, Postgres — and from its first entry to its last,
 * registry publishing to the KV bucket.
 */
function importSteps (growth: Array<[number, number]>, start: number, totalMs: number, total: number): Record<string, number> {
  let publishMs = 0
  let firstAt = start
  let previousEnd = start
  let beforeMs = 0
  for (let from = 1, end = SEED_CHUNK; from < total; from = end, end += SEED_CHUNK) {
    const first = growth.find(([, size]) => size > from)
    const last = growth.find(([, size]) => size >= Math.min(end, total))
    if (first === undefined || last === undefined) continue
    if (from === 1) firstAt = first[0]
    beforeMs += first[0] - previousEnd
    publishMs += last[0] - first[0]
    previousEnd = last[0]
  }
  return {
    untilFirstCommitMs: firstAt - start,
    sendCheckUpsertMs: beforeMs,
    kvPublishMs: publishMs,
    afterLastPublishMs: start + totalMs - previousEnd
  }
}

async function subtree (stack: TestStack): Promise<void> {
  const url = `${stack.registry.url}/v1/agencies?under=${SUBTREE_ROOT}&limit=1000`
  const probe = await fetch(url)
  if (!probe.ok) throw new Error(`GET ${url} → ${probe.status}`)
  const rows = ((await probe.json()) as { items: unknown[] }).items.length
  const get = async (): Promise<number> => {
    const began = performance.now()
    const res = await fetch(url)
    await res.text()
    if (!res.ok) throw new Error(`GET ${url} → ${res.status}`)
    return performance.now() - began
  }
  // Warm: connections open, the JIT compiled and the index pages cached before anything counts.
  for (let i = 0; i < 200; i++) await get()
  // One connection is the latency of a request alone; several show it queueing behind others.
  for (const connections of [1, SUBTREE_CONNECTIONS]) {
    const durations: number[] = []
    let left = SUBTREE_REQUESTS
    await Promise.all(Array.from({ length: connections }, async () => {
      while (left-- > 0) durations.push(await get())
    }))
    durations.sort((a, b) => a - b)
    const at = (q: number): number => percentile(durations, q)
    figures.push({
      what: `subtree ${SUBTREE_ROOT} over HTTP, p99 (${rows} rows, ${SUBTREE_REQUESTS} requests, ${connections} connection${connections === 1 ? '' : 's'})`,
      measured: at(0.99),
      unit: 'ms',
      target: 10,
      detail: { rows, requests: durations.length, connections, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) }
    })
  }
}

function lookups (directory: Directory, country: AgencyInput[]): void {
  // Codes are picked beforehand, so the loop times the lookup and not the choosing.
  const mask = (1 << 16) - 1
  const picked = Array.from({ length: mask + 1 }, () => country[Math.floor(Math.random() * country.length)]!.code)
  // A service meets a code parsed out of a token, a URL or a message: a flat string. The seed's
  // codes are concatenations (V8 cons strings), which compare several times slower; that case is
  // kept as a detail only.
  const parsed = JSON.parse(JSON.stringify(picked)) as string[]
  const run = (codes: string[], n: number): { ns: number, found: number } => {
    let found = 0
    const began = process.hrtime.bigint()
    for (let i = 0; i < n; i++) if (directory.get(codes[i & mask]!) !== undefined) found++
    return { ns: Number(process.hrtime.bigint() - began) / n, found }
  }
  run(parsed, 1_000_000)
  const { ns, found } = run(parsed, LOOKUPS)
  if (found !== LOOKUPS) throw new Error(`${LOOKUPS - found} lookups of existing codes found nothing`)
  run(picked, 1_000_000)
  const concatenated = run(picked, LOOKUPS).ns
  figures.push({
    what: `local directory lookup (${LOOKUPS.toLocaleString('en')} over ${directory.size} entries)`,
    measured: ns,
    unit: 'ns',
    target: 1_000,
    detail: { nsPerLookup: ns, nsWithSeedConsStrings: concatenated }
  })
}

function report (): void {
  printTable(['what', 'measured', 'target', 'ok?'], figures.map((f) => [f.what, `${f.measured.toFixed(f.unit === 'ns' ? 1 : 2)} ${f.unit}`, `< ${f.target.toLocaleString('en')} ${f.unit}`, f.measured < f.target ? 'yes' : 'NO']))
  for (const f of figures) if (f.detail !== undefined) process.stdout.write(`  ${f.what}: ${JSON.stringify(f.detail, round)}\n`)
  process.stdout.write(`  notes: ${JSON.stringify(notes, round)}\n`)
  const machine = machineFacts(loadAtStart)
  process.stdout.write(`  ${loadLine(machine)} on ${machine.cpus} cpus\n`)
  writeResult('registry', { machine, figures: figures.map((f) => ({ ...f, ok: f.measured < f.target })), notes })
}

function round (_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value
}

await laocaiImport()
await countryParts()
report()
