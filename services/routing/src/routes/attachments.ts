import type { IncomingMessage } from 'node:http'
import { z } from 'zod'
import { ATTACHMENT_MAX_BYTES, SCOPES, Sha256Hex } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { RoutingContext } from '../context.ts'
import { uploadAttachment } from '../domain/attachment-upload.ts'

const UploadedAttachment = z.object({ sha256: Sha256Hex, size: z.number().int() })

/**
 * `PUT /v1/attachments/{sha256}`: the raw bytes of one file, streamed into the object store.
 * Its own scope hands the body through as a stream, untouched by the service's JSON body limit:
 * the 100 MB limit is this route's, checked on the announced length and again while reading.
 */
export async function attachmentRoutes (app: ServiceApp, ctx: RoutingContext): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => { done(null, payload) })
  // A refusal before the body is read closes the connection, rather than reading and dropping
  // up to 100 MB only to keep it alive.
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode >= 400 && !request.raw.complete) void reply.header('connection', 'close')
  })

  app.put('/v1/attachments/:sha256', {
    onRequest: app.requireScopes(SCOPES.documentsSend),
    schema: {
      tags: ['attachments'],
      summary: 'Upload a file to attach to documents, named by the SHA-256 of its bytes (up to 100 MB)',
      description: 'The body is the file itself (any content type, e.g. application/octet-stream), streamed. ' +
        'The bytes must hash to the SHA-256 in the path, or nothing is kept (422). A file already stored is not stored again (200); a new one answers 201. ' +
        'Then name it in `POST /v1/documents` as `attachments: [{name, size, sha256}]`.',
      params: z.object({ sha256: Sha256Hex }),
      response: { 200: UploadedAttachment, 201: UploadedAttachment }
    }
  }, async (request, reply) => {
    const announced = request.headers['content-length']
    if (announced !== undefined && Number(announced) > ATTACHMENT_MAX_BYTES) {
      throw ctx.fail('ATTACHMENT_TOO_LARGE', `the body announces ${announced} bytes; an attachment may have at most ${ATTACHMENT_MAX_BYTES}`)
    }
    // No body at all (no length, no chunks) is an empty file.
    const body = (request.body as IncomingMessage | undefined) ?? emptyBody()
    const { attachment, created } = await uploadAttachment(ctx, request.params.sha256, body)
    return await reply.code(created ? 201 : 200).send({ sha256: attachment.sha256, size: attachment.size })
  })
}

async function * emptyBody (): AsyncGenerator<Uint8Array> {}
