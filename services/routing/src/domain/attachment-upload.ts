import { ATTACHMENT_MAX_BYTES } from '@lienthong/contracts'
import { AttachmentMismatchError, AttachmentTooLargeError, type StoredAttachment } from '@lienthong/platform'
import type { RoutingContext } from '../context.ts'

/**
 * Streams an uploaded file into the attachments store under the digest the sender named. The
 * bytes are hashed as they pass; a mismatch or a file over 100 MB keeps nothing. Any other
 * failure (NATS away, a publish not acknowledged) is a 503: nothing was kept either, retry.
 */
export async function uploadAttachment (ctx: Pick<RoutingContext, 'attachments' | 'fail' | 'log'>, sha256: string, body: AsyncIterable<Uint8Array>, maxBytes = ATTACHMENT_MAX_BYTES): Promise<{ attachment: StoredAttachment, created: boolean }> {
  try {
    return await ctx.attachments.store(sha256, body, maxBytes)
  } catch (err) {
    if (err instanceof AttachmentMismatchError) {
      throw ctx.fail('ATTACHMENT_MISMATCH', `${err.message}; nothing was kept`, { sha256: err.actual.sha256, size: err.actual.size })
    }
    if (err instanceof AttachmentTooLargeError) {
      throw ctx.fail('ATTACHMENT_TOO_LARGE', `the body is longer than ${err.limit} bytes; nothing was kept`)
    }
    if (isClientAbort(err)) throw ctx.fail('VALIDATION_FAILED', 'the upload was cut off before its end; nothing was kept')
    ctx.log.warn({ err, sha256 }, 'attachment not stored')
    throw ctx.fail('UNAVAILABLE', 'the attachment could not be stored right now; nothing was kept, upload it again')
  }
}

function isClientAbort (err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as Error | undefined)?.message === 'aborted'
}
