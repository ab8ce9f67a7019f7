import t from 'tap'
import pino from 'pino'
import { connect } from '@nats-io/transport-node'
import { jetstream, jetstreamManager, AckPolicy, type JsMsg } from '@nats-io/jetstream'
import { PoisonMessage } from '../src/consumer.ts'
import { startPriorityConsumer } from '../src/priority-consumer.ts'
import { createTestNats } from '../../../test/harness/test-nats.ts'
import { eventually } from '../../../test/harness/http.ts'

const nats = await createTestNats()
t.teardown(async () => { await nats.dispose() })
const nc = await connect({ servers: nats.url, name: 'priority-consumer-test' })
t.teardown(async () => { await nc.close() })
const jsm = await jetstreamManager(nc)
const js = jetstream(nc)
const log = pino({ level: 'silent' })

let streams = 0
/** A stream of the test's own with lanes `<s>.urgent.>` and `<s>.normal.>`. */
async function stream (): Promise<{ name: string, lanes: Array<{ durable: string, filterSubject: string }>, subject: (lane: 'urgent' | 'normal', n: number) => string }> {
  const name = `S${++streams}`
  await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`] })
  const s = name.toLowerCase()
  return {
    name,
    lanes: [{ durable: `${name}-urgent`, filterSubject: `${s}.urgent.>` }, { durable: `${name}-normal`, filterSubject: `${s}.normal.>` }],
    subject: (lane, n) => `${s}.${lane}.${n}`
  }
}

async function publishMany (subjects: string[]): Promise<void> {
  await Promise.all(subjects.map(async (subject) => await js.publish(subject, '{}')))
}

async function settled (streamName: string, durables: string[]): Promise<true | undefined> {
  for (const d of durables) {
    const info = await jsm.consumers.info(streamName, d)
    if (info.num_pending !== 0 || info.num_ack_pending !== 0) return undefined
  }
  return true
}

t.test('an urgent message published behind a backlog is handled before the backlog drains', async (t) => {
  const s = await stream()
  const BACKLOG = 2_000
  await publishMany(Array.from({ length: BACKLOG }, (_, i) => s.subject('normal', i)))
  const handled: string[] = []
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const consumer = await startPriorityConsumer(nc, {
    stream: s.name,
    lanes: s.lanes,
    concurrency: 4,
    buffer: 8,
    log,
    handle: async (msg: JsMsg) => {
      // the first normal messages hold their slots until the urgent one is in the stream
      if (handled.length < 4) await gate
      handled.push(msg.subject)
    }
  })
  t.teardown(consumer.stop)
  await eventually(async () => (await jsm.consumers.info(s.name, s.lanes[1]!.durable)).num_ack_pending >= 4 ? true : undefined, 10_000, 'four normal in hand')
  await js.publish(s.subject('urgent', 0), '{}')
  // wait until the urgent lane has fetched it, so the order below is the dispatcher's and not a race
  await eventually(async () => (await jsm.consumers.info(s.name, s.lanes[0]!.durable)).num_ack_pending === 1 ? true : undefined, 10_000, 'urgent fetched')
  release()
  await eventually(async () => await settled(s.name, s.lanes.map((l) => l.durable)), 30_000, 'everything acknowledged')
  const at = handled.indexOf(s.subject('urgent', 0))
  t.ok(at >= 0 && at <= 4 + 8, `the urgent message was handled ${at + 1}th of ${BACKLOG + 1}: after at most the slots and one lane buffer`)
  t.equal(handled.length, BACKLOG + 1, 'every message handled once')
  t.equal(new Set(handled).size, BACKLOG + 1)
})

t.test('a failed handler is retried, a poison message is put back, and only success acknowledges', async (t) => {
  const s = await stream()
  await publishMany([s.subject('normal', 1), s.subject('normal', 2)])
  const attempts = new Map<string, number>()
  const consumer = await startPriorityConsumer(nc, {
    stream: s.name,
    lanes: s.lanes,
    log,
    handle: async (msg) => {
      const n = (attempts.get(msg.subject) ?? 0) + 1
      attempts.set(msg.subject, n)
      if (msg.subject.endsWith('.2')) throw new PoisonMessage('cannot read')
      if (n < 3) throw new Error('not yet')
    }
  })
  t.teardown(consumer.stop)
  await eventually(async () => attempts.get(s.subject('normal', 1)) === 3 ? true : undefined, 15_000, 'third attempt')
  await eventually(async () => {
    const info = await jsm.consumers.info(s.name, s.lanes[1]!.durable)
    return info.num_ack_pending === 1 && info.num_pending === 0 ? true : undefined
  }, 10_000, 'the retried message acknowledged, the poison one still pending')
  t.equal(attempts.get(s.subject('normal', 2)), 1, 'the poison message waits long before it comes back')
})

t.test('stop finishes what is in hand, gives back what is buffered, and a new start gets the rest', async (t) => {
  const s = await stream()
  await publishMany(Array.from({ length: 20 }, (_, i) => s.subject('normal', i)))
  const handled: string[] = []
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  let entered!: () => void
  const holding = new Promise<void>((resolve) => { entered = resolve })
  const first = await startPriorityConsumer(nc, {
    stream: s.name,
    lanes: s.lanes,
    concurrency: 1,
    buffer: 5,
    ackWaitMs: 60_000,
    log,
    handle: async (msg) => {
      entered()
      await gate
      handled.push(msg.subject)
    }
  })
  await holding
  const stopped = first.stop()
  release()
  await stopped
  t.same(handled, [s.subject('normal', 0)], 'the message in hand was finished, nothing new started')
  const second = await startPriorityConsumer(nc, { stream: s.name, lanes: s.lanes, ackWaitMs: 60_000, log, handle: async (msg) => { handled.push(msg.subject) } })
  t.teardown(second.stop)
  // with a 60 s ack wait, only messages given back at stop can come again this soon
  await eventually(async () => await settled(s.name, s.lanes.map((l) => l.durable)), 10_000, 'the rest handled by the next start')
  t.equal(new Set(handled).size, 20, 'every message handled')
})

t.test('a consumer of the older layout is removed at start', async (t) => {
  const s = await stream()
  await jsm.consumers.add(s.name, { durable_name: 'legacy', ack_policy: AckPolicy.Explicit, filter_subject: `${s.name.toLowerCase()}.>` })
  const consumer = await startPriorityConsumer(nc, { stream: s.name, lanes: s.lanes, retire: ['legacy', 'never-was'], log, handle: async () => {} })
  t.teardown(consumer.stop)
  const names: string[] = []
  for await (const c of jsm.consumers.list(s.name)) names.push(c.name)
  t.same(names.sort(), s.lanes.map((l) => l.durable).sort())
})
