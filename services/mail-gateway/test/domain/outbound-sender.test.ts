import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { OutboundSender, type OutboundSenderOptions } from '../../src/domain/outbound-sender.ts'
import { queueCounts, queueDocumentMail, type QueuedMail } from '../../src/domain/outbound-queue.ts'
import { eventually } from '../../../../test/harness/http.ts'
import { emptyQueue, mailRows, migratedDatabase, quietLog, type MailRow } from '../fixtures/db.ts'
import { COMMUNE, deliveryOf, documentMail } from '../fixtures/deliveries.ts'
import { MailReceiver, ScriptedRelay, freePort } from '../fixtures/relay.ts'

const { sql } = await migratedDatabase(t)
t.beforeEach(async () => { await emptyQueue(sql) })

type Outcome = 'sent' | 'retry' | 'failed'
interface Running { sender: OutboundSender, outcomes: Array<{ outcome: Outcome, id: number, at: number }> }

/** A sender on the relay at `port`, building each message by hand (not through document-mail.ts). */
function startSender (t: Test, port: number, opts: Partial<OutboundSenderOptions> = {}): Running {
  const outcomes: Running['outcomes'] = []
  const sender = new OutboundSender({
    sql,
    relayUrl: `smtp://127.0.0.1:${port}`,
    message: async (mail: QueuedMail) => ({
      from: { name: 'Liên thông văn bản', address: 'vanban@lienthong.local' },
      to: mail.toAddress,
      subject: `Văn bản ${mail.documentId ?? mail.messageId}`,
      text: 'Kính gửi quý cơ quan.',
      messageId: mail.messageId
    }),
    concurrency: 3,
    retryMs: 100,
    retryMaxMs: 2_000,
    pollMs: 50,
    leaseMs: 30_000,
    log: quietLog,
    onOutcome: (outcome, mail) => { outcomes.push({ outcome, id: mail.id, at: Date.now() }) },
    ...opts
  })
  sender.start()
  t.teardown(async () => { await sender.stop() })
  return { sender, outcomes }
}

/** Queues `n` document mails, one a document, to `to(i)`; answers their Message-IDs. */
async function queueMails (n: number, to: (i: number) => string = (i) => `official${i}@example.gov.vn`, from = 0): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const mail = documentMail(deliveryOf(from + i, COMMUNE), to(i))
    await queueDocumentMail(sql, mail)
    ids.push(mail.messageId)
  }
  return ids
}

async function rowsBy (address: string): Promise<MailRow> {
  const row = (await mailRows(sql)).find((r) => r.to_address === address)
  if (row === undefined) throw new Error(`no mail to ${address}`)
  return row
}

t.test('queued mails are sent and marked sent, each exactly once', async (t) => {
  const receiver = new MailReceiver(await freePort())
  await receiver.start()
  t.teardown(async () => { await receiver.stop() })
  const ids = await queueMails(12)
  const { outcomes } = startSender(t, receiver.port)
  await receiver.waitFor(12, 20_000)
  await eventually(async () => (await queueCounts(sql)).sent === 12 ? true : undefined, 10_000, 'all marked sent')
  await sleep(500) // several polls more: nothing goes a second time
  t.equal(receiver.mails.length, 12)
  t.same([...receiver.counts().keys()].sort(), [...ids].sort(), 'every queued mail, under its own Message-ID')
  t.ok([...receiver.counts().values()].every((n) => n === 1), 'each once')
  t.same(await queueCounts(sql), { queued: 0, sent: 12, failed: 0, retrying: 0 })
  t.ok((await mailRows(sql)).every((r) => r.attempts === 1), 'one try each')
  t.equal(outcomes.filter((o) => o.outcome === 'sent').length, 12)
  const first = receiver.mails.find((m) => m.messageId === ids[0])
  t.match(first?.to, { text: 'official0@example.gov.vn' }, 'to the queued address')
})

