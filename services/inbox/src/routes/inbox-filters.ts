import { z } from 'zod'
import { AgencyCode, DocumentId } from '@lienthong/contracts'
import type { InboxQuery } from '../domain/inbox-query.ts'

const flag = z.enum(['true', 'false'])
const time = z.iso.datetime({ offset: true })

/** The query string of `GET /v1/inbox`: every filter optional, all of them combined. */
export const InboxListQuery = z.object({
  state: z.string().regex(/^0[1-6](,0[1-6])*$/, 'work states 01…06, separated by commas').optional()
    .meta({ description: 'one work state or several separated by commas, e.g. `01,03`' }),
  priority: z.string().regex(/^[0-4](,[0-4])*$/, 'priorities 0…4, separated by commas').optional()
    .meta({ description: 'one priority or several separated by commas: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ' }),
  sender: AgencyCode.optional().meta({ description: 'the sending agency\u2019s code' }),
  document: DocumentId.optional().meta({ description: 'a document id (`{sender},{yyyy/MM/dd},{number}/{notation}`, URL-encoded): this agency\u2019s item of that document, if it has one' }),
  receivedFrom: time.optional().meta({ description: 'received at or after this time (ISO 8601 with offset)' }),
  receivedTo: time.optional().meta({ description: 'received before this time' }),
  dueFrom: time.optional().meta({ description: 'the work file is due at or after this time' }),
  dueTo: time.optional().meta({ description: 'the work file is due before this time' }),
  overdue: flag.optional().meta({ description: '`true`: open and past its due time; `false`: the others' }),
  withdrawn: flag.optional().meta({ description: '`true`: recalled by the sender, the recall agreed (15); `false`: the others' }),
  q: z.string().max(200).regex(/[\p{L}\p{N}]/u, 'at least one letter or digit').optional()
    .meta({ description: 'words of the subject, all of which must be there; typed without diacritics a word matches with or without them ("bao" finds bão and báo), typed with them only as written' }),
  cursor: z.uuid().optional().meta({ description: '`next` of the previous page' }),
  limit: z.coerce.number().int().min(1).max(500).default(50)
})

export function inboxQueryOf (q: z.infer<typeof InboxListQuery>): InboxQuery {
  const date = (s: string | undefined): Date | undefined => s === undefined ? undefined : new Date(s)
  const bool = (s: 'true' | 'false' | undefined): boolean | undefined => s === undefined ? undefined : s === 'true'
  return {
    state: q.state?.split(','),
    priority: q.priority?.split(',').map(Number),
    sender: q.sender,
    document: q.document,
    receivedFrom: date(q.receivedFrom),
    receivedTo: date(q.receivedTo),
    dueFrom: date(q.dueFrom),
    dueTo: date(q.dueTo),
    overdue: bool(q.overdue),
    withdrawn: bool(q.withdrawn),
    q: q.q,
    cursor: q.cursor,
    limit: q.limit
  }
}
