import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { Sql } from 'postgres'
import {
  NOTICE_PRIORITY, claimDueMails, markFailed, markRetry, markSent, queueCounts, queueDocumentMail, queueNotice, type DocumentPayload, type NoticePayload
} from '../../src/domain/outbound-queue.ts'
import { noticeMessageId } from '../../src/domain/mail-identity.ts'
import { emptyQueue, mailRows, migratedDatabase } from '../fixtures/db.ts'
import { COMMUNE, DISTRICT, DOMAIN, OTHER_COMMUNE, deliveryOf, documentMail } from '../fixtures/deliveries.ts'

const { sql } = await migratedDatabase(t)
t.beforeEach(async () => { await emptyQueue(sql) })

const LEASE_MS = 60_000

function notice (n: number): { messageId: string, toAddress: string, notice: NoticePayload } {
  return {
    messageId: noticeMessageId(`submission-${n}`, 'sent', DOMAIN),
    toAddress: `official${n}@example.gov.vn`,
    notice: { subject: `Đã gửi: văn bản ${n}`, text: 'Văn bản đã được gửi.', html: '<p>Văn bản đã được gửi.</p>' }
  }
}

async function tokens (sql: Sql): Promise<Array<{ token: string, document_id: string, recipient: string, sender: string }>> {
  return [...await sql<Array<{ token: string, document_id: string, recipient: string, sender: string }>>`select token, document_id, recipient, sender from mail.reply_tokens order by recipient`]
}

t.test('a delivery queued twice (same message id) is one mail with one reply token', async (t) => {
  const mail = documentMail(deliveryOf(1, COMMUNE))
  t.equal(await queueDocumentMail(sql, mail), true, 'the first queueing makes the mail')
  t.equal(await queueDocumentMail(sql, mail), false, 'the second finds it there')
  const rows = await mailRows(sql)
  t.equal(rows.length, 1)
  const [tok] = await tokens(sql)
  t.equal((await tokens(sql)).length, 1, 'one reply token')
  t.match(tok, { document_id: mail.delivery.documentId, recipient: COMMUNE, sender: mail.delivery.envelope.sender })
  t.match(tok!.token, /^[0-9a-f]{32}$/, '128 random bits')
  t.match(rows[0], { message_id: mail.messageId, kind: 'document', to_address: mail.toAddress, attempts: 0, sent: false, failed: false })
  const payload = rows[0]!.payload as DocumentPayload
  t.equal(payload.replyToken, tok!.token, 'the mail carries the token of its copy')
  t.same(payload.delivery, mail.delivery, 'and the delivery it is built from')
})

t.test('queued at once from two copies of the gateway, a delivery is still one mail and one token', async (t) => {
  for (let round = 0; round < 10; round++) {
    const mail = documentMail(deliveryOf(2 + round, COMMUNE))
    const made = await Promise.all(Array.from({ length: 6 }, async () => await queueDocumentMail(sql, mail)))
    t.equal(made.filter(Boolean).length, 1, `round ${round}: one of them made it`)
  }
  t.equal((await mailRows(sql)).length, 10, 'one mail a delivery')
  t.equal((await tokens(sql)).length, 10, 'one token a delivery')
})

t.test('two recipients of one document: two mails, each with a token of its own', async (t) => {
  const first = documentMail(deliveryOf(3, COMMUNE, { recipients: [COMMUNE, OTHER_COMMUNE] }))
  const second = documentMail(deliveryOf(3, OTHER_COMMUNE, { recipients: [COMMUNE, OTHER_COMMUNE] }))
  t.equal(first.delivery.documentId, second.delivery.documentId, 'one document')
  t.not(first.messageId, second.messageId)
  t.ok(await queueDocumentMail(sql, first))
  t.ok(await queueDocumentMail(sql, second))
  const toks = await tokens(sql)
  t.same(toks.map((k) => k.recipient), [COMMUNE, OTHER_COMMUNE])
  t.not(toks[0]!.token, toks[1]!.token, 'distinct tokens')
  const rows = await mailRows(sql)
  t.same(rows.map((r) => (r.payload as DocumentPayload).replyToken).sort(), toks.map((k) => k.token).sort(), 'each mail carries its own')
})

t.test('a queued mail has the document\'s priority; a notice comes after hỏa tốc only', async (t) => {
  await queueDocumentMail(sql, documentMail(deliveryOf(4, COMMUNE, { priority: 3 })))
  await queueNotice(sql, notice(1))
  const rows = await mailRows(sql)
  t.same(rows.map((r) => [r.kind, r.priority]), [['document', 3], ['notice', NOTICE_PRIORITY]])
})