t.test('a relay that is not there: retried with a growing backoff, then each mail arrives once', async (t) => {
  const receiver = new MailReceiver(await freePort())
  t.teardown(async () => { await receiver.stop() })
  const ids = await queueMails(3)
  const { outcomes } = startSender(t, receiver.port, { retryMs: 150, retryMaxMs: 5_000 })
  const retriesOf = (id: number): number[] => outcomes.filter((o) => o.id === id && o.outcome === 'retry').map((o) => o.at)
  const rows = await mailRows(sql)
  await eventually(async () => rows.every((r) => retriesOf(r.id).length >= 4) ? true : undefined, 15_000, 'four tries of each')
  for (const row of await mailRows(sql)) {
    t.ok(row.attempts >= 4, `attempts grow (${row.attempts})`)
    t.match(row.last_error, /ECONNREFUSED|connect/i, 'the error kept')
    t.notOk(row.sent || row.failed, 'still queued: a dead relay is not a refusal')
    const at = retriesOf(row.id)
    const gaps = at.slice(1).map((x, i) => x - at[i]!)
    t.ok(gaps[1]! > gaps[0]! && gaps[2]! > gaps[1]!, `each wait longer than the one before: ${gaps.join(', ')} ms`)
  }
  t.equal((await queueCounts(sql)).retrying, 3)

  await receiver.start()
  await receiver.waitFor(3, 20_000)
  await eventually(async () => (await queueCounts(sql)).sent === 3 ? true : undefined, 10_000, 'all marked sent')
  await sleep(500)
  t.same([...receiver.counts().entries()].sort(), ids.map((id) => [id, 1]).sort(), 'once the relay is up, each arrives once')
  t.ok((await mailRows(sql)).every((r) => r.last_error === null), 'the errors cleared')
})

t.test('a relay that goes down: the mails wait for it and then arrive once', async (t) => {
  const receiver = new MailReceiver(await freePort())
  await receiver.start()
  t.teardown(async () => { await receiver.stop() })
  const [first] = await queueMails(1)
  const { sender } = startSender(t, receiver.port, { retryMs: 150 })
  await receiver.waitFor(1, 10_000)
  await eventually(async () => (await queueCounts(sql)).sent === 1 ? true : undefined, 10_000, 'the first marked sent')

  await receiver.stop()
  const later = await queueMails(3, (i) => `later${i}@example.gov.vn`, 10)
  sender.nudge()
  await eventually(async () => (await mailRows(sql)).filter((r) => !r.sent).every((r) => r.attempts >= 2 && r.last_error !== null) ? true : undefined, 10_000, 'tried twice while down')
  t.equal((await queueCounts(sql)).sent, 1, 'none of them taken for sent')

  await receiver.start()
  await receiver.waitFor(4, 20_000)
  await eventually(async () => (await queueCounts(sql)).sent === 4 ? true : undefined, 10_000, 'all marked sent')
  await sleep(500)
  t.same([...receiver.counts().entries()].sort(), [first!, ...later].map((id) => [id, 1]).sort(), 'each once, the first not again')
})

