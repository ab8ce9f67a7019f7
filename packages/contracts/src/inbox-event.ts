import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'
import { Channel, Official, StatusCode } from './status.ts'

/**
 * What the inbox tells the rest of the exchange: every arrival, step and work-file change, each
 * carrying what the measure needs (the agency, its government level when the event happened, the
 * channel, the times). The same events feed a DMS's server-sent events and webhooks, and the audit
 * ledger. `id` is stable however often the event is published (JetStream drops a repeat by it).
 */
const EventBase = z.object({
  id: z.uuid(),
  /** the agency whose inbox or work file this is (for `document.status`: the sender) */
  agency: AgencyCode,
  /** the agency's government level in the directory when the event was recorded */
  level: z.string().nullable(),
  /** when it happened */
  at: z.iso.datetime({ offset: true })
})

/** Where a work file came from: a document that arrived through the exchange, or the agency's DMS. */
export const WorkFileOrigin = z.enum(['exchange', 'dms'])
export type WorkFileOrigin = z.infer<typeof WorkFileOrigin>

export const ItemArrivedEvent = EventBase.extend({
  type: z.literal('item.arrived'),
  itemId: z.uuid(),
  /** the work file the arrival opened (its id is the item's) */
  workFileId: z.uuid(),
  documentId: z.string(),
  sender: AgencyCode,
  priority: z.number().int(),
  subject: z.string(),
  /** both signatures verified on arrival: an arrival that did not cannot count as fully online */
  signaturesValid: z.boolean().nullable(),
  dueAt: z.iso.datetime({ offset: true }).nullable()
})

export const WorkFileOpenedEvent = EventBase.extend({
  type: z.literal('work-file.opened'),
  workFileId: z.uuid(),
  origin: z.literal('dms'),
  title: z.string(),
  channel: Channel,
  official: Official.nullable(),
  dueAt: z.iso.datetime({ offset: true }).nullable()
})

export const WorkFileStepEvent = EventBase.extend({
  type: z.literal('work-file.step'),
  workFileId: z.uuid(),
  /** null for a work file the DMS opened */
  itemId: z.uuid().nullable(),
  documentId: z.string().nullable(),
  origin: WorkFileOrigin,
  code: StatusCode,
  channel: Channel,
  official: Official.nullable(),
  note: z.string().nullable(),
  /** the work file's state after the step, and whether the step closed it (06, 02, or a recall agreed) */
  state: StatusCode,
  closed: z.boolean(),
  /** when the file was first closed: a later 15 on a completed file does not move it */
  closedAt: z.iso.datetime({ offset: true }).nullable(),
  dueAt: z.iso.datetime({ offset: true }).nullable(),
  /** the file was opened at (for the measure: open and overdue files) */
  openedAt: z.iso.datetime({ offset: true }),
  /** some step of this file, this one included, was done on paper */
  paper: z.boolean()
})

export const WorkFileChangedEvent = EventBase.extend({
  type: z.literal('work-file.changed'),
  workFileId: z.uuid(),
  dueAt: z.iso.datetime({ offset: true }).nullable()
})

/** A document the agency sent through the exchange in answer (`responseFor`) joined the work file. */
export const WorkFileDocumentEvent = EventBase.extend({
  type: z.literal('work-file.document'),
  workFileId: z.uuid(),
  documentId: z.string(),
  role: z.literal('response'),
  channel: z.literal('online')
})

/** For the sender: a recipient's status message for one of its documents went out. */
export const DocumentStatusEvent = EventBase.extend({
  type: z.literal('document.status'),
  documentId: z.string(),
  recipient: AgencyCode,
  code: StatusCode,
  channel: Channel,
  stepAt: z.iso.datetime({ offset: true })
})

export const InboxEvent = z.discriminatedUnion('type', [
  ItemArrivedEvent, WorkFileOpenedEvent, WorkFileStepEvent, WorkFileChangedEvent, WorkFileDocumentEvent, DocumentStatusEvent
])
export type InboxEvent = z.infer<typeof InboxEvent>
export type InboxEventType = InboxEvent['type']
export const INBOX_EVENT_TYPES = InboxEvent.options.map((o) => o.shape.type.value) as InboxEventType[]
