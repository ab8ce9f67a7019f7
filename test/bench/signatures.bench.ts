// Custody signing throughput: envelopes signed by services/signatures (its own process, as in
// production) for callers using CustodySigner over NATS, which batches the calls made in one turn
// of the event loop into one request. A fresh database and a private nats-server; figures go to
// stdout and to bench-results/. Nothing here is a test, so a missed target only shows as "no".
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CustodySigner } from '@lienthong/platform'
import { ServiceProcess, freePort, repoRoot } from '@lienthong/infra'
import type { Envelope } from '@lienthong/contracts'
import { envelopeOf, startBackends, verifyWith, type KeyView } from '../../services/signatures/test/fixtures/backends.ts'
import { loadLine, machineFacts, printTable, writeResult } from './bench-report.ts'
import { percentile } from './latency.ts'

const AGENCIES = 200
const ENVELOPES = 20_000
const CONCURRENCY = 1_000
const WARM_UP = 4_000
const ALONE = 2_000
const TARGET_PER_SECOND = 5_000

interface Figure { what: string, perSecond: number, p50: number, p99: number, max: number, detail?: Record<string, unknown> }

const loadAtStart = os.loadavg()
const figures: Figure[] = []
const teardowns: Array<() => Promise<void> | void> = []

/** communes 01–25 of the districts 31–39: every code a real place in the tree */
const codes = Array.from({ length: 9 }, (_, d) => Array.from({ length: 25 }, (_, c) => `000.${String(c + 1).padStart(2, '0')}.${31 + d}.H38`))
  .flat().slice(0, AGENCIES)

async function main (): Promise<void> {
  const b = await startBackends({ teardown: (fn) => { teardowns.push(fn) } }, codes.map((code) => ({ code })))
  const service = new ServiceProcess({
    name: 'signatures',
    port: await freePort(),
    env: { DATABASE_URL: b.databaseUrl, NATS_URL: b.natsUrl, LOG_LEVEL: 'warn', MASTER_KEYS: `bench:${randomBytes(32).toString('base64')}` },
    logFile: join(repoRoot, '.data', 'test', 'logs', `signatures-bench-${process.pid}.log`)
  })
  teardowns.push(async () => { await service.stop() })
  await service.start()
  await service.waitReady()

  const enrolled = await fetch(`${service.url}/v1/custody/enroll`, {
    method: 'POST',
    headers: { authorization: `Bearer ${b.operatorToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agencies: codes })
  })
  if (!enrolled.ok) throw new Error(`enroll → ${enrolled.status} ${await enrolled.text()}`)
  const keys = ((await enrolled.json()) as { keys: KeyView[] }).keys
  for (const key of keys) await b.register(key)

  const signer = new CustodySigner(b.nc, { timeoutMs: 30_000 })
  // Every agency signs once registered: wait for the service to see the last registration.
  const last = codes[codes.length - 1]!
  for (let i = 0; ; i++) {
    const r = await signer.sign({ kind: 'envelope', agency: last, value: envelopeOf(last) })
    if (r.ok) break
    if (i > 500) throw new Error(`the service never signed for ${last}: ${r.detail}`)
    await sleep(20)
  }

  const envelopes = (n: number, tag: string): Envelope[] => Array.from({ length: n }, (_, i) => envelopeOf(codes[i % codes.length]!, `${tag}${i}`))
  await run('warm-up', envelopes(WARM_UP, 'W'), CONCURRENCY, signer, keys, false)
  await run(`${ENVELOPES.toLocaleString('en')} envelopes, ${CONCURRENCY} at a time`, envelopes(ENVELOPES, 'B'), CONCURRENCY, signer, keys, true)
  await run(`${ALONE.toLocaleString('en')} envelopes, one at a time`, envelopes(ALONE, 'A'), 1, signer, keys, true)
  const metrics = await (await fetch(`${service.url}/metrics`)).text()
  const batches = /custody_sign_batch_seconds_count\{[^}]*\} (\d+)/.exec(metrics)?.[1]
  figures.forEach((f) => { f.detail = { ...f.detail, serviceBatchesSoFar: Number(batches) } })
}

async function run (what: string, items: Envelope[], concurrency: number, signer: CustodySigner, keys: KeyView[], record: boolean): Promise<void> {
  const latencies = new Float64Array(items.length)
  const results: Array<{ signer: string, agency: string } | undefined> = new Array(items.length)
  let next = 0
  let refused = 0
  const began = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++
      const t0 = performance.now()
      const r = await signer.sign({ kind: 'envelope', agency: items[i]!.sender, value: items[i] })
      latencies[i] = performance.now() - t0
      if (r.ok) results[i] = { signer: r.signatures.signer!, agency: r.signatures.agency! }
      else refused++
    }
  }))
  const ms = performance.now() - began
  if (refused > 0) throw new Error(`${what}: ${refused} envelopes refused`)
  // Outside the clock: a sample of the signatures verifies with the public keys, as routing would.
  for (let i = 0; i < items.length; i += Math.max(1, Math.floor(items.length / 200))) {
    await verifyWith(results[i]!.signer, items[i], keys)
    await verifyWith(results[i]!.agency, items[i], keys)
  }
  if (!record) return
  const sorted = Array.from(latencies).sort((a, b) => a - b)
  const at = (q: number): number => percentile(sorted, q)
  figures.push({ what, perSecond: items.length / (ms / 1000), p50: at(0.5), p99: at(0.99), max: at(1), detail: { envelopes: items.length, concurrency, totalMs: ms, signaturesPerEnvelope: 2 } })
}

function report (): void {
  printTable(
    ['what', 'envelopes/s', 'p50 ms', 'p99 ms', 'max ms', `≥ ${TARGET_PER_SECOND}/s?`],
    figures.map((f) => [f.what, f.perSecond.toFixed(0), f.p50.toFixed(2), f.p99.toFixed(2), f.max.toFixed(2), f.detail?.concurrency === 1 ? '-' : f.perSecond >= TARGET_PER_SECOND ? 'yes' : 'NO'])
  )
  const machine = machineFacts(loadAtStart)
  process.stdout.write(`  ${AGENCIES} agencies in custody; the service, nats-server and this client share ${machine.cpus} cpus; ${loadLine(machine)}\n`)
  writeResult('signatures', { machine, target: { envelopesPerSecond: TARGET_PER_SECOND }, figures })
}

try {
  await main()
  report()
} finally {
  for (const fn of teardowns.reverse()) await fn()
}
