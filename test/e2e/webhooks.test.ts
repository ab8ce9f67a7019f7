import { createHmac, timingSafeEqual } from 'node:crypto'
import { promises as dns } from 'node:dns'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { repoRoot } from '@lienthong/infra'
import { laocaiAboveVillages, startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { lienthong } from '../harness/cli.ts'

const PROVINCE = '000.00.00.H38'

// One stack for the file: short retries and give-up, and the receiver's own address allowed.
const stack = await startStack(t, {
  agencies: laocaiAboveVillages(),
  env: { inbox: { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '400', WEBHOOK_GIVE_UP_MS: '3000', WEBHOOK_POLL_MS: '100' } }
})
const inbox = stack.inbox.url

interface Call { path: string, headers: IncomingMessage['headers'], body: string, answered: number }

/** A DMS's receiver on 127.0.0.1: `answer` decides each call's status from the calls of the same webhook-id so far. */
async function receiver (answer: (call: Call, sameId: number) => number = () => 204, port = 0): Promise<{ url: string, port: number, calls: Call[], server: Server }> {
  const calls: Call[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => { body += chunk })
    req.on('end', () => {
      const call: Call = { path: req.url ?? '', headers: req.headers, body, answered: 0 }
      call.answered = answer(call, calls.filter((c) => c.headers['webhook-id'] === call.headers['webhook-id']).length + 1)
      calls.push(call)
      res.writeHead(call.answered).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  t.teardown(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })
  const bound = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${bound}/hook`, port: bound, calls, server }
}

/** Verifies a call as the Standard Webhooks specification says, with node:crypto alone. */
function verified (secret: string, call: Call): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const expected = createHmac('sha256', key).update(`${String(call.headers['webhook-id'])}.${String(call.headers['webhook-timestamp'])}.${call.body}`).digest()
  return String(call.headers['webhook-signature'] ?? '').split(' ').some((sig) => {
    const [version, value] = sig.split(',')
    const given = Buffer.from(value ?? '', 'base64')
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
  })
}

let number = 200
async function sendTo (recipient: string): Promise<string> {
  number++
  const sent = await request('POST', `${stack.routing.url}/v1/documents`, {
    token: await stack.tokenFor(PROVINCE),
    json: { to: [recipient], document: { number: String(number), notation: 'UBND-VP', type: 'Công văn', subject: `Về việc thử webhook ${number}`, issuedAt: '2026-11-26' } }
  })
  if (sent.status !== 202) throw new Error(`send: ${sent.status} ${JSON.stringify(sent.body)}`)
  return sent.body.id as string
}

function arrivalOf (calls: Call[], documentId: string): Call[] {
  return calls.filter((c) => { const e = JSON.parse(c.body); return e.type === 'item.arrived' && e.documentId === documentId })
}

t.test('a DMS registers its webhook and gets its arrivals, signed', async (t) => {
  const DISTRICT = '000.00.31.H38'
  const token = await stack.tokenFor(DISTRICT)
  const dms = await receiver()

  const first = await request('PUT', `${inbox}/v1/inbox/webhook`, { token, json: { url: dms.url } })
  t.equal(first.status, 201)
  t.equal(first.body.url, dms.url)
  t.match(first.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/)
  const again = await request('PUT', `${inbox}/v1/inbox/webhook`, { token, json: { url: dms.url } })
  t.equal(again.status, 200, 'a replacement')
  t.not(again.body.secret, first.body.secret, 'with a new secret')
  const secret = again.body.secret as string

  const shown = await request('GET', `${inbox}/v1/inbox/webhook`, { token })
  t.equal(shown.status, 200)
  t.match(shown.body, { url: dms.url, createdAt: first.body.createdAt, pending: 0, dead: 0 })
  t.notOk(JSON.stringify(shown.body).includes('whsec_'), 'the secret is never shown again')

  const documentId = await sendTo(DISTRICT)
  const [call] = await eventually(async () => { const c = arrivalOf(dms.calls, documentId); return c.length > 0 ? c : undefined }, 15_000, 'the arrival at the webhook')
  const event = JSON.parse(call!.body)
  t.match(event, { type: 'item.arrived', agency: DISTRICT, sender: PROVINCE, documentId, level: 'district' })
  t.equal(call!.headers['webhook-id'], event.id, 'webhook-id is the event id, to dedupe by')
  t.equal(call!.headers['content-type'], 'application/json')
  t.ok(verified(secret, call!), 'the signature verifies with the current secret')
  t.notOk(verified(first.body.secret, call!), 'not with the replaced one')

  const removed = await request('DELETE', `${inbox}/v1/inbox/webhook`, { token })
  t.equal(removed.status, 204)
  const gone = await request('GET', `${inbox}/v1/inbox/webhook`, { token })
  t.equal(gone.status, 404)
  t.equal(gone.body.code, 'INB_WEBHOOK_NOT_FOUND')
  t.equal((await request('DELETE', `${inbox}/v1/inbox/webhook`, { token })).status, 404)
})

t.test('a receiver that fails for a while gets the event again, and takes it once', async (t) => {
  const DISTRICT = '000.00.32.H38'
  const token = await stack.tokenFor(DISTRICT)
  const dms = await receiver((_call, sameId) => sameId <= 2 ? 500 : 200)
  const { body: { secret } } = await request('PUT', `${inbox}/v1/inbox/webhook`, { token, json: { url: dms.url } })

  const documentId = await sendTo(DISTRICT)
  const tries = await eventually(async () => {
    const c = arrivalOf(dms.calls, documentId)
    return c.some((x) => x.answered === 200) ? c : undefined
  }, 15_000, 'the arrival taken after retries')
  t.same(tries.map((c) => c.answered), [500, 500, 200], 'two failures, then taken once')
  t.equal(new Set(tries.map((c) => c.headers['webhook-id'])).size, 1, 'the same webhook-id each time')
  t.ok(tries.every((c) => verified(secret, c)), 'each attempt signed')
  const [row] = await stack.sql`select state, attempts, last_status from inbox.webhook_deliveries where event_id = ${String(tries[0]!.headers['webhook-id'])}::uuid`
  t.same(row, { state: 'delivered', attempts: 3, last_status: 200 })
})

t.test('a receiver down past the give-up period: a dead letter, replayed by the operator', async (t) => {
  const DISTRICT = '000.00.33.H38'
  const token = await stack.tokenFor(DISTRICT)
  // Take a port, then leave it closed: the DMS is down.
  const placeholder = await receiver()
  await new Promise((resolve) => placeholder.server.close(resolve))
  const { body: { secret } } = await request('PUT', `${inbox}/v1/inbox/webhook`, { token, json: { url: placeholder.url } })

  const documentId = await sendTo(DISTRICT)
  const admin = await stack.adminToken()
  const letters = await eventually(async () => {
    const list = await request('GET', `${inbox}/v1/webhooks/dead-letters?agency=${DISTRICT}`, { token: admin })
    return list.body.items?.some((d: { eventType: string }) => d.eventType === 'item.arrived') === true ? list.body.items : undefined
  }, 20_000, 'the arrival in the dead-letter list')
  const letter = letters.find((d: { eventType: string }) => d.eventType === 'item.arrived')
  t.match(letter, { agency: DISTRICT, lastStatus: null, lastError: /ECONNREFUSED/ })
  t.ok(letter.attempts >= 2, `tried ${String(letter.attempts)} times before giving up`)
  t.match((await request('GET', `${inbox}/v1/inbox/webhook`, { token })).body, { dead: letters.length })
  const everyone = await request('GET', `${inbox}/v1/webhooks/dead-letters`, { token: admin })
  t.ok(everyone.body.items.some((d: { id: number }) => d.id === letter.id), 'listed without an agency too')

  // The operator's CLI on the local stack: list, then replay once the DMS is back.
  const home = mkdtempSync(join(repoRoot, '.data', 'test', 'cli-'))
  t.teardown(() => { rmSync(home, { recursive: true, force: true }) })
  writeFileSync(join(home, 'stack.json'), JSON.stringify({ urls: { registry: stack.registry.url, routing: stack.routing.url, inbox }, pids: { up: 0, services: [] }, startedServers: false }))
  writeFileSync(join(home, 'operator.json'), JSON.stringify({ clientId: stack.registry.spec.env.OPERATOR_CLIENT_ID, clientSecret: stack.registry.spec.env.OPERATOR_CLIENT_SECRET }))
  const env = { ...process.env, LIENTHONG_HOME: home }
  const listed = await lienthong(['webhooks', 'dead-letters', '--agency', DISTRICT], env)
  t.match(listed.stdout, new RegExp(`^${String(letter.id)}\\t${DISTRICT.replaceAll('.', '\\.')}\\titem\\.arrived\\t${String(letter.eventId)}\\t`, 'm'))
  t.match(listed.stderr, new RegExp(`${String(letters.length)} dead letters? of ${DISTRICT.replaceAll('.', '\\.')}`))

  const dms = await receiver(() => 204, placeholder.port)
  const replayed = await lienthong(['webhooks', 'replay', '--agency', DISTRICT], env)
  t.equal(replayed.stdout, `replayed ${String(letters.length)}\n`)
  const [call] = await eventually(async () => { const c = arrivalOf(dms.calls, documentId); return c.length > 0 ? c : undefined }, 15_000, 'the replayed arrival')
  t.ok(verified(secret, call!))
  t.equal(call!.headers['webhook-id'], letter.eventId, 'the same webhook-id as before: a DMS that did take it dedupes')
  await eventually(async () => {
    const list = await request('GET', `${inbox}/v1/webhooks/dead-letters?agency=${DISTRICT}`, { token: admin })
    return list.body.items.length === 0 ? true : undefined
  }, 15_000, 'an empty dead-letter list')
  const [row] = await stack.sql`select state from inbox.webhook_deliveries where id = ${letter.id}`
  t.equal(row!.state, 'delivered')
})

t.test('a URL at loopback or a private address is refused, and nothing is stored', async (t) => {
  const DISTRICT = '000.00.34.H38'
  const token = await stack.tokenFor(DISTRICT)
  const refused: Array<[string, string]> = [
    ['http://[::1]:8080/hook', '::1'],
    ['http://10.0.0.1/hook', '10.0.0.1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['https://192.168.1.1/hook', '192.168.1.1'],
    ['http://127.0.0.2:1/', '127.0.0.2'],
    ['http://[::ffff:10.0.0.1]/', '::ffff:a00:1']
  ]
  for (const [url, address] of refused) {
    const answer = await request('PUT', `${inbox}/v1/inbox/webhook`, { token, json: { url } })
    t.equal(answer.status, 422, url)
    t.equal(answer.body.code, 'INB_WEBHOOK_TARGET_REFUSED')
    t.equal(answer.body.address, address)
    t.match(answer.body.detail, address)
  }
  const ftp = await request('PUT', `${inbox}/v1/inbox/webhook`, { token, json: { url: 'ftp://127.0.0.1/' } })
  t.match(ftp.body, { code: 'INB_WEBHOOK_TARGET_REFUSED', detail: 'ftp is not http or https' })
  const credentials = await request('PUT', `${inbox}/v1/inbox/webhook`, { token, json: { url: 'http://dms:secret@127.0.0.1/' } })
  t.match(credentials.body, { code: 'INB_WEBHOOK_TARGET_REFUSED', detail: 'the URL may not carry a user name or password' })

  // localhost is allowed here only if every address it resolves to is 127.0.0.1 (on many machines it is ::1 too).
  const local = (await dns.lookup('localhost', { all: true })).map((a) => a.address)
  const other = local.find((a) => a !== '127.0.0.1')
  const localhost = await request('PUT', `${inbox}/v1/inbox/webhook`, { token, json: { url: 'http://localhost:1/' } })
  if (other === undefined) {
    t.equal(localhost.status, 201, `localhost is ${local.join(', ')} here: within the allowed 127.0.0.1/32`)
    t.equal((await request('DELETE', `${inbox}/v1/inbox/webhook`, { token })).status, 204)
  } else {
    t.equal(localhost.status, 422, `localhost is ${local.join(', ')} here`)
    t.equal(localhost.body.address, other)
  }

  t.equal((await request('GET', `${inbox}/v1/inbox/webhook`, { token })).status, 404)
  const [count] = await stack.sql`select count(*)::int as n from inbox.webhooks where agency = ${DISTRICT}`
  t.equal(count!.n, 0, 'nothing stored')
})

t.test('an agency sees and changes only its own webhook; dead letters are the operator\u2019s', async (t) => {
  const MINE = '000.00.35.H38'
  const OTHER = '000.00.36.H38'
  const mine = await stack.tokenFor(MINE)
  const other = await stack.tokenFor(OTHER)
  const dms = await receiver()
  t.equal((await request('PUT', `${inbox}/v1/inbox/webhook`, { token: mine, json: { url: dms.url } })).status, 201)

  const look = await request('GET', `${inbox}/v1/inbox/webhook`, { token: other })
  t.equal(look.status, 404, 'another agency does not see it')
  t.equal((await request('DELETE', `${inbox}/v1/inbox/webhook`, { token: other })).status, 404, 'nor remove it')
  t.equal((await request('PUT', `${inbox}/v1/inbox/webhook`, { token: other, json: { url: `${dms.url}/other` } })).status, 201, 'its PUT makes its own')
  t.equal((await request('GET', `${inbox}/v1/inbox/webhook`, { token: mine })).body.url, dms.url, 'mine is unchanged')
  const readOnly = await stack.tokenFor(MINE, ['inbox:read'])
  t.equal((await request('PUT', `${inbox}/v1/inbox/webhook`, { token: readOnly, json: { url: dms.url } })).status, 403, 'registering needs inbox:write')

  for (const [method, path, json] of [['GET', '/v1/webhooks/dead-letters', undefined], ['POST', '/v1/webhooks/dead-letters/replay', { agency: MINE }]] as const) {
    const answer = await request(method, `${inbox}${path}`, { token: mine, ...(json !== undefined ? { json } : {}) })
    t.equal(answer.status, 403, `${method} ${path} with a DMS token`)
    t.equal(answer.body.code, 'INB_FORBIDDEN')
  }
  const empty = await request('POST', `${inbox}/v1/webhooks/dead-letters/replay`, { token: await stack.adminToken(), json: {} })
  t.equal(empty.status, 400, 'a replay names ids, an agency, or both')
})

t.test('no webhook secret is ever written to the inbox\u2019s log', async (t) => {
  // Every test above made secrets; the log has each registration, failure and dead letter, and none of them.
  const log = readFileSync(stack.inbox.spec.logFile, 'utf8')
  t.match(log, /webhook registered/)
  t.notOk(log.includes('whsec_'))
})
