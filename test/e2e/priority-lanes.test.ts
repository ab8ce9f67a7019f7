import t from 'tap'
import { connect } from '@nats-io/transport-node'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { STREAMS, deliverSubject, deliveryMessageId, inboxLaneConsumer, type DeliveryMessage } from '@lienthong/contracts'
import { laocaiDirectory } from '@lienthong/seeds'
import { startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { dmsKey, registerKey, signRequest } from '../harness/dms-keys.ts'

const PROVINCE = '000.00.00.H38'
/** sends the backlog, signing with keys of its own DMS */
const BACKLOG_SENDER = '000.00.31.H38'
const URGENT_RECIPIENT = '000.00.32.H38'
const BACKLOG = 10_000
/** how many normal documents may be stored before the hỏa tốc one: the handler slots and a lane's buffer, and a wide margin */
const OVERTAKEN_AT_MOST = 500

t.test('a hỏa tốc document overtakes a backlog of 10,000 normal ones in the inbox', async (t) => {
  // Only the province in custody: the backlog's recipients sign their 01 receipts with their own
  // DMS (never here), so draining 10,000 deliveries costs storing them, not 10,000 signed answers.
  const stack = await startStack(t, { custody: [PROVINCE] })
  const admin = await stack.adminToken()
  const signer = dmsKey(BACKLOG_SENDER, 'signer', 'backlog-signer')
  const seal = dmsKey(BACKLOG_SENDER, 'agency', 'backlog-seal')
  await registerKey(stack.registry.url, admin, signer)
  await registerKey(stack.registry.url, admin, seal)

  const nc = await connect({ servers: stack.nats.url, name: 'priority-lanes-test' })
  t.teardown(async () => { await nc.close() })
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  const pending = async (lane: 'hoatoc' | 'thuong'): Promise<number> => (await jsm.consumers.info(STREAMS.deliveries.name, inboxLaneConsumer(lane))).num_pending

  // The inbox is down: what routing sends waits in the stream, as after an outage.
  await stack.inbox.stop()

  // 10,000 normal documents, each to one agency, as routing would have delivered them.
  const recipients = laocaiDirectory().map((a) => a.code).filter((c) => c !== BACKLOG_SENDER)
  const sentAt = new Date().toISOString()
  const deliveries: DeliveryMessage[] = Array.from({ length: BACKLOG }, (_, i) => {
    const recipient = recipients[i % recipients.length]!
    const { envelope, signatures } = signRequest(BACKLOG_SENDER, {
      to: [recipient],
      document: { number: String(i + 1), notation: 'UBND-VP', type: 'Công văn', subject: `Văn bản thường số ${i + 1}`, issuedAt: '2026-11-26', priority: 0 }
    }, { signer, agency: seal }, sentAt)
    return { documentId: envelope.id, recipient, recipients: [recipient], recipientCount: 1, sentAt, envelope, signatures: { signer: signatures.signer, agency: signatures.agency } }
  })
  for (let i = 0; i < deliveries.length; i += 1_000) {
    await Promise.all(deliveries.slice(i, i + 1_000).map(async (d) => await js.publish(deliverSubject(d.recipient, 0), JSON.stringify(d), { msgID: deliveryMessageId(d.documentId, d.recipient), timeout: 10_000 })))
  }
  t.equal(await pending('thuong'), BACKLOG, 'the backlog waits for the inbox in the normal lane')

  // The hỏa tốc one goes the real way, through routing's API.
  const sent = await request('POST', `${stack.routing.url}/v1/documents`, {
    token: await stack.tokenFor(PROVINCE),
    json: { to: [URGENT_RECIPIENT], document: { number: '1', notation: 'HT-UBND', type: 'Công điện', subject: 'Ứng phó khẩn cấp mưa lũ', issuedAt: '2026-11-26', priority: 3 } }
  })
  t.equal(sent.status, 202)
  await eventually(async () => (await pending('hoatoc')) === 1 ? true : undefined, 15_000, 'the hỏa tốc delivery in its lane')

  await stack.inbox.start()
  const urgent = await eventually(async () => {
    const [row] = await stack.sql`select received_at from inbox.items where document_id = ${sent.body.id} and recipient = ${URGENT_RECIPIENT}`
    return row
  }, 30_000, 'the hỏa tốc document stored')
  const [before] = await stack.sql`select count(*)::int as n from inbox.items where priority = 0 and received_at < ${urgent.received_at}`
  t.ok(before!.n <= OVERTAKEN_AT_MOST, `stored after only ${before!.n} of the ${BACKLOG} normal documents`)
  t.ok(await pending('thuong') > BACKLOG / 2, 'while most of the backlog was still waiting in the stream')

  // And the backlog, overtaken, is not lost: every document arrives, each exactly once.
  await eventually(async () => {
    const [r] = await stack.sql`select count(*)::int as n from inbox.items where priority = 0`
    return r!.n >= BACKLOG ? true : undefined
  }, 60_000, 'the whole backlog stored')
  const [stored] = await stack.sql`select count(*)::int as n, count(distinct (document_id, recipient))::int as pairs, count(*) filter (where signatures_valid)::int as valid from inbox.items where priority = 0`
  t.same(stored, { n: BACKLOG, pairs: BACKLOG, valid: BACKLOG }, 'one row per document, every signature verified')
  const [urgentItem] = await stack.sql`select state, priority from inbox.items where document_id = ${sent.body.id}`
  t.same(urgentItem, { state: '01', priority: 3 })
})
