import type { AttachmentDigest } from '@lienthong/contracts'
import type { RoutingContext } from '../context.ts'

/**
 * Every attachment a new document names must be in the store already, with the size and SHA-256
 * it is named by: the envelope signed over them promises those bytes to every recipient. Two
 * attachments under one name would overwrite each other in a recipient's folder, so a name is
 * used once.
 */
export async function checkAttachments (ctx: Pick<RoutingContext, 'attachments' | 'fail' | 'log'>, attachments: readonly AttachmentDigest[] | undefined): Promise<void> {
  if (attachments === undefined || attachments.length === 0) return
  const { fail } = ctx
  const names = new Set<string>()
  for (const [i, a] of attachments.entries()) {
    if (names.has(a.name)) throw fail('VALIDATION_FAILED', `attachments/${i}: the name ${JSON.stringify(a.name)} is used twice`)
    names.add(a.name)
  }
  let found
  try {
    found = await Promise.all(attachments.map(async (a) => await ctx.attachments.find(a.sha256)))
  } catch (err) {
    ctx.log.warn({ err }, 'attachments store unavailable')
    throw fail('UNAVAILABLE', 'the attachments store cannot be read right now; nothing was stored, retry')
  }
  for (const [i, a] of attachments.entries()) {
    const stored = found[i]
    if (stored === undefined) {
      throw fail('ATTACHMENT_NOT_FOUND', `attachments/${i} (${a.name}): no file with SHA-256 ${a.sha256} was uploaded; PUT /v1/attachments/${a.sha256} first`, { attachment: i })
    }
    if (stored.size !== a.size) {
      throw fail('ATTACHMENT_MISMATCH', `attachments/${i} (${a.name}): the file with SHA-256 ${a.sha256} has ${stored.size} bytes, not ${a.size}`, { attachment: i })
    }
  }
}
