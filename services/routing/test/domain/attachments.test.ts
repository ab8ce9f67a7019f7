import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { connect } from '@nats-io/transport-node'
import { AppError, AttachmentStore, errorFactory } from '@lienthong/platform'
import { uploadAttachment } from '../../src/domain/attachment-upload.ts'
import { checkAttachments } from '../../src/domain/attachment-check.ts'
import { createTestNats } from '../../../../test/harness/test-nats.ts'

const nats = await createTestNats()
t.teardown(async () => { await nats.dispose() })
const nc = await connect({ servers: nats.url, name: 'routing-attachments-test' })
t.teardown(async () => { await nc.close() })

const warnings: unknown[] = []
const log = { warn: (o: unknown) => { warnings.push(o) }, error: (o: unknown) => { warnings.push(o) } } as unknown as FastifyBaseLogger
const ctx = { attachments: await AttachmentStore.open(nc), fail: errorFactory('routing'), log }

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
async function * body (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += 16_384) yield bytes.subarray(i, i + 16_384)
}
async function refusal (p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof AppError)) throw new Error(`expected a refusal, got ${String(err)}`)
  return err
}

const file = randomBytes(150_000)

t.test('an upload is stored once; the second answers that it was there', async (t) => {
  const first = await uploadAttachment(ctx, sha(file), body(file))
  t.equal(first.created, true)
  t.equal(first.attachment.size, file.length)
  t.equal((await uploadAttachment(ctx, sha(file), body(file))).created, false)
})

t.test('bytes that are not the digest named: 422 with what was received', async (t) => {
  const declared = sha(randomBytes(4))
  const err = await refusal(uploadAttachment(ctx, declared, body(file)))
  t.equal(err.code, 'RTE_ATTACHMENT_MISMATCH')
  t.equal(err.status, 422)
  t.same(err.extensions, { sha256: sha(file), size: file.length })
  t.equal(await ctx.attachments.find(declared), undefined, 'nothing kept')
})

t.test('a body longer than the limit: 413, nothing kept', async (t) => {
  const big = randomBytes(50_000)
  const err = await refusal(uploadAttachment(ctx, sha(big), body(big), 49_999))
  t.equal(err.code, 'RTE_ATTACHMENT_TOO_LARGE')
  t.equal(err.status, 413)
  t.equal(await ctx.attachments.find(sha(big)), undefined)
})

t.test('a body cut off by the client: refused, nothing kept', async (t) => {
  const cut = randomBytes(300_000)
  async function * abort (): AsyncGenerator<Uint8Array> {
    yield cut.subarray(0, 200_000)
    throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' })
  }
  const err = await refusal(uploadAttachment(ctx, sha(cut), abort()))
  t.equal(err.code, 'RTE_VALIDATION_FAILED')
  t.match(err.message, /cut off/)
  t.equal(await ctx.attachments.find(sha(cut)), undefined)
})

t.test('a document names only files stored with that size', async (t) => {
  await checkAttachments(ctx, undefined)
  await checkAttachments(ctx, [])
  await checkAttachments(ctx, [{ name: 'a.pdf', size: file.length, sha256: sha(file) }])
  const missing = await refusal(checkAttachments(ctx, [{ name: 'a.pdf', size: file.length, sha256: sha(file) }, { name: 'b.pdf', size: 1, sha256: sha(Buffer.from('b')) }]))
  t.equal(missing.code, 'RTE_ATTACHMENT_NOT_FOUND')
  t.match(missing.message, /attachments\/1 \(b\.pdf\)/)
  const size = await refusal(checkAttachments(ctx, [{ name: 'a.pdf', size: 1, sha256: sha(file) }]))
  t.equal(size.code, 'RTE_ATTACHMENT_MISMATCH')
  const twice = await refusal(checkAttachments(ctx, [{ name: 'a.pdf', size: file.length, sha256: sha(file) }, { name: 'a.pdf', size: file.length, sha256: sha(file) }]))
  t.equal(twice.code, 'RTE_VALIDATION_FAILED')
  t.match(twice.message, /used twice/)
})
