import t, { type Test } from 'tap'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { CONSUMERS, KV_BUCKETS, STREAMS, deliverSubject, parentCode, type DeliveryMessage, type DirectoryEntry } from '@lienthong/contracts'
import { Directory, connectNats, directoryKey, ensureStreams, errorFactory, loadConfig, openBucket } from '@lienthong/platform'
import { startDeliveriesConsumer } from '../../src/consumers/deliveries.ts'
import { MailGatewayConfig } from '../../src/config.ts'
import type { MailContext } from '../../src/context.ts'
import { documentMessageId } from '../../src/domain/mail-identity.ts'
import type { DocumentPayload } from '../../src/domain/outbound-queue.ts'
import { createTestNats } from '../../../../test/harness/test-nats.ts'
import { eventually } from '../../../../test/harness/http.ts'
import { emptyQueue, mailRows, migratedDatabase, quietLog } from '../fixtures/db.ts'
import { COMMUNE, DISTRICT, DOMAIN, OTHER_COMMUNE, SENDER, deliveryOf } from '../fixtures/deliveries.ts'

const MAILBOX = 'vanthu.xa05@example.gov.vn'
const UNKNOWN = '000.09.31.H38'

const { db, sql } = await migratedDatabase(t)
const nats = await createTestNats()
t.teardown(async () => { await nats.dispose() })
const nc = await connectNats(nats.url, 'mail-deliveries-test')
t.teardown(async () => { await nc.close() })
await ensureStreams(nc, [STREAMS.deliveries])
const js = jetstream(nc)
const jsm = await jetstreamManager(nc)

// The directory as registry publishes it: the commune has a mailbox, the district has none.
const bucket = await openBucket(nc, KV_BUCKETS.directory)
let version = 0
for (const [code, mailAddress] of [[SENDER, null], [DISTRICT, null], [COMMUNE, MAILBOX], [OTHER_COMMUNE, 'vanthu.xa06@example.gov.vn']] as const) {
  const entry: DirectoryEntry = {
    code,
    name: `UBND ${code}`,
    level: code === SENDER ? 'province' : code === DISTRICT ? 'district' : 'commune',
    kind: 'people_committee',
    parent: parentCode(code),
    status: 'active',
    statusSince: new Date().toISOString(),
    endpoints: { webhookUrl: null, mailAddress },
    version: ++version
  }
  await bucket.put(directoryKey(code), JSON.stringify(entry))
}
const directory = new Directory()
await directory.start(nc)
t.teardown(() => { directory.stop() })

const config = loadConfig(MailGatewayConfig, { DATABASE_URL: 'postgres://127.0.0.1/unused', LOG_LEVEL: 'silent', ACK_WAIT_MS: '2000' })
const ctx: MailContext = {
  config,
  db,
  sql,
  directory,
  // the consumer queues mail and reads no attachment; the sender reads them at sending time
  attachments: undefined as never,
  fail: errorFactory('mail'),
  log: quietLog
}

t.beforeEach(async () => {
  await emptyQueue(sql)
  // each test meets the consumer as a gateway newly added would: not there yet
  await jsm.consumers.delete(STREAMS.deliveries.name, CONSUMERS.mailDeliveries).catch(() => {})
})

interface Started { stop: () => Promise<void>, queued: () => number }

async function startConsumer (t: Test): Promise<Started> {
  let queued = 0
  const running = await startDeliveriesConsumer(nc, ctx, () => { queued++ })
  let stopped = false
  const stop = async (): Promise<void> => { if (!stopped) { stopped = true; await running.stop() } }
  t.teardown(stop)
  return { stop, queued: () => queued }
}

let published = 0
/** Publishes a delivery as routing does, under a JetStream message id of its own; answers its stream sequence. */
async function publish (delivery: DeliveryMessage): Promise<number> {
  const ack = await js.publish(deliverSubject(delivery.recipient, delivery.envelope.document.priority), JSON.stringify(delivery), { msgID: `test-${++published}` })
  if (ack.duplicate) throw new Error('JetStream took the delivery for a duplicate')
  return ack.seq
}

/** Waits until the consumer has acknowledged everything up to `seq`. */
async function acked (seq: number): Promise<void> {
  await eventually(async () => {
    const info = await jsm.consumers.info(STREAMS.deliveries.name, CONSUMERS.mailDeliveries)
    return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0 ? true : undefined
  }, 10_000, `acknowledged up to ${seq}`)
}

t.test('a delivery to an agency with a mailbox is queued as mail to that mailbox, then acknowledged', async (t) => {
  const c = await startConsumer(t)
  const delivery = deliveryOf(1, COMMUNE, { priority: 1 })
  await acked(await publish(delivery))
  const rows = await mailRows(sql)
  t.equal(rows.length, 1, 'one mail queued')
  t.match(rows[0], { kind: 'document', to_address: MAILBOX, priority: 1, message_id: documentMessageId(delivery.documentId, COMMUNE, DOMAIN) })
  const payload = rows[0]!.payload as DocumentPayload
  t.same(payload.delivery, delivery, 'with the delivery it is built from')
  t.match(payload.replyToken, /^[0-9a-f]{32}$/, 'and the reply token of the copy')
  t.equal(c.queued(), 1, 'the sender was told')
})

t.test('a delivery to an agency without a mailbox, or unknown here, is acknowledged and mails nothing', async (t) => {
  const c = await startConsumer(t)
  await publish(deliveryOf(2, DISTRICT))
  await acked(await publish(deliveryOf(3, UNKNOWN)))
  t.same(await mailRows(sql), [], 'nothing queued')
  t.equal(c.queued(), 0)
})

t.test('the same delivery published twice is one mail', async (t) => {
  const c = await startConsumer(t)
  const delivery = deliveryOf(4, OTHER_COMMUNE)
  const first = await publish(delivery)
  const second = await publish(delivery)
  t.not(first, second, 'both in the stream')
  await acked(second)
  const rows = await mailRows(sql)
  t.equal(rows.length, 1, 'one mail')
  t.equal(rows[0]!.to_address, 'vanthu.xa06@example.gov.vn')
  t.equal(c.queued(), 1, 'the second found it queued')
  t.equal((await sql`select count(*)::int as n from mail.reply_tokens`)[0]!.n, 1, 'one reply token')
})

t.test('a new consumer does not mail the stream\'s history; a restarted one gets what came while it was stopped', async (t) => {
  const before = deliveryOf(5, COMMUNE)
  await publish(before)
  const c = await startConsumer(t)
  const after = deliveryOf(6, COMMUNE)
  await acked(await publish(after))
  t.same((await mailRows(sql)).map((r) => r.message_id), [documentMessageId(after.documentId, COMMUNE, DOMAIN)], 'only what was published once it existed')

  await c.stop()
  const whileStopped = deliveryOf(7, COMMUNE)
  const seq = await publish(whileStopped)
  t.equal((await mailRows(sql)).length, 1, 'nothing handled while stopped')
  const again = await startConsumer(t)
  await acked(seq)
  t.same((await mailRows(sql)).map((r) => r.message_id), [after, whileStopped].map((d) => documentMessageId(d.documentId, COMMUNE, DOMAIN)),
    'the restarted consumer mailed what came while it was stopped, and not the history')
  t.equal(again.queued(), 1)
})
