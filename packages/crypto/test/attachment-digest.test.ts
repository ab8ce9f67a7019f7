import t from 'tap'
import { createReadStream, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { randomBytes } from 'node:crypto'
import { attachmentDigest } from '../src/attachment-digest.ts'
import { sha256Hex } from '../src/digest.ts'

t.test('a multi-chunk stream digests like the whole at once', async (t) => {
  const chunks = Array.from({ length: 50 }, (_, i) => randomBytes(1000 + i * 37))
  const whole = Buffer.concat(chunks)
  t.equal(await attachmentDigest(Readable.from(chunks)), sha256Hex(whole))
  t.equal(await attachmentDigest(chunks), sha256Hex(whole), 'a plain iterable too')
  t.match(await attachmentDigest(chunks), /^[0-9a-f]{64}$/, 'lower-case hex')
})

t.test('a file read in small chunks', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'cong-van.pdf')
  const content = randomBytes(300_000)
  writeFileSync(file, content)
  let chunks = 0
  const stream = createReadStream(file, { highWaterMark: 16 * 1024 })
  stream.on('data', () => { chunks++ })
  t.equal(await attachmentDigest(stream), sha256Hex(content))
  t.ok(chunks > 10, `read in ${chunks} chunks`)
})

t.test('bytes, not characters: a UTF-8 character split across chunks', async (t) => {
  const bytes = Buffer.from('Ủy ban nhân dân', 'utf8')
  const split = [bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)]
  t.equal(await attachmentDigest(split), sha256Hex('Ủy ban nhân dân'))
})

t.test('a web ReadableStream', async (t) => {
  const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])]
  const web = new ReadableStream<Uint8Array>({
    start (controller) {
      for (const part of parts) controller.enqueue(part)
      controller.close()
    }
  })
  t.equal(await attachmentDigest(web), sha256Hex(new Uint8Array([1, 2, 3, 4, 5])))
})

t.test('empty attachment; text chunks refused', async (t) => {
  t.equal(await attachmentDigest(Readable.from([])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  const text = Readable.from([Buffer.from('abc')]).setEncoding('utf8')
  await t.rejects(attachmentDigest(text as AsyncIterable<never>), TypeError)
})
