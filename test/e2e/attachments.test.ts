import t, { type Test } from 'tap'
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import { ATTACHMENT_MAX_BYTES, STREAMS } from '@lienthong/contracts'
// by file, not the package's index, which loads the whole service framework (see test/harness/stack.ts)
import { connectNats } from '../../packages/platform/src/nats.ts'
import { laocaiAboveVillages, startStack, type TestStack } from '../harness/stack.ts'
import { eventually, request, type Answer } from '../harness/http.ts'
import { dmsKey, registerKey, signRequest } from '../harness/dms-keys.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const OTHER_DISTRICT = '000.00.32.H38'
const DEPARTMENT = '000.00.01.H38'
const OBJ_STREAM = 'OBJ_attachments'

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
let numbers = 100
const doc = (subject: string): Record<string, unknown> => ({ number: String(numbers++), notation: 'UBND-VP', type: 'Công văn', subject, issuedAt: '2026-11-26' })

interface Raw { status: number, headers: IncomingMessage['headers'], body: Buffer }

/** A request by node:http, so a body can be a stream and a length can be announced as wished. */
async function raw (method: string, url: string, opts: { token?: string, headers?: Record<string, string>, body?: Uint8Array | AsyncIterable<Uint8Array>, endEarly?: boolean } = {}): Promise<Raw> {
  return await new Promise<Raw>((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`
    const req = httpRequest(url, { method, headers }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }) })
      res.on('error', reject)
    })
    req.on('error', (err) => { if (opts.endEarly !== true) reject(err) })
    if (opts.endEarly === true) { req.flushHeaders(); return }
    if (opts.body === undefined) { req.end(); return }
    if (opts.body instanceof Uint8Array) { req.end(opts.body); return }
    pipeline(Readable.from(opts.body), req).catch(reject)
  })
}

const json = (r: Raw): any => JSON.parse(r.body.toString('utf8'))

async function upload (stack: TestStack, token: string, digest: string, body: Uint8Array | AsyncIterable<Uint8Array>, headers: Record<string, string> = {}): Promise<Raw> {
  return await raw('PUT', `${stack.routing.url}/v1/attachments/${digest}`, { token, body, headers: { 'content-type': 'application/octet-stream', ...headers } })
}

function isProblem (t: Test, answer: Answer | Raw, status: number, code: string): any {
  const body = 'type' in answer ? answer.body : json(answer)
  t.equal(answer.status, status, `status ${status} for ${code}`)
  t.equal(body.code, code)
  return body
}

async function storeCounts (stack: TestStack, jsm: JetStreamManager): Promise<{ documents: number, deliveries: number, objectMessages: number }> {
  const [d] = await stack.sql`select count(*)::int as n from routing.documents`
  const deliveries = (await jsm.streams.info(STREAMS.deliveries.name)).state.messages
  const objectMessages = (await jsm.streams.info(OBJ_STREAM)).state.messages
  return { documents: d!.n as number, deliveries, objectMessages }
}

/** Objects stored under this name: the store keeps one metadata subject per name. */
async function objectsNamed (jsm: JetStreamManager, digest: string): Promise<number> {
  const subject = `$O.attachments.M.${Buffer.from(digest).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')}`
  const info = await jsm.streams.info(OBJ_STREAM, { subjects_filter: subject })
  return Object.keys(info.state.subjects ?? {}).length
}

function rssKb (pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m![1])
}

/** 100 MiB of deterministic pseudo-random bytes (AES-CTR over zeros), made as they are read. */
async function * bigFile (size: number): AsyncGenerator<Buffer> {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0))
  const zeros = Buffer.alloc(1024 * 1024)
  for (let left = size; left > 0; left -= zeros.length) {
    yield cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left))
  }
}

