import type { NatsConnection } from '@nats-io/transport-node'
import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream'
import type { FastifyBaseLogger } from 'fastify'
import { DEFAULT_ACK_WAIT_MS, ensureDurable, handleAndSettle, type RunningConsumer } from './consumer.ts'
import { PriorityDispatcher } from './priority-dispatcher.ts'

export interface PriorityLane {
  durable: string
  filterSubject: string
}

export interface PriorityConsumerSpec {
  stream: string
  /** Most urgent first; one durable pull consumer each. */
  lanes: PriorityLane[]
  /** Handles one message; must be idempotent, since a message may come again after a crash. */
  handle: (msg: JsMsg) => Promise<void>
  /** Handler slots shared by every lane. */
  concurrency?: number
  /** Messages each lane holds fetched but not yet in a slot; by default the number of slots. */
  buffer?: number
  ackWaitMs?: number
  /** Durables of an older layout to remove, so that a stream upgraded in place keeps no dead consumer. */
  retire?: string[]
  log: FastifyBaseLogger
}

/** How long one pull request waits on the server for messages before it is renewed. */
const FETCH_EXPIRES_MS = 10_000

/**
 * Strict priority across several durable pull consumers of one stream (nats-server 2.9 has no
 * consumer with several filters, so a lane is a consumer). Each lane fetches only a small buffer,
 * and one pool of slots takes, whenever a slot frees, the next message of the most urgent lane
 * that has one: an urgent message overtakes any backlog of less urgent ones, which wait in the
 * stream, not here. Acks are as in startConsumer: only after the handler made its effect durable.
 */
export async function startPriorityConsumer (nc: NatsConnection, spec: PriorityConsumerSpec): Promise<RunningConsumer> {
  if (spec.lanes.length === 0) throw new RangeError('a priority consumer needs at least one lane')
  const jsm = await jetstreamManager(nc)
  for (const durable of spec.retire ?? []) {
    try {
      await jsm.consumers.delete(spec.stream, durable)
      spec.log.info({ durable }, 'removed a consumer of the older layout')
    } catch (err) {
      if (!/not found/i.test(String(err))) throw err
    }
  }
  const ackWaitMs = spec.ackWaitMs ?? DEFAULT_ACK_WAIT_MS
  for (const lane of spec.lanes) await ensureDurable(jsm, { stream: spec.stream, ...lane, ackWaitMs })
  const js = jetstream(nc)
  const consumers = await Promise.all(spec.lanes.map(async (lane) => await js.consumers.get(spec.stream, lane.durable)))
  const concurrency = spec.concurrency ?? 32
  const buffer = spec.buffer ?? concurrency

  let stopping = false
  const wakers: Array<(() => void) | undefined> = spec.lanes.map(() => undefined)
  const dispatcher = new PriorityDispatcher<JsMsg>(spec.lanes.length, concurrency,
    async (msg) => { await handleAndSettle(msg, spec.handle, spec.log) },
    (lane) => { wakers[lane]?.() })
  const fetches = new Set<ConsumerMessages>()

  // A message waiting behind more urgent ones still belongs to this copy: tell the server so,
  // or its ack wait would run out and another copy would take it too.
  const keepAlive = setInterval(() => {
    for (const msg of dispatcher.waitingSince(Date.now() - ackWaitMs / 3)) msg.working()
  }, Math.max(100, ackWaitMs / 3))
  keepAlive.unref()

  /** Keeps at most `buffer` of a lane's messages on hand, fetching more as slots take them. */
  async function pull (lane: number): Promise<void> {
    while (!stopping) {
      const room = buffer - dispatcher.waiting(lane)
      if (room < Math.ceil(buffer / 2)) {
        await new Promise<void>((resolve) => { wakers[lane] = resolve })
        wakers[lane] = undefined
        continue
      }
      let batch: ConsumerMessages
      try {
        batch = await consumers[lane]!.fetch({ max_messages: room, expires: FETCH_EXPIRES_MS })
      } catch (err) {
        if (stopping) return
        spec.log.warn({ err, durable: spec.lanes[lane]!.durable }, 'could not fetch; trying again')
        await new Promise((resolve) => setTimeout(resolve, 1_000))
        continue
      }
      // stop() may have come while the pull request was being made: it would otherwise run to its expiry
      if (stopping) { batch.stop() }
      fetches.add(batch)
      try {
        for await (const msg of batch) {
          if (stopping) { msg.nak(); continue }
          dispatcher.push(lane, msg)
        }
      } catch (err) {
        if (!stopping) spec.log.warn({ err, durable: spec.lanes[lane]!.durable }, 'a fetch ended with an error; fetching again')
      } finally {
        fetches.delete(batch)
      }
    }
  }
  const pullers = spec.lanes.map(async (_, lane) => { await pull(lane) })

  return {
    stop: async () => {
      stopping = true
      for (const wake of wakers) wake?.()
      for (const batch of fetches) batch.stop()
      await Promise.allSettled(pullers)
      clearInterval(keepAlive)
      // Not started here: straight back to the stream for another copy (or this one's next start).
      for (const msg of dispatcher.close()) msg.nak()
      await dispatcher.idle()
    }
  }
}
