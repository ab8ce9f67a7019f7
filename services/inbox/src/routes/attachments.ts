import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { SCOPES, type Envelope } from '@lienthong/contracts'
import type { AttachmentStore, ServiceApp, StoredAttachment } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { findItem } from '../domain/item-store.ts'
import { parseRange, rangeStillApplies } from '../domain/byte-range.ts'
import { contentDisposition } from '../domain/content-disposition.ts'

const Params = z.object({
  id: z.string().max(100),
  /** the attachment's place in the envelope's `attachments` list, counted from 0 */
  n: z.coerce.number().int().min(0).max(1000)
})

/**
 * `GET /v1/inbox/{id}/attachments/{n}`: the bytes of the n-th attachment (from 0, in the order
 * of the envelope's `attachments`), for the recipient only, streamed from the object store with
 * single byte ranges. `HEAD` answers the same headers without reading the store's chunks.
 */
export async function attachmentRoutes (app: ServiceApp, ctx: InboxContext, store: AttachmentStore): Promise<void> {
  const schema = {
    tags: ['inbox'],
    summary: 'Download an attachment of an item (n counts from 0 in the envelope\u2019s attachments); Range: bytes=a-b, a-, -n',
    params: Params
  }
  const onRequest = app.requireScopes(SCOPES.inboxRead)
  app.get('/v1/inbox/:id/attachments/:n', { onRequest, schema, exposeHeadRoute: false }, async (request, reply) => await download(request, reply, false))
  app.head('/v1/inbox/:id/attachments/:n', { onRequest, schema }, async (request, reply) => await download(request, reply, true))

  async function download (request: FastifyRequest, reply: FastifyReply, headOnly: boolean): Promise<FastifyReply> {
    const { id, n } = request.params as z.infer<typeof Params>
    const { name, stored } = await attachmentOf(id, n, request.agency)
    const etag = `"${stored.sha256}"`
    void reply
      .header('etag', etag)
      .header('accept-ranges', 'bytes')
      .header('cache-control', 'private, no-transform')
      .header('content-disposition', contentDisposition(name))
      .header('x-content-type-options', 'nosniff')
    if (request.headers['if-none-match']?.split(',').some((t) => t.trim() === etag) === true) {
      return await reply.code(304).send()
    }
    const range = rangeStillApplies(headerText(request.headers['if-range']), etag)
      ? parseRange(request.headers.range, stored.size)
      : { kind: 'whole' as const }
    if (range.kind === 'unsatisfiable') {
      void reply.header('content-range', `bytes */${stored.size}`)
      throw ctx.fail('RANGE_NOT_SATISFIABLE', `${request.headers.range ?? ''} lies outside the ${stored.size} bytes of ${name}`)
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, stored.size - 1]
    if (range.kind === 'partial') void reply.code(206).header('content-range', `bytes ${start}-${end}/${stored.size}`)
    void reply.type('application/octet-stream').header('content-length', String(end - start + 1))
    if (headOnly || stored.size === 0) return await reply.send()
    // Pulled a chunk at a time as the client reads: a slow download holds one chunk, not the file.
    return await reply.send(Readable.from(store.read(stored, start, end), { objectMode: false, highWaterMark: 64 * 1024 }))
  }

  /** The n-th attachment of the caller's item, and where its bytes are. */
  async function attachmentOf (id: string, n: number, agency: string): Promise<{ name: string, stored: StoredAttachment }> {
    // Another agency's item is not found, as one that does not exist: nothing leaks.
    const item = z.uuid().safeParse(id).success ? await findItem(ctx.db, id, agency) : undefined
    if (item === undefined) throw ctx.fail('ITEM_NOT_FOUND', `no item ${id} in the inbox of ${agency}`)
    const named = ((item.envelope as Envelope | null)?.attachments ?? [])[n]
    if (named === undefined) throw ctx.fail('ATTACHMENT_NOT_FOUND', `item ${id} has no attachment ${n} (they are counted from 0)`)
    let stored: StoredAttachment | undefined
    try {
      stored = await store.find(named.sha256)
    } catch (err) {
      ctx.log.warn({ err, sha256: named.sha256 }, 'attachments store unavailable')
      throw ctx.fail('ATTACHMENT_UNAVAILABLE', 'the attachments store cannot be read right now; retry')
    }
    if (stored === undefined || stored.size !== named.size) {
      ctx.log.error({ sha256: named.sha256, item: id }, 'an attachment the envelope names is not in the store as named')
      throw ctx.fail('ATTACHMENT_UNAVAILABLE', `the bytes of ${named.name} cannot be read right now; retry later`)
    }
    return { name: named.name, stored }
  }
}

function headerText (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value
}
