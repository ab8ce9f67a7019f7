import t from 'tap'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import {
  CUSTODY_SIGN_SUBJECT, CustodySignRequest,
  type CustodySignItem, type CustodySignResult
} from '@lienthong/contracts'
import { CUSTODY_SIGN_BATCH_BYTES, CustodySigner, CustodyUnavailableError } from '../src/custody-signing.ts'
import { createTestNats } from '../../../test/harness/test-nats.ts'

const nats = await createTestNats()
t.teardown(async () => { await nats.dispose() })
const client = await connect({ servers: nats.url, name: 'custody-client-test' })
const service = await connect({ servers: nats.url, name: 'custody-responder-test' })
t.teardown(async () => {
  await client.close()
  await service.close()
})

const AGENCY = '000.00.31.H38'

function item (n: number, kind: 'envelope' | 'receipt' = 'envelope'): CustodySignItem {
  return { kind, agency: AGENCY, value: { n } }
}

/** What the test responder answers for one item: signatures naming the item, so each caller can be told apart. */
function answerFor (i: CustodySignItem): CustodySignResult {
  const n = (i.value as { n: number }).n
  if (n < 0) return { ok: false, refusal: 'not_in_custody', detail: `no key for item ${n}` }
  return i.kind === 'envelope'
    ? { ok: true, signatures: { signer: `signer-of-${n}`, agency: `agency-of-${n}` } }
    : { ok: true, signatures: { agency: `receipt-of-${n}` } }
}

interface Responder {
  /** every request as received, in arrival order */
  requests: CustodySignRequest[]
  stop: () => Promise<void>
}

/**
 * A stand-in for services/signatures on CUSTODY_SIGN_SUBJECT. `answer` returns the reply: a
 * string is sent as it is, anything else as JSON, and undefined sends nothing.
 */
async function respond (answer: (request: CustodySignRequest) => unknown): Promise<Responder> {
  const requests: CustodySignRequest[] = []
  const sub = service.subscribe(CUSTODY_SIGN_SUBJECT, {
    callback: (err, msg) => {
      if (err !== null) throw err
      const request = CustodySignRequest.parse(msg.json())
      requests.push(request)
      const reply = answer(request)
      if (reply === undefined) return
      msg.respond(typeof reply === 'string' ? reply : JSON.stringify(reply))
    }
  })
  // The subscription must be known to the server before the client asks.
  await service.flush()
  return {
    requests,
    stop: async () => {
      sub.unsubscribe()
      await service.flush()
    }
  }
}

const inOrder = (request: CustodySignRequest): unknown => ({ results: request.items.map(answerFor) })

/** The outcome of each promise: its value, or the error it was rejected with. */
async function outcomes<T> (promises: Array<Promise<T>>): Promise<Array<{ value?: T, error?: unknown }>> {
  return (await Promise.allSettled(promises)).map((s) => s.status === 'fulfilled' ? { value: s.value } : { error: s.reason })
}

t.test('calls in one turn travel as ONE request, items in order, each caller gets its own result', async (t) => {
  const responder = await respond(inOrder)
  t.teardown(responder.stop)
  const signer = new CustodySigner(client)
  const items = [item(1), item(2, 'receipt'), item(-3), item(4), item(5, 'receipt')]
  const results = await Promise.all(items.map(async (i) => await signer.sign(i)))
  t.equal(responder.requests.length, 1, 'one request for the whole turn')
  t.same(responder.requests[0]?.items, items, 'every item, in call order')
  t.same(results, [
    { ok: true, signatures: { signer: 'signer-of-1', agency: 'agency-of-1' } },
    { ok: true, signatures: { agency: 'receipt-of-2' } },
    { ok: false, refusal: 'not_in_custody', detail: 'no key for item -3' },
    { ok: true, signatures: { signer: 'signer-of-4', agency: 'agency-of-4' } },
    { ok: true, signatures: { agency: 'receipt-of-5' } }
  ], 'each caller gets the answer to its own item, a refusal included')
})

