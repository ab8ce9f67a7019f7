import t, { type Test } from 'tap'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { STREAMS } from '@lienthong/contracts'
import { laocaiAboveVillages, startStack, type TestStack } from '../harness/stack.ts'
import { eventually, request, type Answer } from '../harness/http.ts'
import { expiredToken, forgedToken, unsignedToken } from '../harness/forged-token.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const document = { number: '15', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc báo cáo', issuedAt: '2026-11-26' }

async function counts (stack: TestStack): Promise<{ documents: number, items: number }> {
  const [d] = await stack.sql`select count(*)::int as n from routing.documents`
  const [i] = await stack.sql`select count(*)::int as n from inbox.items`
  return { documents: d!.n as number, items: i!.n as number }
}

/** How many delivery messages were ever published (the stream's last sequence). */
async function published (stack: TestStack): Promise<number> {
  const nc = await connect({ servers: stack.nats.url })
  try {
    return (await (await jetstreamManager(nc)).streams.info(STREAMS.deliveries.name)).state.last_seq
  } finally {
    await nc.close()
  }
}

function isProblem (t: Test, answer: Answer, status: number, code: string): void {
  t.equal(answer.status, status, `status ${status} for ${code}`)
  t.match(answer.type, /^application\/problem\+json/, 'problem+json')
  t.equal(answer.body.code, code)
  t.type(answer.body.title, 'string')
  t.equal(answer.body.status, status)
}

// The first and the last test share a stack: the first stores nothing, and the last looks only
// at the item it sends. The middle one counts everything stored, so it has a stack of its own.
const shared = await startStack(t, { agencies: laocaiAboveVillages() })

t.test('bad input is refused with a stable code and stores nothing', async (t) => {
  const stack = shared
  const token = await stack.tokenFor(PROVINCE)
  const url = `${stack.routing.url}/v1/documents`
  const before = await counts(stack)
  const publishedBefore = await published(stack)

  const cases: Array<[string, () => Promise<Answer>, number, string]> = [
    ['malformed JSON', async () => await request('POST', url, { token, raw: '{"to": ["000.00.31.H38"], "document": ' }), 400, 'RTE_MALFORMED_JSON'],
    ['missing document', async () => await request('POST', url, { token, json: { to: [DISTRICT] } }), 400, 'RTE_VALIDATION_FAILED'],
    ['missing subject', async () => await request('POST', url, { token, json: { to: [DISTRICT], document: { ...document, subject: undefined } } }), 400, 'RTE_VALIDATION_FAILED'],
    ['wrong-typed recipients', async () => await request('POST', url, { token, json: { to: DISTRICT, document } }), 400, 'RTE_VALIDATION_FAILED'],
    ['wrong-typed priority', async () => await request('POST', url, { token, json: { to: [DISTRICT], document: { ...document, priority: 'urgent' } } }), 400, 'RTE_VALIDATION_FAILED'],
    ['malformed agency code', async () => await request('POST', url, { token, json: { to: ['31.H38'], document } }), 400, 'RTE_VALIDATION_FAILED'],
    ['empty recipient list', async () => await request('POST', url, { token, json: { to: [], document } }), 400, 'RTE_VALIDATION_FAILED'],
    ['a recipient twice', async () => await request('POST', url, { token, json: { to: [DISTRICT, DISTRICT], document } }), 400, 'RTE_VALIDATION_FAILED'],
    ['unknown recipient', async () => await request('POST', url, { token, json: { to: [DISTRICT, '000.00.99.H38'], document } }), 422, 'RTE_UNKNOWN_RECIPIENT'],
    ['sender other than the token agency', async () => await request('POST', url, { token, json: { from: '000.00.32.H38', to: [DISTRICT], document } }), 403, 'RTE_SENDER_MISMATCH'],
    ['classified document', async () => await request('POST', url, { token, json: { to: [DISTRICT], document: { ...document, classification: 'mat' } } }), 422, 'RTE_CLASSIFIED'],
    ['no token', async () => await request('POST', url, { json: { to: [DISTRICT], document } }), 401, 'RTE_UNAUTHORIZED'],
    ['not a JWT', async () => await request('POST', url, { token: 'abc.def', json: { to: [DISTRICT], document } }), 401, 'RTE_UNAUTHORIZED'],
    ['expired token', async () => await request('POST', url, { token: await expiredToken(stack.sql, PROVINCE), json: { to: [DISTRICT], document } }), 401, 'RTE_UNAUTHORIZED'],
    ['forged token', async () => await request('POST', url, { token: await forgedToken(stack.sql, PROVINCE), json: { to: [DISTRICT], document } }), 401, 'RTE_UNAUTHORIZED'],
    ['unsigned token (alg none)', async () => await request('POST', url, { token: await unsignedToken(stack.sql, PROVINCE), json: { to: [DISTRICT], document } }), 401, 'RTE_UNAUTHORIZED'],
    ['token without the send scope', async () => await request('POST', url, { token: await stack.tokenFor(PROVINCE, ['inbox:read']), json: { to: [DISTRICT], document } }), 403, 'RTE_FORBIDDEN'],
    ['body over the limit', async () => await request('POST', url, { token, json: { to: [DISTRICT], document: { ...document, subject: 'x'.repeat(1_100_000) } } }), 413, 'RTE_BODY_TOO_LARGE']
  ]
  const details = new Map<string, string>()
  for (const [name, send, status, code] of cases) {
    await t.test(name, async (t) => {
      const answer = await send()
      isProblem(t, answer, status, code)
      details.set(name, answer.body.detail)
    })
  }
  t.match(details.get('empty recipient list'), /to: at least one recipient/, 'the detail says what is wrong with the list')
  t.match(details.get('a recipient twice'), /to: 000\.00\.31\.H38 is listed twice/)
  t.equal(await published(stack), publishedBefore, 'no refusal published a delivery')

  // Nothing stored and nothing delivered: a valid document sent afterwards is the only one.
  const ok = await request('POST', url, { token, json: { to: [DISTRICT], document } })
  t.equal(ok.status, 202)
  await eventually(async () => (await counts(stack)).items === before.items + 1 ? true : undefined, 15_000, 'the valid document')
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.same(await counts(stack), { documents: before.documents + 1, items: before.items + 1 })
  t.equal(await published(stack), publishedBefore + 1, 'one delivery message, for the valid document')

  const expired = await request('GET', `${stack.inbox.url}/v1/inbox`, { token: await expiredToken(stack.sql, DISTRICT) })
  isProblem(t, expired, 401, 'INB_UNAUTHORIZED')
  t.match(expired.body.detail, /expired/)
})

