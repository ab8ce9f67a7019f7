// Documents sent on a fixed schedule whatever the answers do: document n leaves at
// start + n / rate, and every latency counts from when it was due to leave, so a stall that holds
// the sender back is charged to the documents it delayed (no coordinated omission).
import { setTimeout as sleep } from 'node:timers/promises'
import { documentId } from '@lienthong/contracts'
import type { ArrivalWatch } from './arrival-watch.ts'
import type { TrafficPair } from './exchange-traffic.ts'
import { call } from './http-client.ts'
import { summary, type LatencySummary } from './latency.ts'

export interface LoadResult {
  offered: number
  seconds: number
  sent: number
  /** answers other than 202, by status */
  refused: Record<string, number>
  /** documents whose 01 the sender had seen when the drain ended */
  completed: number
  /** completed documents per second, from the first due time to the last 01 seen */
  achieved: number
  accepted: LatencySummary
  inInbox: LatencySummary
  statusSeen: LatencySummary
}

export interface LoadOptions {
  routingUrl: string
  pairs: TrafficPair[]
  token: (code: string) => string
  watch: ArrivalWatch
  rate: number
  seconds: number
  /** makes every number unique across the loads of one run */
  numbers: { next: number }
  notation: string
  issuedAt: string
  /** how long after the last send the stragglers are waited for */
  drainMs?: number
}

interface Sent { id: string, recipient: string, dueAt: number, answeredAt?: number, status?: number }

export async function documentLoad (opts: LoadOptions): Promise<LoadResult> {
  const total = Math.round(opts.rate * opts.seconds)
  const sent: Sent[] = []
  const inFlight: Array<Promise<void>> = []
  const started = performance.now()
  while (sent.length < total) {
    const now = performance.now()
    while (sent.length < total && started + (sent.length * 1000) / opts.rate <= now) {
      const pair = opts.pairs[sent.length % opts.pairs.length]!
      const n = opts.numbers.next++
      const document = { number: String(n), notation: opts.notation, type: 'Công văn', subject: `Về việc báo cáo tình hình thực hiện nhiệm vụ, số ${n}`, issuedAt: opts.issuedAt, priority: 0 }
      const record: Sent = { id: documentId(pair.sender, document), recipient: pair.recipient, dueAt: started + (sent.length * 1000) / opts.rate }
      sent.push(record)
      inFlight.push(call('POST', `${opts.routingUrl}/v1/documents`, opts.token(pair.sender), JSON.stringify({ to: [pair.recipient], document }))
        .then((answer) => { record.answeredAt = performance.now(); record.status = answer.status }, () => { record.answeredAt = performance.now(); record.status = 0 }))
    }
    await sleep(1)
  }
  await Promise.all(inFlight)
  const deadline = performance.now() + (opts.drainMs ?? 30_000)
  const done = (): number => sent.filter((s) => s.status === 202 && opts.watch.sighting(s.id, s.recipient)?.statusAt !== undefined).length
  const accepted = sent.filter((s) => s.status === 202).length
  while (done() < accepted && performance.now() < deadline) await sleep(50)
  const refused: Record<string, number> = {}
  for (const s of sent) if (s.status !== 202) refused[String(s.status)] = (refused[String(s.status)] ?? 0) + 1
  const ok = sent.filter((s) => s.status === 202)
  const sightings = ok.map((s) => ({ s, seen: opts.watch.sighting(s.id, s.recipient) }))
  const statusTimes = sightings.flatMap(({ s, seen }) => seen?.statusAt === undefined ? [] : [seen.statusAt - s.dueAt])
  const lastStatus = Math.max(...sightings.map(({ seen }) => seen?.statusAt ?? 0))
  return {
    offered: opts.rate,
    seconds: opts.seconds,
    sent: sent.length,
    refused,
    completed: statusTimes.length,
    achieved: statusTimes.length / ((lastStatus - started) / 1000),
    accepted: summary(ok.map((s) => s.answeredAt! - s.dueAt)),
    inInbox: summary(sightings.flatMap(({ s, seen }) => seen?.arrivedAt === undefined ? [] : [seen.arrivedAt - s.dueAt])),
    statusSeen: summary(statusTimes)
  }
}
