import { nanos, type NatsConnection } from '@nats-io/transport-node'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream'
import type { FastifyBaseLogger } from 'fastify'

export interface ConsumerSpec {
  stream: string
  durable: string
  filterSubject: string
  /** Handles one message; must be idempotent, since a message may come again after a crash. */
  handle: (msg: JsMsg) => Promise<void>
  /** How many messages are handled at once. */
  concurrency?: number
  /** How long an unacknowledged message (its handler crashed) waits before redelivery. */
  ackWaitMs?: number
  /**
   * Where a consumer created for the first time starts: at the stream's first message (the
   * default), or at messages published from then on (a reader added to a running exchange).
   */
  startAt?: 'first' | 'new'
  log: FastifyBaseLogger
}

/**
 * A message this copy cannot read (it does not parse, e.g. written by a newer version). It is
 * never dropped: it waits long and comes back, so a deploy that understands it still gets it.
 */
export class PoisonMessage extends Error {}

const POISON_RETRY_MS = 10 * 60_000
export const DEFAULT_ACK_WAIT_MS = 30_000

export interface RunningConsumer {
  /** Stops taking messages and waits for those in hand to finish. */
  stop: () => Promise<void>
}

/**
 * Creates the durable pull consumer with explicit acks, or brings an existing one's ack wait up
 * to date. Several copies of a service may race to create it: the loser finds it there.
 */
export async function ensureDurable (jsm: JetStreamManager, spec: { stream: string, durable: string, filterSubject: string, ackWaitMs?: number, startAt?: 'first' | 'new' }): Promise<void> {
  const config = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: spec.startAt === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    ack_wait: nanos(spec.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
    max_ack_pending: 10_000
  }
  try {
    await jsm.consumers.info(spec.stream, spec.durable)
    await jsm.consumers.update(spec.stream, spec.durable, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending })
  } catch {
    try {
      await jsm.consumers.add(spec.stream, config)
    } catch (err) {
      if (!/already in use|exists/i.test(String(err))) throw err
    }
  }
}

/**
 * Runs the handler on one message and settles it: acknowledged only once the handler returned
 * (its effect is durable), a poison message put back for long, any other failure retried with
 * a backoff that grows with the number of deliveries.
 */
export async function handleAndSettle (msg: JsMsg, handle: (msg: JsMsg) => Promise<void>, log: FastifyBaseLogger): Promise<void> {
  try {
    await handle(msg)
    msg.ack()
  } catch (err) {
    if (err instanceof PoisonMessage) {
      log.error({ err, subject: msg.subject, seq: msg.seq, retryInMs: POISON_RETRY_MS }, 'a message this version cannot read; it will come back')
      msg.nak(POISON_RETRY_MS)
      return
    }
    const backoff = Math.min(30_000, 250 * 2 ** Math.min(msg.info.deliveryCount, 7))
    log.warn({ err, subject: msg.subject, seq: msg.seq, retryInMs: backoff }, 'message handling failed; will retry')
    msg.nak(backoff)
  }
}

/**
 * Runs a durable pull consumer with explicit acks: a message is acknowledged only after its
 * handler has made the effect durable, so a crash means redelivery, never loss.
 */
export async function startConsumer (nc: NatsConnection, spec: ConsumerSpec): Promise<RunningConsumer> {
  await ensureDurable(await jetstreamManager(nc), spec)
  const consumer = await jetstream(nc).consumers.get(spec.stream, spec.durable)
  const concurrency = spec.concurrency ?? 32
  const messages = await consumer.consume({ max_messages: concurrency * 4 })
  const inFlight = new Set<Promise<void>>()

  const loop = (async () => {
    for await (const msg of messages) {
      const p = handleAndSettle(msg, spec.handle, spec.log).finally(() => inFlight.delete(p))
      inFlight.add(p)
      if (inFlight.size >= concurrency) await Promise.race(inFlight)
    }
  })()

  return {
    stop: async () => {
      await messages.close()
      await loop
      await Promise.allSettled(inFlight)
    }
  }
}

/** The message's JSON body checked against a schema; a body that fails is poison, not a retry. */
export function decodeMessage<T> (schema: { safeParse: (v: unknown) => { success: true, data: T } | { success: false, error: { message: string } } }, msg: JsMsg): T {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(msg.data))
  } catch {
    throw new PoisonMessage(`${msg.subject}: body is not JSON`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new PoisonMessage(`${msg.subject}: ${parsed.error.message}`)
  return parsed.data
}
