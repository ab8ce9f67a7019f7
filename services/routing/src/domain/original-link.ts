import { and, eq } from 'drizzle-orm'
import type { DocumentFields } from '@lienthong/contracts'
import type { RoutingContext } from '../context.ts'
import { documents } from '../db/schema.ts'

/**
 * An update (2) or replacement (3) must name a document its own sender sent before: an agency
 * cannot correct or supersede another agency's document, nor one that never was. Checked before
 * anything is stored.
 */
export async function checkOriginal (ctx: Pick<RoutingContext, 'db' | 'fail'>, sender: string, fields: DocumentFields): Promise<void> {
  if (fields.business === undefined) return
  const { original } = fields.business
  const [row] = await ctx.db.select({ id: documents.id }).from(documents)
    .where(and(eq(documents.id, original), eq(documents.sender, sender))).limit(1)
  if (row === undefined) {
    throw ctx.fail('ORIGINAL_NOT_FOUND', `${sender} sent no document ${original} to ${fields.business.type === 2 ? 'update' : 'replace'}`, { original })
  }
}