t.test('a repeated Idempotency-Key: same body gives the first answer, a different body 409', async (t) => {
  const stack = await startStack(t, { agencies: laocaiAboveVillages() })
  const token = await stack.tokenFor(PROVINCE)
  const url = `${stack.routing.url}/v1/documents`
  const headers = { 'idempotency-key': 'dms-42-attempt' }
  const body = { to: [DISTRICT], document }

  const first = await request('POST', url, { token, json: body, headers })
  t.equal(first.status, 202)
  const again = await request('POST', url, { token, json: body, headers })
  t.equal(again.status, 202)
  t.same(again.body, first.body, 'the first answer again')

  // The same request many times at once: one document, the same answer for all.
  const burst = await Promise.all(Array.from({ length: 10 }, async () => await request('POST', url, { token, json: { ...body, document: { ...document, number: '88' } }, headers: { 'idempotency-key': 'burst' } })))
  t.same(new Set(burst.map((a) => a.status)), new Set([202]))
  t.equal(new Set(burst.map((a) => a.body.id)).size, 1)

  const changed = await request('POST', url, { token, json: { ...body, document: { ...document, subject: 'Khác' } }, headers })
  isProblem(t, changed, 409, 'RTE_IDEMPOTENCY_CONFLICT')

  // The same number and notation under another key but with other content is a different document.
  const duplicate = await request('POST', url, { token, json: { ...body, document: { ...document, subject: 'Khác' } }, headers: { 'idempotency-key': 'other' } })
  isProblem(t, duplicate, 409, 'RTE_DUPLICATE_DOCUMENT')

  // Số/ký hiệu are unique for the whole year, not only the day.
  const sameYear = await request('POST', url, { token, json: { ...body, document: { ...document, issuedAt: '2026-03-02' } } })
  isProblem(t, sameYear, 409, 'RTE_DUPLICATE_DOCUMENT')
  const nextYear = await request('POST', url, { token, json: { ...body, document: { ...document, issuedAt: '2027-01-04' } } })
  t.equal(nextYear.status, 202, 'numbering restarts on 1 January')

  // Without a key, the document id is the key: a retry of the same body is answered the same.
  const noKey = await request('POST', url, { token, json: { ...body, document: { ...document, number: '16' } } })
  const noKeyAgain = await request('POST', url, { token, json: { ...body, document: { ...document, number: '16' } } })
  t.equal(noKey.status, 202)
  t.same(noKeyAgain.body, noKey.body)

  await eventually(async () => {
    const [r] = await stack.sql`select count(*)::int as n from routing.deliveries where status = '01'`
    return r!.n === 4 ? true : undefined
  }, 15_000, 'the four documents arrived')

  // A retry after a recipient was suspended still gets the first answer, not a refusal.
  await request('POST', `${stack.registry.url}/v1/agencies/${DISTRICT}/suspend`, { token: await stack.adminToken() })
  // a new number each time: a probe stored before routing saw the suspension would answer every later one
  let probe = 700
  await eventually(async () => {
    const r = await request('POST', url, { token, json: { to: [DISTRICT], document: { ...document, number: String(probe++) } } })
    return r.status === 422 ? r : undefined
  }, 5_000, 'routing sees the suspension')
  const retried = await request('POST', url, { token, json: body, headers })
  t.equal(retried.status, 202)
  t.same(retried.body, first.body)

  await new Promise((resolve) => setTimeout(resolve, 1500))
  const items = await stack.sql`select document_id from inbox.items where fields->>'number' not like '7__' order by document_id`
  t.same(items.map((r) => r.document_id), [first.body.id, noKey.body.id, nextYear.body.id, burst[0]!.body.id].sort(), 'one copy of each, no second delivery')
  const [docs] = await stack.sql`select count(*)::int as n from routing.documents where number not like '7__'`
  t.equal(docs!.n, 4)
})

