import t, { type Test } from 'tap'
import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eq, sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import { webhookDeliveries } from '../../src/db/schema.ts'
import { enqueueDelivery } from '../../src/domain/webhook-delivery-store.ts'
import { WebhookSender } from '../../src/domain/webhook-sender.ts'
import { newWebhookSecret } from '../../src/domain/webhook-signature.ts'
import { registerWebhook, removeWebhook } from '../../src/domain/webhook-store.ts'
import { TargetGuard, parsePrivateAllowance } from '../../src/domain/webhook-target.ts'
import { migratedDatabase, quietLog } from '../fixtures/db.ts'

interface Call { path: string, headers: IncomingMessage['headers'], body: string }
type Behaviour = (call: Call, res: ServerResponse, nth: number) => void

// A receiver on 127.0.0.1 whose answer depends on the path; every call is kept.
const calls: Call[] = []
const behaviours = new Map<string, Behaviour>()
const held: ServerResponse[] = []
const server = createServer((req, res) => {
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (chunk: string) => { body += chunk })
  req.on('end', () => {
    const call = { path: req.url ?? '', headers: req.headers, body }
    calls.push(call)
    const behave = behaviours.get(call.path) ?? ((_c, r) => { r.writeHead(404).end() })
    behave(call, res, calls.filter((c) => c.path === call.path).length)
  })
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
t.teardown(async () => {
  for (const res of held) res.destroy()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const { db } = await migratedDatabase(t)
const schedule = { baseMs: 20, maxMs: 100, giveUpMs: 3_600_000 }
const allowLoopback = new TargetGuard(parsePrivateAllowance('127.0.0.1/32'))

function startSender (t: Test, guard = allowLoopback, timeoutMs = 5_000): WebhookSender {
  const sender = new WebhookSender(db, { guard, schedule, timeoutMs, pollMs: 20, log: quietLog })
  sender.start()
  t.teardown(async () => { await sender.stop() })
  return sender
}

/** A webhook for the test's agency, removed (with its deliveries) when the test ends so no later test's sender takes them. */
async function webhookFor (t: Test, agency: string, path: string, behave: Behaviour): Promise<string> {
  behaviours.set(path, behave)
  const secret = newWebhookSecret()
  await registerWebhook(db, agency, `${base}${path}`, secret)
  t.teardown(async () => { await removeWebhook(db, agency) })
  return secret
}

async function enqueue (agency: string, extra: Record<string, unknown> = {}): Promise<string> {
  const id = uuidv7()
  await enqueueDelivery(db, { agency, eventId: id, eventSeq: 1, body: { id, agency, type: 'item.arrived', subject: 'Về việc chuyển đổi số', ...extra } })
  return id
}

async function until<T> (probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe()
    if (v !== undefined) return v
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`never: ${what}`)
}

async function rowOf (eventId: string): Promise<typeof webhookDeliveries.$inferSelect> {
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId))
  return row!
}

async function settled (eventId: string, state: string): Promise<typeof webhookDeliveries.$inferSelect> {
  return await until(async () => { const r = await rowOf(eventId); return r.state === state ? r : undefined }, `${eventId} ${state}`)
}

function signatureValid (secret: string, call: Call): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const expected = createHmac('sha256', key).update(`${String(call.headers['webhook-id'])}.${String(call.headers['webhook-timestamp'])}.${call.body}`).digest('base64')
  return String(call.headers['webhook-signature']).split(' ').includes(`v1,${expected}`)
}

const ok: Behaviour = (_c, res) => { res.writeHead(204).end() }

t.test('an event is POSTed as JSON, signed the Standard Webhooks way, and marked delivered', async (t) => {
  startSender(t)
  const secret = await webhookFor(t, '000.00.31.H38', '/ok', ok)
  const id = await enqueue('000.00.31.H38', { note: 'ký tự có dấu' })
  const row = await settled(id, 'delivered')
  t.match(row, { attempts: 1, lastStatus: 204, lastError: null })
  const [call] = calls.filter((c) => c.path === '/ok')
  t.equal(call?.headers['content-type'], 'application/json')
  t.equal(call?.headers['webhook-id'], id)
  t.match(call?.headers['webhook-timestamp'], /^\d{10}$/)
  t.ok(Math.abs(Number(call?.headers['webhook-timestamp']) - Date.now() / 1000) < 300, 'a unix time in seconds, of now')
  t.ok(signatureValid(secret, call!), 'the signature verifies with the secret')
  t.same(JSON.parse(call!.body), { id, agency: '000.00.31.H38', type: 'item.arrived', subject: 'Về việc chuyển đổi số', note: 'ký tự có dấu' })
})

t.test('a receiver that fails twice gets the same event again, and it is delivered once', async (t) => {
  startSender(t)
  const secret = await webhookFor(t, '000.00.32.H38', '/flaky', (_c, res, nth) => { res.writeHead(nth <= 2 ? 500 : 200).end() })
  const id = await enqueue('000.00.32.H38')
  const row = await settled(id, 'delivered')
  t.match(row, { attempts: 3, lastStatus: 200, lastError: null })
  const tries = calls.filter((c) => c.path === '/flaky')
  t.equal(tries.length, 3)
  t.same(tries.map((c) => c.headers['webhook-id']), [id, id, id], 'one webhook-id throughout: the receiver dedupes by it')
  t.ok(tries.every((c) => signatureValid(secret, c)), 'each attempt signed afresh')
})