t.test('due mails are claimed most urgent first', async (t) => {
  const priorities = [0, 3, 1, 0, 2] as const
  for (const [i, priority] of priorities.entries()) await queueDocumentMail(sql, documentMail(deliveryOf(10 + i, COMMUNE, { priority })))
  await queueNotice(sql, notice(2)) // priority 2, queued last
  const rows = await mailRows(sql)
  const idOf = (n: number): number => rows[n]!.id

  const firstTwo = await claimDueMails(sql, 2, LEASE_MS)
  t.same(firstTwo.map((m) => m.id).sort((a, b) => a - b), [idOf(1), idOf(4)], 'a short claim takes the hỏa tốc and the thượng khẩn')
  const rest = await claimDueMails(sql, 10, LEASE_MS)
  t.same(new Set(rest.map((m) => m.id)), new Set([idOf(0), idOf(2), idOf(3), idOf(5)]), 'then the rest')
  t.equal(rest.find((m) => m.kind === 'notice')?.messageId, notice(2).messageId)
})

t.test('a claim hands its mails over most urgent first, so the sender starts with them', async (t) => {
  // The sender starts the mails of one claim in the order given, `concurrency` at a time: a hỏa tốc
  // mail at the end of a claim of 4 × concurrency waits behind the others.
  const priorities = [0, 0, 1, 3, 0, 2] as const
  for (const [i, priority] of priorities.entries()) await queueDocumentMail(sql, documentMail(deliveryOf(20 + i, COMMUNE, { priority })))
  const claimed = await claimDueMails(sql, 10, LEASE_MS)
  const rows = await mailRows(sql)
  const priorityOf = new Map(rows.map((r) => [r.id, r.priority]))
  t.same(claimed.map((m) => priorityOf.get(m.id)), [3, 2, 1, 0, 0, 0], 'hỏa tốc first, thường last')
  const normal = claimed.slice(3).map((m) => m.id)
  t.same(normal, [...normal].sort((a, b) => a - b), 'among equals, the oldest first')
})

t.test('a claimed mail is leased: not claimed again until the lease ends, then due again', async (t) => {
  for (let n = 0; n < 3; n++) await queueDocumentMail(sql, documentMail(deliveryOf(30 + n, COMMUNE)))
  const first = await claimDueMails(sql, 10, 700)
  t.equal(first.length, 3)
  t.ok(first.every((m) => m.attempts === 1), 'a claim counts an attempt')
  t.same(await claimDueMails(sql, 10, 700), [], 'a second claim right after gets none of them')
  await sleep(1_000)
  const again = await claimDueMails(sql, 10, LEASE_MS)
  t.same(again.map((m) => m.id), first.map((m) => m.id), 'the lease ran out: all three are due again')
  t.ok(again.every((m) => m.attempts === 2))
  t.same(await claimDueMails(sql, 10, LEASE_MS), [], 'and leased again')
})

t.test('two claimers at once split the mails: a locked mail is skipped, not waited for', async (t) => {
  for (let n = 0; n < 30; n++) await queueDocumentMail(sql, documentMail(deliveryOf(100 + n, COMMUNE)))
  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  let aClaimed!: (ids: number[]) => void
  const aHas = new Promise<number[]>((resolve) => { aClaimed = resolve })
  // A claims inside a transaction it keeps open: its rows stay locked, its lease not yet visible.
  const a = sql.begin(async (tx) => {
    const mails = await claimDueMails(tx as unknown as Sql, 10, LEASE_MS)
    aClaimed(mails.map((m) => m.id))
    await held
    return mails.map((m) => m.id)
  })
  const aIds = await aHas
  t.equal(aIds.length, 10)
  const b = await Promise.race([
    claimDueMails(sql, 10, LEASE_MS).then((mails) => mails.map((m) => m.id)),
    sleep(5_000).then(() => 'blocked' as const)
  ])
  release()
  await a
  t.not(b, 'blocked', 'the second claimer did not wait for the first one\'s locks')
  if (b === 'blocked') return
  t.equal(b.length, 10, 'it took ten others')
  t.same(aIds.filter((id) => b.includes(id)), [], 'no mail claimed by both')
  t.equal((await claimDueMails(sql, 100, LEASE_MS)).length, 10, 'the last ten are left for a third')
})

t.test('many claimers racing for the queue take every mail exactly once', async (t) => {
  for (let n = 0; n < 200; n++) await queueDocumentMail(sql, documentMail(deliveryOf(200 + n, COMMUNE)))
  const claims = await Promise.all(Array.from({ length: 5 }, async () => {
    const mine: number[] = []
    for (;;) {
      const got = await claimDueMails(sql, 7, LEASE_MS)
      if (got.length === 0) return mine
      mine.push(...got.map((m) => m.id))
    }
  }))
  const all = claims.flat()
  t.equal(all.length, 200, 'two hundred claims')
  t.equal(new Set(all).size, 200, 'of two hundred different mails')
  t.ok(claims.filter((c) => c.length > 0).length >= 2, 'shared between claimers')
})