t.test('attachments', async (t) => {
  const stack = await startStack(t, { agencies: laocaiAboveVillages() })
  const nc = await connectNats(stack.nats.url, 'attachments-test')
  t.teardown(async () => { await nc.close() })
  const jsm = await jetstreamManager(nc)
  const province = await stack.tokenFor(PROVINCE)
  const district = await stack.tokenFor(DISTRICT)
  const otherDistrict = await stack.tokenFor(OTHER_DISTRICT)

  // Three and a bit chunks of the store's 128 KiB, so ranges cross chunk boundaries.
  const file = randomBytes(3 * 128 * 1024 + 4321)
  const digest = sha256(file)
  const name = 'Quyết định số 12 (Đợt 1).pdf'
  const attachments = [{ name, size: file.length, sha256: digest }]

  async function arrival (token: string, documentId: string): Promise<any> {
    return await eventually(async () => {
      const list = await request('GET', `${stack.inbox.url}/v1/inbox`, { token })
      return list.body.items?.find((i: { documentId: string }) => i.documentId === documentId)
    }, 20_000, `${documentId} in the inbox`)
  }

  let itemUrl = ''
  await t.test('uploaded once, sent, and downloaded by the recipient whole and by ranges', async (t) => {
    const first = await upload(stack, province, digest, file)
    t.equal(first.status, 201, 'a new file is created')
    t.same(json(first), { sha256: digest, size: file.length })
    const again = await upload(stack, district, digest, file)
    t.equal(again.status, 200, 'the same file again is not stored again')

    const sent = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { to: [DISTRICT], document: doc('Về việc gửi quyết định'), attachments } })
    t.equal(sent.status, 202)
    const item = await arrival(district, sent.body.id)
    const detail = (await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: district })).body
    t.same(detail.envelope.attachments, attachments, 'the envelope names the attachment')
    t.equal(detail.signatures.validOnArrival, true, 'and both signatures cover it')
    itemUrl = `${stack.inbox.url}/v1/inbox/${item.id}/attachments`

    const whole = await raw('GET', `${itemUrl}/0`, { token: district })
    t.equal(whole.status, 200)
    t.ok(whole.body.equals(file), 'the bytes sent')
    t.equal(whole.headers['content-type'], 'application/octet-stream')
    t.equal(whole.headers['content-length'], String(file.length))
    t.equal(whole.headers.etag, `"${digest}"`)
    t.equal(whole.headers['accept-ranges'], 'bytes')
    const disposition = whole.headers['content-disposition'] ?? ''
    t.match(disposition, /^attachment; filename="Quyet dinh so 12 \(Dot 1\)\.pdf"; filename\*=UTF-8''/)
    t.equal(decodeURIComponent(disposition.split("filename*=UTF-8''")[1]!), name, 'the Vietnamese name, exactly')

    const size = file.length
    for (const [range, start, end] of [['bytes=0-99', 0, 99], ['bytes=131000-131200', 131000, 131200], ['bytes=-10', size - 10, size - 1], ['bytes=300000-', 300000, size - 1], ['bytes=390000-9999999', 390000, size - 1]] as const) {
      const part = await raw('GET', `${itemUrl}/0`, { token: district, headers: { range } })
      t.equal(part.status, 206, range)
      t.equal(part.headers['content-range'], `bytes ${start}-${end}/${size}`)
      t.equal(part.headers['content-length'], String(end - start + 1))
      t.ok(part.body.equals(file.subarray(start, end + 1)), `${range}: the same bytes`)
    }
    const several = await raw('GET', `${itemUrl}/0`, { token: district, headers: { range: 'bytes=0-1,5-6' } })
    t.equal(several.status, 200, 'several ranges: the whole file')
    t.ok(several.body.equals(file))
    const stale = await raw('GET', `${itemUrl}/0`, { token: district, headers: { range: 'bytes=0-9', 'if-range': '"another"' } })
    t.equal(stale.status, 200, 'If-Range naming another file: the whole file')

    const outside = await raw('GET', `${itemUrl}/0`, { token: district, headers: { range: `bytes=${size}-` } })
    isProblem(t, outside, 416, 'INB_RANGE_NOT_SATISFIABLE')
    t.equal(outside.headers['content-range'], `bytes */${size}`)

    const head = await raw('HEAD', `${itemUrl}/0`, { token: district })
    t.equal(head.status, 200)
    t.equal(head.headers['content-length'], String(size))
    t.equal(head.headers.etag, `"${digest}"`)
    t.equal(head.body.length, 0)
    const notModified = await raw('GET', `${itemUrl}/0`, { token: district, headers: { 'if-none-match': `"${digest}"` } })
    t.equal(notModified.status, 304)

    isProblem(t, await raw('GET', `${itemUrl}/1`, { token: district }), 404, 'INB_ATTACHMENT_NOT_FOUND')
    isProblem(t, await raw('GET', `${itemUrl}/0`, { token: otherDistrict }), 404, 'INB_ITEM_NOT_FOUND')
    isProblem(t, await raw('GET', `${itemUrl}/0`, { token: province }), 404, 'INB_ITEM_NOT_FOUND')
    isProblem(t, await raw('GET', `${itemUrl}/0`), 401, 'INB_UNAUTHORIZED')
  })

  await t.test('both routes are in the services\u2019 OpenAPI', async (t) => {
    const routing = await request('GET', `${stack.routing.url}/docs/json`)
    t.ok(routing.body.paths['/v1/attachments/{sha256}']?.put, 'PUT /v1/attachments/{sha256}')
    const inbox = await request('GET', `${stack.inbox.url}/docs/json`)
    t.ok(inbox.body.paths['/v1/inbox/{id}/attachments/{n}']?.get, 'GET /v1/inbox/{id}/attachments/{n}')
    // swagger-ui finds its files next to its own code, which the service's bundle must keep true
    const css = await fetch(`${stack.routing.url}/docs/static/index.css`)
    t.equal(css.status, 200, 'the browsable UI’s own files are served')
    await css.body?.cancel()
  })

  await t.test('two documents with the same file keep one copy of it', async (t) => {
    const before = await storeCounts(stack, jsm)
    t.equal(await objectsNamed(jsm, digest), 1)
    const again = await upload(stack, province, digest, file)
    t.equal(again.status, 200)
    const second = doc('Gửi lại quyết định')
    const sent = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { to: [OTHER_DISTRICT, DISTRICT], document: second, attachments } })
    t.equal(sent.status, 202)
    const retried = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { to: [OTHER_DISTRICT, DISTRICT], document: second, attachments } })
    t.same(retried.body, sent.body, 'a retry gets the first answer')
    const otherFiles = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { to: [OTHER_DISTRICT, DISTRICT], document: second } })
    isProblem(t, otherFiles, 409, 'RTE_IDEMPOTENCY_CONFLICT')
    const item = await arrival(otherDistrict, sent.body.id)
    const got = await raw('GET', `${stack.inbox.url}/v1/inbox/${item.id}/attachments/0`, { token: otherDistrict })
    t.ok(got.body.equals(file), 'the second recipient reads the same bytes')
    const after = await storeCounts(stack, jsm)
    t.equal(after.objectMessages, before.objectMessages, 'not one message added to the object store')
    t.equal(await objectsNamed(jsm, digest), 1, 'one object')
  })

  await t.test('a DMS that signs for itself signs its attachments', async (t) => {
    const admin = await stack.adminToken()
    const signer = dmsKey(DEPARTMENT, 'signer', 'giam-doc-so')
    const seal = dmsKey(DEPARTMENT, 'agency', 'so-seal')
    await registerKey(stack.registry.url, admin, signer)
    await registerKey(stack.registry.url, admin, seal)
    const department = await stack.tokenFor(DEPARTMENT)
    const body = { to: [DISTRICT], document: doc('Văn bản sở tự ký'), attachments }
    // Signed without the attachments: the envelope routing builds names them, so it is refused.
    const withoutThem = signRequest(DEPARTMENT, { to: body.to, document: body.document }, { signer, agency: seal })
    const sent = await eventually(async () => {
      const r = await request('POST', `${stack.routing.url}/v1/documents`, { token: department, json: { ...body, signatures: withoutThem.signatures } })
      return r.body.code === 'RTE_SIGNATURE_INVALID' && /bad_signature/.test(r.body.detail) ? r : undefined
    }, 10_000, 'routing to know the keys and refuse the signature')
    isProblem(t, sent, 422, 'RTE_SIGNATURE_INVALID')
    const signed = signRequest(DEPARTMENT, body, { signer, agency: seal })
    t.same(signed.envelope.attachments, attachments)
    const ok = await request('POST', `${stack.routing.url}/v1/documents`, { token: department, json: { ...body, signatures: signed.signatures } })
    t.equal(ok.status, 202)
    const item = await arrival(district, ok.body.id)
    const detail = (await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: district })).body
    t.equal(detail.signatures.validOnArrival, true)
  })

  await t.test('bad input is refused with a clear code and keeps nothing', async (t) => {
    const before = await storeCounts(stack, jsm)
    const send = async (extra: Record<string, unknown>): Promise<Answer> => await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { to: [DISTRICT], document: doc('Sai tệp đính kèm'), ...extra } })

    // Bytes that do not hash to the digest named: nothing kept, not even the chunks written.
    const other = randomBytes(200_000)
    const claimed = sha256(randomBytes(32))
    const mismatch = isProblem(t, await upload(stack, province, claimed, other), 422, 'RTE_ATTACHMENT_MISMATCH')
    t.equal(mismatch.sha256, sha256(other), 'the answer names the digest of what was sent')
    t.equal(await objectsNamed(jsm, claimed), 0)
    isProblem(t, await send({ attachments: [{ name: 'x.pdf', size: other.length, sha256: claimed }] }), 422, 'RTE_ATTACHMENT_NOT_FOUND')
    // …and an upload of a stored digest with other bytes is refused as well.
    isProblem(t, await upload(stack, province, digest, other), 422, 'RTE_ATTACHMENT_MISMATCH')

    isProblem(t, await send({ attachments: [{ name: 'never.pdf', size: 10, sha256: sha256(Buffer.from('never uploaded')) }] }), 422, 'RTE_ATTACHMENT_NOT_FOUND')
    const wrongSize = isProblem(t, await send({ attachments: [{ name: 'a.pdf', size: file.length + 1, sha256: digest }] }), 422, 'RTE_ATTACHMENT_MISMATCH')
    t.match(wrongSize.detail, new RegExp(`has ${file.length} bytes, not ${file.length + 1}`))
    isProblem(t, await send({ attachments: [{ name: 'a.pdf', size: file.length, sha256: digest }, { name: 'a.pdf', size: file.length, sha256: digest }] }), 400, 'RTE_VALIDATION_FAILED')

    for (const [bad, why] of [['../etc/passwd', /path separator/], ['thu-muc/a.pdf', /path separator/], ['C:\\a.pdf', /path separator/], ['a\u0000.pdf', /control characters/], ['a\n.pdf', /control characters/], ['a\u202e.pdf', /control characters/], ['..', /\. or \.\./], [' a.pdf', /spaces/]] as const) {
      const refused = isProblem(t, await send({ attachments: [{ name: bad, size: file.length, sha256: digest }] }), 400, 'RTE_VALIDATION_FAILED')
      t.match(refused.detail, why, `${JSON.stringify(bad)}: ${String(why)}`)
    }

    const tooLarge = await raw('PUT', `${stack.routing.url}/v1/attachments/${sha256(Buffer.from('big'))}`, {
      token: province, headers: { 'content-type': 'application/octet-stream', 'content-length': String(ATTACHMENT_MAX_BYTES + 1) }, endEarly: true
    })
    isProblem(t, tooLarge, 413, 'RTE_ATTACHMENT_TOO_LARGE')
    t.equal(tooLarge.headers.connection, 'close', 'refused before reading: the connection is closed, not drained')
    isProblem(t, await upload(stack, province, 'not-a-digest', other), 400, 'RTE_VALIDATION_FAILED')
    isProblem(t, await upload(stack, province, digest.toUpperCase(), file), 400, 'RTE_VALIDATION_FAILED')
    isProblem(t, await raw('PUT', `${stack.routing.url}/v1/attachments/${digest}`, { body: file }), 401, 'RTE_UNAUTHORIZED')
    isProblem(t, await upload(stack, await stack.tokenFor(PROVINCE, ['inbox:read']), digest, file), 403, 'RTE_FORBIDDEN')

    // An upload the client cuts off half-way: the chunks already written are purged.
    const cut = randomBytes(600_000)
    const cutOff = httpRequest(`${stack.routing.url}/v1/attachments/${sha256(cut)}`, { method: 'PUT', headers: { authorization: `Bearer ${province}`, 'content-type': 'application/octet-stream', 'content-length': String(cut.length) } })
    cutOff.on('error', () => {})
    cutOff.write(cut.subarray(0, 400_000))
    await eventually(async () => (await storeCounts(stack, jsm)).objectMessages > before.objectMessages ? true : undefined, 10_000, 'chunks of the upload in the store')
    cutOff.destroy()
    await eventually(async () => (await storeCounts(stack, jsm)).objectMessages === before.objectMessages ? true : undefined, 10_000, 'the cut-off upload to be purged')

    t.same(await storeCounts(stack, jsm), before, 'no document stored, no delivery published, no object kept')
  })

  await t.test('a 100 MB file goes through with the services\u2019 memory bounded', async (t) => {
    const size = ATTACHMENT_MAX_BYTES
    const hash = createHash('sha256')
    let tail: Buffer = Buffer.alloc(0)
    for await (const piece of bigFile(size)) { hash.update(piece); tail = piece.subarray(piece.length - 1000) }
    const bigDigest = hash.digest('hex')

    const pids = { routing: stack.routing.pid!, inbox: stack.inbox.pid! }
    const baseline = { routing: rssKb(pids.routing), inbox: rssKb(pids.inbox) }
    const peak = { ...baseline }
    const sampler = setInterval(() => {
      peak.routing = Math.max(peak.routing, rssKb(pids.routing))
      peak.inbox = Math.max(peak.inbox, rssKb(pids.inbox))
    }, 25)
    t.teardown(() => { clearInterval(sampler) })

    const started = Date.now()
    const up = await upload(stack, province, bigDigest, bigFile(size), { 'content-length': String(size) })
    t.equal(up.status, 201, 'stored')
    t.same(json(up), { sha256: bigDigest, size })
    const uploadedMs = Date.now() - started

    const sent = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { to: [DISTRICT], document: doc('Hồ sơ lớn'), attachments: [{ name: 'Hồ sơ quét.pdf', size, sha256: bigDigest }] } })
    t.equal(sent.status, 202)
    const item = await arrival(district, sent.body.id)

    const downloadStarted = Date.now()
    const got = await new Promise<{ status: number, length: string | undefined, digest: string, bytes: number }>((resolve, reject) => {
      const req = httpRequest(`${stack.inbox.url}/v1/inbox/${item.id}/attachments/0`, { headers: { authorization: `Bearer ${district}` } }, (res) => {
        const h = createHash('sha256')
        let bytes = 0
        res.on('data', (c: Buffer) => { h.update(c); bytes += c.length })
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], digest: h.digest('hex'), bytes }) })
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
    const downloadedMs = Date.now() - downloadStarted
    t.equal(got.status, 200)
    t.equal(got.length, String(size))
    t.equal(got.bytes, size, 'every byte')
    t.equal(got.digest, bigDigest, 'the SHA-256 of what was uploaded')

    const last = await raw('GET', `${stack.inbox.url}/v1/inbox/${item.id}/attachments/0`, { token: district, headers: { range: 'bytes=-1000' } })
    t.equal(last.status, 206)
    t.ok(last.body.equals(tail), 'the last 1000 bytes, after skipping the rest')
    clearInterval(sampler)

    const grownMb = { routing: (peak.routing - baseline.routing) / 1024, inbox: (peak.inbox - baseline.inbox) / 1024 }
    t.comment(`upload ${uploadedMs} ms, download ${downloadedMs} ms; resident memory grew by ${grownMb.routing.toFixed(1)} MB (routing), ${grownMb.inbox.toFixed(1)} MB (inbox)`)
    t.ok(grownMb.routing < 64, `routing grew by ${grownMb.routing.toFixed(1)} MB, under 64`)
    t.ok(grownMb.inbox < 64, `inbox grew by ${grownMb.inbox.toFixed(1)} MB, under 64`)
  })
})