t.test('a 5xx at RCPT or DATA fails the mail for good; a 4xx is tried again', async (t) => {
  const relay = new ScriptedRelay()
  await relay.start()
  t.teardown(async () => { await relay.stop() })
  relay.refuse('gone@example.gov.vn', { at: 'rcpt', code: 550 })
  relay.refuse('spam@example.gov.vn', { at: 'data', code: 550 })
  relay.refuse('busy@example.gov.vn', { at: 'rcpt', code: 451, times: 2 })
  relay.refuse('later@example.gov.vn', { at: 'data', code: 451, times: 1 })
  const addresses = ['ok', 'gone', 'spam', 'busy', 'later'].map((a) => `${a}@example.gov.vn`)
  const ids = await queueMails(addresses.length, (i) => addresses[i]!)
  const { outcomes } = startSender(t, relay.port)
  await eventually(async () => {
    const c = await queueCounts(sql)
    return c.sent === 3 && c.failed === 2 ? true : undefined
  }, 15_000, 'three sent, two failed')
  await sleep(500) // time for a retry that must not happen

  const gone = await rowsBy('gone@example.gov.vn')
  t.ok(gone.failed, '550 at RCPT TO: failed')
  t.equal(gone.attempts, 1, 'and not tried again')
  t.match(gone.last_error, /550/)
  t.equal(relay.rcpts.get('gone@example.gov.vn'), 1)
  const spam = await rowsBy('spam@example.gov.vn')
  t.ok(spam.failed, '550 at the end of DATA: failed')
  t.equal(spam.attempts, 1)
  t.match(spam.last_error, /550/)
  t.equal(relay.rcpts.get('spam@example.gov.vn'), 1)

  const busy = await rowsBy('busy@example.gov.vn')
  t.ok(busy.sent && !busy.failed, '451 at RCPT TO twice: sent at the third try')
  t.equal(busy.attempts, 3)
  t.equal(relay.rcpts.get('busy@example.gov.vn'), 3)
  const later = await rowsBy('later@example.gov.vn')
  t.ok(later.sent && !later.failed, '451 at DATA: sent at the second try')
  t.equal(later.attempts, 2)

  t.same([...relay.taken].sort(), [ids[0], ids[3], ids[4]].sort(), 'the relay took the three, each once')
  t.equal(outcomes.filter((o) => o.outcome === 'failed').length, 2, 'two failures reported')
  t.equal(outcomes.filter((o) => o.outcome === 'retry').length, 3, 'three retries reported')
})

t.test('nudge() sends a new mail at once rather than at the next poll', async (t) => {
  const receiver = new MailReceiver(await freePort())
  await receiver.start()
  t.teardown(async () => { await receiver.stop() })
  // A first mail, sent at start, so the sender is surely past its first look and waiting its poll.
  await queueMails(1)
  const { sender, outcomes } = startSender(t, receiver.port, { pollMs: 60_000 })
  await receiver.waitFor(1, 10_000)
  await eventually(async () => outcomes.length === 1 ? true : undefined, 10_000, 'the first marked sent')
  await sleep(300)

  const [quiet] = await queueMails(1, () => 'quiet@example.gov.vn', 10)
  await sleep(1_000)
  t.equal(receiver.mails.length, 1, 'without a nudge a new mail waits for the poll (60 s)')
  sender.nudge()
  await receiver.waitFor(2, 5_000)
  t.equal(receiver.mails[1]?.messageId, quiet, 'a nudge sends it within seconds')
})

t.test('stop() waits for the mails in hand, then sends nothing more', async (t) => {
  const relay = new ScriptedRelay()
  await relay.start()
  t.teardown(async () => { await relay.stop() })
  relay.slowData(1_500)
  let dataStarted = 0
  relay.onDataStart = () => { dataStarted++ }
  const ids = await queueMails(2)
  const { sender } = startSender(t, relay.port, { concurrency: 2 })
  await eventually(async () => dataStarted === 2 ? true : undefined, 10_000, 'both mails with the relay')
  await sender.stop()
  t.same([...relay.taken].sort(), [...ids].sort(), 'the relay had taken both when stop() returned')
  t.same((await mailRows(sql)).map((r) => r.sent), [true, true], 'and both were marked sent')

  await queueMails(1, () => 'after@example.gov.vn', 10)
  sender.nudge()
  await sleep(500)
  t.equal((await rowsBy('after@example.gov.vn')).attempts, 0, 'a stopped sender claims nothing')
})

t.test('stop() right after start() does not wait out the poll', async (t) => {
  // stop() comes while the sender's first look at the queue is on its way to Postgres; it must not
  // then sleep its poll (60 s here, 1 s by default) before it sees that it was stopped.
  const receiver = new MailReceiver(await freePort())
  await receiver.start()
  t.teardown(async () => { await receiver.stop() })
  const { sender } = startSender(t, receiver.port, { pollMs: 60_000 })
  const stopped = await Promise.race([sender.stop().then(() => 'stopped' as const), sleep(5_000).then(() => 'still waiting' as const)])
  t.equal(stopped, 'stopped', 'stopped within seconds')
})