t.test('calls after awaiting only microtasks still share the request; calls in different turns do not', async (t) => {
  const responder = await respond(inOrder)
  t.teardown(responder.stop)
  const signer = new CustodySigner(client)

  const a = signer.sign(item(1))
  await Promise.resolve()
  const b = signer.sign(item(2))
  t.same(await Promise.all([a, b]), [answerFor(item(1)), answerFor(item(2))])
  t.equal(responder.requests.length, 1, 'a microtask later is the same turn')

  const c = signer.sign(item(3))
  await nextTurn()
  const d = signer.sign(item(4))
  await nextTurn()
  const e = signer.sign(item(5))
  t.same(await Promise.all([c, d, e]), [answerFor(item(3)), answerFor(item(4)), answerFor(item(5))], 'each its own answer')
  t.equal(responder.requests.length, 4, 'three turns, three more requests')
  t.same(responder.requests.slice(1).map((r) => r.items), [[item(3)], [item(4)], [item(5)]])
})

t.test('more than batchMax items in one turn are split into several requests', async (t) => {
  const responder = await respond(inOrder)
  t.teardown(responder.stop)
  const signer = new CustodySigner(client, { batchMax: 2 })
  const items = [1, 2, 3, 4, 5].map((n) => item(n))
  const results = await Promise.all(items.map(async (i) => await signer.sign(i)))
  t.same(results, items.map(answerFor), 'each caller still gets its own answer')
  t.equal(responder.requests.length, 3)
  const sent = responder.requests.map((r) => r.items)
  t.same(sent.map((s) => s.length).sort(), [1, 2, 2], 'batches of at most two')
  t.same(sent.flat().map((i) => (i.value as { n: number }).n).sort(), [1, 2, 3, 4, 5], 'every item once')
  t.same(sent, [[item(1), item(2)], [item(3), item(4)], [item(5)]], 'consecutive slices, sent in order on one connection')
})

t.test('a batchMax above the contract maximum is capped by it', async (t) => {
  const responder = await respond(inOrder)
  t.teardown(responder.stop)
  const signer = new CustodySigner(client, { batchMax: 10_000 })
  const items = Array.from({ length: 501 }, (_, n) => item(n))
  const results = await Promise.all(items.map(async (i) => await signer.sign(i)))
  t.equal(results.length, 501)
  t.same(results[500], answerFor(item(500)))
  t.same(responder.requests.map((r) => r.items.length), [500, 1], 'CUSTODY_SIGN_BATCH_MAX (500) per request')
})

t.test('no responder: CustodyUnavailableError at once, not after the timeout', async (t) => {
  const signer = new CustodySigner(client, { timeoutMs: 10_000 })
  const started = Date.now()
  const settled = await outcomes([signer.sign(item(1)), signer.sign(item(2))])
  const elapsed = Date.now() - started
  for (const s of settled) t.type(s.error, CustodyUnavailableError, 'every caller')
  t.match(settled[0]?.error, { name: 'CustodyUnavailableError', message: /custody signing is unavailable/ })
  t.ok(elapsed < 2_000, `refused in ${elapsed} ms, well before the 10 s timeout`)
})

t.test('an answer that is not results for the batch fails every caller in it', async (t) => {
  const cases: Array<[string, (request: CustodySignRequest) => unknown, RegExp]> = [
    ['{error}', () => ({ error: 'the batch could not be read' }), /refused the batch: the batch could not be read/],
    ['one result fewer', (request) => ({ results: request.items.slice(1).map(answerFor) }), /different number/],
    ['one result more', (request) => ({ results: [...request.items, item(99)].map(answerFor) }), /different number/],
    ['no results at all', () => ({ results: [] }), /different number/],
    ['garbage text', () => 'this is not JSON', /custody signing is unavailable/],
    ['JSON of another shape', () => ({ signatures: ['x'] }), /unreadable answer/],
    ['results of another shape', (request) => ({ results: request.items.map(() => ({ ok: 'yes' })) }), /unreadable answer/],
    ['a refusal outside the contract', (request) => ({ results: request.items.map(() => ({ ok: false, refusal: 'busy', detail: '' })) }), /unreadable answer/]
  ]
  for (const [what, answer, message] of cases) {
    const responder = await respond(answer)
    const signer = new CustodySigner(client)
    const settled = await outcomes([signer.sign(item(1)), signer.sign(item(2, 'receipt')), signer.sign(item(3))])
    await responder.stop()
    t.equal(responder.requests.length, 1, `${what}: one request`)
    t.equal(settled.length, 3)
    for (const [i, s] of settled.entries()) {
      t.type(s.error, CustodyUnavailableError, `${what}: caller ${i + 1} fails`)
      t.match(s.error, { message }, `${what}: caller ${i + 1} is told why`)
      t.equal(s.value, undefined, `${what}: caller ${i + 1} gets no result`)
    }
  }
})