t.test('markRetry: the mail waits for the delay, keeps the error, then is due again', async (t) => {
  await queueDocumentMail(sql, documentMail(deliveryOf(40, COMMUNE)))
  const [mail] = await claimDueMails(sql, 10, LEASE_MS)
  await markRetry(sql, mail!.id, 600, 'connect ECONNREFUSED 127.0.0.1:25')
  const [row] = await mailRows(sql)
  t.equal(row!.last_error, 'connect ECONNREFUSED 127.0.0.1:25')
  t.ok(row!.due_in_ms > 300 && row!.due_in_ms <= 600, `due in the delay (${row!.due_in_ms} ms), not at the lease's end`)
  t.same(await claimDueMails(sql, 10, LEASE_MS), [], 'not due before the delay')
  await sleep(800)
  const [again] = await claimDueMails(sql, 10, LEASE_MS)
  t.equal(again?.id, mail!.id, 'due after it: the retry replaced the lease')
  t.equal(again?.attempts, 2)
})

t.test('markRetry keeps a long error short', async (t) => {
  await queueDocumentMail(sql, documentMail(deliveryOf(41, COMMUNE)))
  const [mail] = await claimDueMails(sql, 10, LEASE_MS)
  await markRetry(sql, mail!.id, 10, 'x'.repeat(5_000))
  t.equal((await mailRows(sql))[0]!.last_error?.length, 1_000)
})

t.test('a sent or failed mail leaves the queue, even once its lease is over', async (t) => {
  for (let n = 0; n < 3; n++) await queueDocumentMail(sql, documentMail(deliveryOf(50 + n, COMMUNE)))
  const [a, b, c] = await claimDueMails(sql, 10, 300)
  await markRetry(sql, a!.id, 0, '421 try later')
  await claimDueMails(sql, 10, 300)
  await markSent(sql, a!.id)
  await markFailed(sql, b!.id, '550 5.1.1 no such mailbox')
  await sleep(500)
  const due = await claimDueMails(sql, 10, LEASE_MS)
  t.same(due.map((m) => m.id), [c!.id], 'only the one neither sent nor failed')
  const rows = await mailRows(sql)
  t.ok(rows[0]!.sent, 'sent_at set')
  t.equal(rows[0]!.last_error, null, 'an earlier error is cleared once sent')
  t.ok(rows[1]!.failed, 'failed_at set')
  t.equal(rows[1]!.last_error, '550 5.1.1 no such mailbox', 'the refusal kept')
  t.notOk(rows[1]!.sent, 'and not sent')
})

t.test('a notice is queued once per message id', async (t) => {
  const first = notice(3)
  await queueNotice(sql, first)
  await queueNotice(sql, { ...first, notice: { ...first.notice, subject: 'another' } })
  const rows = await mailRows(sql)
  t.equal(rows.length, 1)
  t.match(rows[0], { kind: 'notice', message_id: first.messageId, to_address: first.toAddress, priority: NOTICE_PRIORITY })
  t.same(rows[0]!.payload, first.notice, 'the first one kept')
  const [claimed] = await claimDueMails(sql, 10, LEASE_MS)
  t.match(claimed, { kind: 'notice', documentId: null, recipient: null, payload: first.notice })
})

t.test('queueCounts: queued, sent, failed and retrying add up to the queue', async (t) => {
  t.same(await queueCounts(sql), { queued: 0, sent: 0, failed: 0, retrying: 0 }, 'an empty queue')
  for (let n = 0; n < 7; n++) await queueDocumentMail(sql, documentMail(deliveryOf(60 + n, n % 2 === 0 ? COMMUNE : DISTRICT)))
  await queueNotice(sql, notice(4))
  const claimed = await claimDueMails(sql, 5, LEASE_MS)
  await markSent(sql, claimed[0]!.id)
  await markSent(sql, claimed[1]!.id)
  await markFailed(sql, claimed[2]!.id, '550 no')
  await markRetry(sql, claimed[3]!.id, 60_000, '451 later')
  // claimed[4] is in hand (leased, no error yet): queued, not retrying
  const counts = await queueCounts(sql)
  t.same(counts, { queued: 5, sent: 2, failed: 1, retrying: 1 })
  t.equal(counts.queued + counts.sent + counts.failed, (await mailRows(sql)).length, 'every mail counted once')
})
