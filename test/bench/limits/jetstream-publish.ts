// How many delivery messages a second this nats-server stores and acknowledges: routing's side of
// the exchange (publishDeliveries) with nothing else around it. A stream of its own, made as the
// DELIVERIES stream is (ensureStreams: file storage, limits retention, the duplicate window that
// message ids are checked against), removed afterwards.
import { randomBytes } from 'node:crypto'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connectNats, ensureStreams } from '@lienthong/platform'
import { closedLoop, warmUpSeconds } from './closed-loop.ts'
import { sampleDeliveries } from './sample-delivery.ts'

export interface JetstreamPublishLimit { messages: number, messageBytes: number, inFlight: number, perSecond: number }

/** Distinct messages to cycle through: their bytes are encoded before the clock starts. */
const SAMPLES = 1_000

/**
 * Publishes deliveries with a message id each (never the same id twice, so none is dropped as a
 * duplicate), `inFlight` awaiting their acknowledgement at any time, for `seconds`; counts the acknowledged.
 */
export async function measureJetstreamPublish (natsUrl: string, opts: { seconds: number, inFlight?: number }): Promise<JetstreamPublishLimit> {
  const inFlight = opts.inFlight ?? 1_000
  const tag = `LIMITS_${randomBytes(4).toString('hex').toUpperCase()}`
  // the delivery subjects under a prefix of this measure's own, so no service's consumer sees them
  const prefix = tag.toLowerCase()
  const samples = sampleDeliveries(SAMPLES).map((d) => ({ subject: `${prefix}.${d.subject}`, msgID: d.msgID, payload: Buffer.from(JSON.stringify(d.message)) }))
  const messageBytes = Math.round(samples.reduce((a, s) => a + s.payload.length, 0) / samples.length)
  const nc = await connectNats(natsUrl, 'bench-limits')
  try {
    await ensureStreams(nc, [{ name: tag, subjects: [`${prefix}.>`] }])
    try {
      const js = jetstream(nc)
      let sent = 0
      let acknowledged = 0
      const publish = async (): Promise<void> => {
        // n only grows, warm-up included: every id is new, and JetStream stores every message
        const n = sent++
        const s = samples[n % SAMPLES]!
        const ack = await js.publish(s.subject, s.payload, { msgID: `${s.msgID}|${n}`, timeout: 5_000 })
        if (ack.duplicate) throw new Error(`JetStream took message ${n} for a duplicate`)
        acknowledged++
      }
      await closedLoop(warmUpSeconds(opts.seconds), inFlight, publish)
      const before = acknowledged
      const elapsed = await closedLoop(opts.seconds, inFlight, publish)
      const counted = acknowledged - before
      const stored = (await (await jetstreamManager(nc)).streams.info(tag)).state.messages
      if (stored !== acknowledged) throw new Error(`JetStream acknowledged ${acknowledged} messages but its stream holds ${stored}`)
      return { messages: counted, messageBytes, inFlight, perSecond: counted / elapsed }
    } finally {
      await (await jetstreamManager(nc)).streams.delete(tag)
    }
  } finally {
    await nc.close()
  }
}
