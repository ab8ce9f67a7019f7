import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { FastifyBaseLogger } from 'fastify'
import type { Sql } from 'postgres'
import { CONSUMERS, STREAMS } from '@lienthong/contracts'
import { ensureDurable } from '@lienthong/platform'
import { appendToLedger, type IncomingEvent, type LedgerHead } from '../domain/ledger-append.ts'

export interface LedgerConsumerOptions {
  batch: number
  ackWaitMs: number
  log: FastifyBaseLogger
  /** told after each batch that added entries: checkpoints follow the head */
  onAppended: (head: LedgerHead, appended: number) => void
}

/**
 * Takes the EVENTS stream into the ledger a batch at a time: a batch is acknowledged only after
 * its transaction committed, so a crash means redelivery (which the ledger drops by event id),
 * never a lost entry.
 */
export async function startLedgerConsumer (nc: NatsConnection, sql: Sql, opts: LedgerConsumerOptions): Promise<{ stop: () => Promise<void> }> {
  await ensureDurable(await jetstreamManager(nc), { stream: STREAMS.events.name, durable: CONSUMERS.auditLedger, filterSubject: 'events.>', ackWaitMs: opts.ackWaitMs })
  const consumer = await jetstream(nc).consumers.get(STREAMS.events.name, CONSUMERS.auditLedger)
  let stopping = false
  let failures = 0
  const fetchBatch = async (): Promise<JsMsg[]> => {
    const msgs: JsMsg[] = []
    const iter = await consumer.fetch({ max_messages: opts.batch, expires: 1_000 })
    for await (const m of iter) msgs.push(m)
    return msgs
  }
  const loop = (async () => {
    // The next batch is fetched while this one is written: NATS and Postgres work side by side.
    let next: Promise<JsMsg[]> | undefined
    while (!stopping) {
      let msgs: JsMsg[] = []
      try {
        // Taken out of `next` before awaiting: a fetch that failed (NATS away, heartbeats missed)
        // must not be awaited again and again, but replaced by a new one.
        const pending = next ?? fetchBatch()
        next = undefined
        msgs = await pending
        if (msgs.length === 0) continue
        next = fetchBatch()
        next.catch(() => {})
        const { head, appended } = await appendToLedger(sql, msgs.map(incomingEvent))
        for (const m of msgs) m.ack()
        failures = 0
        if (appended > 0) opts.onAppended(head, appended)
      } catch (err) {
        failures += 1
        opts.log.warn({ err, messages: msgs.length }, 'could not record events in the ledger; they will come again')
        for (const m of msgs) m.nak(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)))
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * failures)))
      }
    }
    // Taken but not recorded: they come again after the ack wait, to this copy or another.
    const left = await next?.catch(() => [])
    for (const m of left ?? []) m.nak()
  })()
  return {
    stop: async () => {
      stopping = true
      await loop
    }
  }
}

/**
 * The event as the ledger records it. A body that is not JSON, or has no id, is still recorded
 * (an auditor must see that something unreadable went by), under an id made of its stream position.
 */
export function incomingEvent (msg: JsMsg): IncomingEvent {
  let body = ''
  let event: unknown
  try {
    body = new TextDecoder('utf-8', { fatal: true }).decode(msg.data)
    event = JSON.parse(body)
  } catch {
    event = { unreadable: Buffer.from(msg.data).toString('base64') }
    body = JSON.stringify(event)
  }
  const e = (typeof event === 'object' && event !== null ? event : { value: event }) as Record<string, unknown>
  const eventId = typeof e.id === 'string' && e.id !== '' ? e.id : `stream:${STREAMS.events.name}:${msg.seq}`
  const type = typeof e.type === 'string' ? e.type : 'unknown'
  return { subject: msg.subject, eventId, type, body, event: e }
}