t.test('redirects are not followed, and a slow receiver times out', async (t) => {
  startSender(t, allowLoopback, 300)
  await webhookFor(t, '000.00.33.H38', '/moved', (_c, res) => { res.writeHead(302, { location: `${base}/elsewhere` }).end() })
  behaviours.set('/elsewhere', ok)
  const moved = await enqueue('000.00.33.H38')
  const failed = await until(async () => { const r = await rowOf(moved); return r.attempts >= 1 ? r : undefined }, 'a failed attempt')
  t.match(failed, { state: 'pending', lastStatus: 302, lastError: 'the receiver answered 302 (redirects are not followed)' })
  t.equal(calls.filter((c) => c.path === '/elsewhere').length, 0, 'the redirect target is never called')

  await webhookFor(t, '000.00.34.H38', '/slow', (_c, res) => { held.push(res) })
  const slow = await enqueue('000.00.34.H38')
  const timedOut = await until(async () => { const r = await rowOf(slow); return r.attempts >= 1 ? r : undefined }, 'a timed-out attempt')
  t.match(timedOut, { state: 'pending', lastStatus: null, lastError: 'no answer within 300 ms' })
})

t.test('an address refused now fails the attempt with the reason, and nothing is sent', async (t) => {
  // Registered while allowed; the configuration (or the host's DNS) no longer allows it.
  startSender(t, new TargetGuard(false))
  await webhookFor(t, '000.00.35.H38', '/inside', ok)
  const id = await enqueue('000.00.35.H38')
  const failed = await until(async () => { const r = await rowOf(id); return r.attempts >= 1 ? r : undefined }, 'a refused attempt')
  t.match(failed, { state: 'pending', lastStatus: null, lastError: 'refused: 127.0.0.1 is a loopback address' })
  t.equal(calls.filter((c) => c.path === '/inside').length, 0)
  t.notOk((failed.lastError ?? '').includes('whsec_'), 'never the secret')
})

t.test('a failure past the give-up period puts the event in the dead-letter list', async (t) => {
  startSender(t)
  await webhookFor(t, '000.00.36.H38', '/down', (_c, res) => { res.writeHead(503).end() })
  const id = await enqueue('000.00.36.H38')
  await until(async () => (await rowOf(id)).attempts >= 1 ? true : undefined, 'a failed attempt')
  await db.update(webhookDeliveries).set({ createdAt: sql`now() - interval '2 hours'` }).where(eq(webhookDeliveries.eventId, id))
  const dead = await settled(id, 'dead')
  t.match(dead, { lastStatus: 503, lastError: 'the receiver answered 503' })
  t.ok(dead.finishedAt !== null)
})

t.test('at most 8 calls at once, at most 2 of one agency; the rest wait their turn', async (t) => {
  startSender(t)
  // one agency with a backlog, three others with a little each
  const agencies = ['000.00.37.H38', '001.01.37.H38', '002.01.37.H38', '003.01.37.H38']
  for (const agency of agencies) await webhookFor(t, agency, '/busy', (_c, res) => { held.push(res) })
  const before = held.length
  const ids = []
  for (let i = 0; i < 14; i++) ids.push(await enqueue(agencies[0]!))
  for (const agency of agencies.slice(1)) for (let i = 0; i < 2; i++) ids.push(await enqueue(agency))
  await until(() => held.length - before >= 8 ? true : undefined, '8 calls in hand')
  const leased = await db.execute<{ agency: string, n: number }>(sql`select agency, count(*)::int as n from inbox.webhook_deliveries
    where agency = any(${sql.param(agencies)}::text[]) and next_attempt_at > now() group by agency order by agency`)
  t.equal(leased.reduce((sum, r) => sum + r.n, 0), 8, 'eight claimed, the rest left for when a call ends')
  t.ok(leased.every((r) => r.n <= 2), 'the agency with a backlog holds no more than its share')

  behaviours.set('/busy', ok)
  for (const res of held.splice(before)) res.writeHead(200).end()
  for (const id of ids) await settled(id, 'delivered')
  t.ok(calls.filter((c) => c.path === '/busy').length >= 20)
})

t.test('stopping aborts the calls in hand without recording them', async (t) => {
  const sender = new WebhookSender(db, { guard: allowLoopback, schedule, timeoutMs: 60_000, pollMs: 20, log: quietLog })
  sender.start()
  await webhookFor(t, '000.00.38.H38', '/hang', (_c, res) => { held.push(res) })
  const id = await enqueue('000.00.38.H38')
  await until(() => calls.some((c) => c.path === '/hang') ? true : undefined, 'the call in hand')
  await sender.stop()
  t.match(await rowOf(id), { state: 'pending', attempts: 0, lastError: null }, 'left to be tried again once its lease is over')
})
