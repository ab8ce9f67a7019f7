import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { AttachmentMismatchError, AttachmentStore, AttachmentTooLargeError, checkedStream, objectDigestHex } from '../src/attachment-store.ts'
import { createTestNats } from '../../../test/harness/test-nats.ts'

const nats = await createTestNats()
t.teardown(async () => { await nats.dispose() })
const nc = await connect({ servers: nats.url, name: 'attachment-store-test' })
t.teardown(async () => { await nc.close() })
const store = await AttachmentStore.open(nc, 'attachments-test')
const jsm = await jetstreamManager(nc)

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** The bytes in pieces of `size`, as a request body arrives. */
async function * pieces (bytes: Uint8Array, size = 10_000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function collect (it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of it) parts.push(p)
  return Buffer.concat(parts)
}

/** Messages in the store's stream: chunks and metadata of every object. */
async function storedMessages (): Promise<number> {
  return (await jsm.streams.info('OBJ_attachments-test')).state.messages
}

// Three and a bit chunks of 128 KiB, so ranges cross chunk boundaries.
const file = randomBytes(3 * 128 * 1024 + 1234)
const digest = sha(file)

t.test('the object store digest is read as hex', async (t) => {
  const b64 = Buffer.from(digest, 'hex').toString('base64url')
  t.equal(objectDigestHex(`SHA-256=${b64}=`), digest)
  t.equal(objectDigestHex('SHA-256=abc'), undefined)
  t.equal(objectDigestHex(''), undefined)
})

t.test('a file is stored once under its digest and read back whole and by ranges', async (t) => {
  const first = await store.store(digest, pieces(file), file.length)
  t.equal(first.created, true)
  t.same(first.attachment, { sha256: digest, size: file.length, nuid: first.attachment.nuid, chunks: 4 })
  const messages = await storedMessages()

  const again = await store.store(digest, pieces(file, 77_777), file.length)
  t.equal(again.created, false, 'the second upload is not written')
  t.equal(again.attachment.nuid, first.attachment.nuid)
  t.equal(await storedMessages(), messages, 'no message was added')

  const found = await store.find(digest)
  t.ok(found)
  t.ok((await collect(store.read(found!))).equals(file), 'the whole file')
  for (const [start, end] of [[0, 0], [0, 131071], [131071, 131072], [131072, 300_000], [200_000, file.length - 1], [file.length - 1, file.length - 1]] as const) {
    t.ok((await collect(store.read(found!, start, end))).equals(file.subarray(start, end + 1)), `bytes ${start}-${end}`)
  }
})

t.test('uploads of one new file at once store it once', async (t) => {
  const other = randomBytes(200_000)
  const results = await Promise.all(Array.from({ length: 4 }, async () => await store.store(sha(other), pieces(other), other.length)))
  t.equal(results.filter((r) => r.created).length, 1, 'one upload created it')
  t.equal(new Set(results.map((r) => r.attachment.nuid)).size, 1, 'all name the same copy')
  t.ok((await collect(store.read((await store.find(sha(other)))!))).equals(other))
})

t.test('bytes that do not match the declared digest leave nothing behind', async (t) => {
  const before = await storedMessages()
  const wrong = randomBytes(300_000)
  const declared = sha(randomBytes(8))
  const err = await store.store(declared, pieces(wrong), 1_000_000).catch((e: unknown) => e)
  t.ok(err instanceof AttachmentMismatchError)
  t.same((err as AttachmentMismatchError).actual, { sha256: sha(wrong), size: wrong.length })
  t.equal(await store.find(declared), undefined)
  t.equal(await storedMessages(), before, 'the chunks written were purged')

  // An upload of an existing digest with other bytes is refused too.
  const err2 = await store.store(digest, pieces(wrong), 1_000_000).catch((e: unknown) => e)
  t.ok(err2 instanceof AttachmentMismatchError)
  t.ok(await store.find(digest), 'the stored file is untouched')
})

t.test('an upload past the limit stops there and leaves nothing', async (t) => {
  const before = await storedMessages()
  const big = randomBytes(400_000)
  const err = await store.store(sha(big), pieces(big), 399_999).catch((e: unknown) => e)
  t.ok(err instanceof AttachmentTooLargeError)
  t.equal(await store.find(sha(big)), undefined)
  t.equal(await storedMessages(), before)
})

t.test('the checked stream hashes, counts and refuses', async (t) => {
  const small = Buffer.from('xin chào')
  const ok = checkedStream(pieces(small, 3), sha(small), 100)
  t.ok((await collect(ok.stream)).equals(small))
  t.same(ok.result(), { sha256: sha(small), size: small.length })
  const bad = checkedStream(pieces(small, 3), sha(Buffer.from('other')), 100)
  await t.rejects(collect(bad.stream), AttachmentMismatchError)
  const big = checkedStream(pieces(small, 3), sha(small), 5)
  await t.rejects(collect(big.stream), AttachmentTooLargeError)
})

t.test('an empty file is a file', async (t) => {
  const empty = new Uint8Array(0)
  const { attachment, created } = await store.store(sha(empty), pieces(empty), 10)
  t.equal(created, true)
  t.equal(attachment.size, 0)
  t.equal((await collect(store.read(attachment))).length, 0)
})