t.test('inbox: other agencies\u2019 items, unknown codes and replays', async (t) => {
  const stack = shared
  const province = await stack.tokenFor(PROVINCE)
  const district = await stack.tokenFor(DISTRICT)
  const other = await stack.tokenFor('000.00.32.H38')
  await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { to: [DISTRICT], document } })
  const item = await eventually(async () => (await request('GET', `${stack.inbox.url}/v1/inbox`, { token: district })).body.items?.[0], 15_000, 'arrival')

  isProblem(t, await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: other }), 404, 'INB_ITEM_NOT_FOUND')
  isProblem(t, await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: other, json: { code: '03' } }), 404, 'INB_ITEM_NOT_FOUND')
  isProblem(t, await request('GET', `${stack.inbox.url}/v1/inbox/not-a-uuid`, { token: district }), 404, 'INB_ITEM_NOT_FOUND')
  isProblem(t, await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: district, json: { code: '99' } }), 400, 'INB_VALIDATION_FAILED')
  isProblem(t, await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: district, json: { code: '06' } }), 409, 'INB_TRANSITION_NOT_ALLOWED')
  t.equal((await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: district, json: { code: '03' } })).status, 200)
  isProblem(t, await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: district, json: { code: '03' } }), 409, 'INB_TRANSITION_NOT_ALLOWED')
  const [steps] = await stack.sql`select count(*)::int as n from inbox.steps where item_id = ${item.id}`
  t.equal(steps!.n, 2, 'only 01 and 03 were recorded')
})

t.test('more sends at once than routing takes: the rest are refused with 503 and store nothing, and their retries go through', async (t) => {
  const stack = await startStack(t, { custody: [PROVINCE], env: { routing: { SENDS_IN_FLIGHT_MAX: '2' } } })
  const token = await stack.tokenFor(PROVINCE)
  const url = `${stack.routing.url}/v1/documents`
  const send = async (n: number): Promise<Answer> => await request('POST', url, { token, json: { to: [DISTRICT], document: { ...document, number: String(500 + n) } }, headers: { 'idempotency-key': `burst-${n}` } })
  const burst = await Promise.all(Array.from({ length: 40 }, async (_, n) => await send(n)))
  const refused = burst.flatMap((a, n) => a.status === 503 ? [n] : [])
  t.ok(refused.length > 0, `some of 40 sends at once are refused (${refused.length})`)
  t.same(new Set(burst.map((a) => a.status)), new Set([202, 503]), 'each is either taken or refused')
  for (const n of refused) isProblem(t, burst[n]!, 503, 'RTE_UNAVAILABLE')
  const stored = await stack.sql`select number from routing.documents`
  t.same(stored.map((r) => Number(r.number) - 500).sort((a, b) => a - b), burst.flatMap((a, n) => a.status === 202 ? [n] : []), 'only the sends taken are stored')
  // one at a time, the refused ones go through under the keys they were refused with
  for (const n of refused) t.equal((await send(n)).status, 202)
  const [all] = await stack.sql`select count(*)::int as n, count(distinct number)::int as numbers from routing.documents`
  t.same(all, { n: 40, numbers: 40 })
})
