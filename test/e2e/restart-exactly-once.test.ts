import t, { type Test } from 'tap'
import { laocaiAboveVillages, startStack, type TestStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { dmsKey, registerKey, signRequest } from '../harness/dms-keys.ts'

const PROVINCE = '000.00.00.H38'
const RECIPIENTS = ['000.00.31.H38', '000.00.32.H38', '000.00.33.H38']

function doc (n: number): object {
  return { to: RECIPIENTS, document: { number: String(n), notation: 'UBND-VP', type: 'Công văn', subject: `Văn bản số ${n}`, issuedAt: '2026-11-26' } }
}

async function sendMany (stack: TestStack, from: number, count: number): Promise<string[]> {
  const token = await stack.tokenFor(PROVINCE)
  const ids: string[] = []
  for (let i = from; i < from + count; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, from + count - i) }, async (_, k) =>
      await request('POST', `${stack.routing.url}/v1/documents`, { token, json: doc(i + k) })))
    for (const answer of batch) {
      if (answer.status !== 202) throw new Error(`send failed: ${answer.status} ${JSON.stringify(answer.body)}`)
      ids.push(answer.body.id)
    }
  }
  return ids
}

/** Waits for `expected` inbox rows, then checks there is exactly one per (document, recipient) and one 01 at the sender. */
async function checkExactlyOnce (t: Test, stack: TestStack, ids: string[]): Promise<void> {
  const expected = ids.length * RECIPIENTS.length
  await eventually(async () => {
    const [r] = await stack.sql`select count(*)::int as n from routing.delivery_statuses where code = '01' and document_id = any(${ids})`
    return r!.n >= expected ? true : undefined
  }, 60_000, `${expected} arrivals acknowledged to the sender`)
  // Let any redelivery that would make a second copy happen before counting.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const [items] = await stack.sql`select count(*)::int as n, count(distinct (document_id, recipient))::int as pairs from inbox.items where document_id = any(${ids})`
  t.equal(items!.n, expected, 'one inbox row per document and recipient')
  t.equal(items!.pairs, expected)
  const [arrivals] = await stack.sql`select count(*)::int as n from inbox.steps s join inbox.items i on i.id = s.item_id where s.code = '01' and i.document_id = any(${ids})`
  t.equal(arrivals!.n, expected, 'one arrival step each')
  const [statuses] = await stack.sql`select count(*)::int as n from routing.deliveries where status = '01' and document_id = any(${ids})`
  t.equal(statuses!.n, expected, 'the sender sees 01 for every recipient')
}

// One stack for the file: each test counts only its own documents (numbers 1–40, 100–299, 499–501).
const stack = await startStack(t, { agencies: laocaiAboveVillages() })

t.test('inbox stopped after the publish, started again: every document exactly once', async (t) => {
  await stack.inbox.stop('SIGTERM')
  const ids = await sendMany(stack, 1, 40)
  const [none] = await stack.sql`select count(*)::int as n from inbox.items`
  t.equal(none!.n, 0, 'nothing stored while inbox is down')
  const [queued] = await stack.sql`select count(*)::int as n from routing.documents where published_at is not null`
  t.equal(queued!.n, 40, 'every document was durable in JetStream before its 202')
  await stack.inbox.start()
  await checkExactlyOnce(t, stack, ids)
})

t.test('inbox killed in the middle of a burst, started again: no loss, no second copy', async (t) => {
  const before = Number((await stack.sql`select count(*)::int as n from inbox.items`)[0]!.n)
  const sending = sendMany(stack, 100, 200)
  await eventually(async () => {
    const [r] = await stack.sql`select count(*)::int as n from inbox.items`
    return r!.n > before + 30 ? true : undefined
  }, 30_000, 'the burst under way')
  await stack.inbox.stop('SIGKILL')
  const ids = await sending
  await stack.inbox.start()
  await checkExactlyOnce(t, stack, ids)
})

t.test('NATS down: the sender is told to retry, nothing is lost, and the retry gets the first id', async (t) => {
  // The province's DMS signs for itself here: its document needs nothing from NATS to be accepted
  // and stored, so the outage falls between the store and the publish.
  const admin = await stack.adminToken()
  const signer = dmsKey(PROVINCE, 'signer', 'outage-signer')
  const seal = dmsKey(PROVINCE, 'agency', 'outage-seal')
  await registerKey(stack.registry.url, admin, signer)
  await registerKey(stack.registry.url, admin, seal)
  const token = await stack.tokenFor(PROVINCE)
  const signed = (n: number): object => ({ ...doc(n), signatures: signRequest(PROVINCE, doc(n) as Parameters<typeof signRequest>[1], { signer, agency: seal }).signatures })
  await eventually(async () => {
    const r = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: signed(499) })
    return r.status === 202 ? r : undefined
  }, 10_000, 'routing to know the DMS keys')

  await stack.nats.stop()
  const headers = { 'idempotency-key': 'during-outage' }
  const refused = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: signed(500), headers })
  t.equal(refused.status, 503)
  t.equal(refused.body.code, 'RTE_UNAVAILABLE')
  // A document the signatures service must sign cannot be signed while NATS is away: it is refused
  // before anything is stored, and the answer says so.
  const custody = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: doc(501) })
  t.equal(custody.status, 503)
  t.equal(custody.body.code, 'RTE_UNAVAILABLE')
  t.match(custody.body.detail, /nothing was stored/)
  const stored = await stack.sql`select id from routing.documents where id = any(${[499, 500, 501].map((n) => `000.00.00.H38,2026/11/26,${n}/UBND-VP`)}) order by id`
  t.same(stored.map((r) => r.id), ['000.00.00.H38,2026/11/26,499/UBND-VP', '000.00.00.H38,2026/11/26,500/UBND-VP'], 'the signed one is stored, the unsigned one is not')
  await stack.nats.start()
  // The outbox publishes the stored document without any retry…
  await checkExactlyOnce(t, stack, ['000.00.00.H38,2026/11/26,499/UBND-VP', '000.00.00.H38,2026/11/26,500/UBND-VP'])
  // …and the sender's retry is answered with the same id and delivers nothing twice.
  const retry = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: signed(500), headers })
  t.equal(retry.status, 202)
  t.equal(retry.body.id, '000.00.00.H38,2026/11/26,500/UBND-VP')
  const custodyRetry = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: doc(501) })
  t.equal(custodyRetry.status, 202, 'the unsigned one goes through once the signatures service is reachable')
  await checkExactlyOnce(t, stack, ['000.00.00.H38,2026/11/26,499/UBND-VP', retry.body.id, custodyRetry.body.id])
})