t.test('a failed batch fails only its own callers; the next batch is unaffected', async (t) => {
  let calls = 0
  const responder = await respond((request) => ++calls === 1 ? { error: 'first one fails' } : inOrder(request))
  t.teardown(responder.stop)
  const signer = new CustodySigner(client, { batchMax: 2 })
  const settled = await outcomes([1, 2, 3].map(async (n) => await signer.sign(item(n))))
  t.equal(responder.requests.length, 2)
  const failed = settled.filter((s) => s.error !== undefined)
  const passed = settled.filter((s) => s.value !== undefined)
  t.equal(failed.length + passed.length, 3)
  t.ok(failed.every((s) => s.error instanceof CustodyUnavailableError))
  // Which batch the responder saw first decides which callers fail; the other batch's callers get their answers.
  const firstBatch = responder.requests[0]?.items.map((i) => (i.value as { n: number }).n) ?? []
  t.same(settled.map((s) => s.error !== undefined), [1, 2, 3].map((n) => firstBatch.includes(n)), 'the first batch seen failed, the other did not')
  for (const [i, s] of settled.entries()) if (s.value !== undefined) t.same(s.value, answerFor(item(i + 1)))
  t.same(await signer.sign(item(7)), answerFor(item(7)), 'the signer keeps working')
})

t.test('a responder that never answers: CustodyUnavailableError after timeoutMs', async (t) => {
  const responder = await respond(() => undefined)
  t.teardown(responder.stop)
  const signer = new CustodySigner(client, { timeoutMs: 300 })
  const started = Date.now()
  const settled = await outcomes([signer.sign(item(1)), signer.sign(item(2))])
  const elapsed = Date.now() - started
  t.equal(responder.requests.length, 1, 'the request did reach the responder')
  for (const s of settled) t.type(s.error, CustodyUnavailableError, 'every caller')
  t.ok(elapsed >= 250, `waited for the timeout (${elapsed} ms)`)
  t.ok(elapsed < 3_000, `but not much longer (${elapsed} ms)`)
})

// A connection of its own, so the shared ones are still open for the remaining tests if this fails.
t.test('a closed connection: CustodyUnavailableError', async (t) => {
  const nc: NatsConnection = await connect({ servers: nats.url })
  await nc.close()
  const signer = new CustodySigner(nc)
  const settled = await outcomes([signer.sign(item(1))])
  t.type(settled[0]?.error, CustodyUnavailableError)
})

t.test('a batch size that is not a positive integer is refused at construction', async (t) => {
  const nc = {} as unknown as ConstructorParameters<typeof CustodySigner>[0]
  for (const batchMax of [0, -1, Number.NaN, 1.5]) {
    t.throws(() => new CustodySigner(nc, { batchMax }), RangeError, String(batchMax))
  }
  t.doesNotThrow(() => new CustodySigner(nc, { batchMax: 1 }))
})

t.test('large items are split by size, so no request outgrows what NATS carries', async (t) => {
  const responder = await respond(inOrder)
  t.teardown(responder.stop)
  const signer = new CustodySigner(client)
  // Five items of ~200 KB: at most two fit in a 512 KiB request.
  const big = [1, 2, 3, 4, 5].map((n) => ({ ...item(n), value: { n, padding: 'x'.repeat(200_000) } }))
  const results = await Promise.all(big.map(async (i) => await signer.sign(i)))
  t.equal(results.length, 5, 'every caller answered')
  t.same(responder.requests.map((r) => r.items.length), [2, 2, 1])
  t.ok(responder.requests.every((r) => JSON.stringify(r).length <= CUSTODY_SIGN_BATCH_BYTES + 100), 'each request within the bound')
})
