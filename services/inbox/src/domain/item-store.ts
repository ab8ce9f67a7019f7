import { and, eq, inArray, lt, asc, isNull, isNotNull, or, sql, type SQL } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { uuidv7 } from 'uuidv7'
import type { DeliveryMessage, InboxEvent, Receipt, StatusCode } from '@lienthong/contracts'
import type { EnvelopeCheck } from '@lienthong/platform'
import { events as eventsTable, items, steps, workFileDocuments, workFiles } from '../db/schema.ts'
import { dueAtOf } from './due-date.ts'
import type { EventOutbox, NewEvent } from './event-outbox.ts'
import { receiptOf } from './receipts.ts'
import { searchableText } from './subject-search.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
export type ItemRow = typeof items.$inferSelect
export type StepRow = typeof steps.$inferSelect

/**
 * Stores a delivered document in its recipient's inbox with its arrival step (01) and the result
 * of checking its signatures. The unique (document, recipient) key, not a look-before-insert,
 * makes a second delivery a no-op; the arrival step is returned either way so its receipt can be
 * signed and its status message (re)published.
 */
export async function storeArrival (db: Db, outbox: EventOutbox, delivery: DeliveryMessage, check: EnvelopeCheck): Promise<Arrival> {
  return (await storeArrivals(db, outbox, [{ delivery, check }]))[0]!
}

export interface Arrival { item: ItemRow, step: StepRow, created: boolean }

type Delivered = { delivery: DeliveryMessage, check: EnvelopeCheck }

/**
 * storeArrival for many deliveries at once. New arrivals (nearly all of them) are one statement:
 * items, their work files, their 01 steps and their `item.arrived` events, atomic without a
 * transaction's round trips, which at hundreds of arrivals a second are most of an arrival's time
 * in the database. A delivery that meets an item stored before (a redelivery, the same one twice in
 * a call) and a batch holding an answer (`responseFor`) go through storeArrivalsInTransaction.
 */
export async function storeArrivals (db: Db, outbox: EventOutbox, arrivals: Delivered[]): Promise<Arrival[]> {
  if (arrivals.length === 0) return []
  if (arrivals.some(({ delivery }) => delivery.envelope.document.responseFor !== undefined)) return await storeArrivalsInTransaction(db, outbox, arrivals)
  const { stored, events } = await storeNewArrivals(db, outbox, arrivals)
  outbox.publish(events)
  const rest = arrivals.flatMap((a, i) => stored[i] === undefined ? [{ a, i }] : [])
  if (rest.length > 0) {
    const found = await storeArrivalsInTransaction(db, outbox, rest.map(({ a }) => a))
    rest.forEach(({ i }, n) => { stored[i] = found[n] })
  }
  return stored as Arrival[]
}

/** The item row a delivery makes; its times are set when it is stored. */
function itemOf ({ delivery, check }: Delivered): ItemRow {
  return {
    id: uuidv7(),
    documentId: delivery.documentId,
    recipient: delivery.recipient,
    sender: delivery.envelope.sender,
    subject: delivery.envelope.document.subject,
    priority: delivery.envelope.document.priority,
    fields: delivery.envelope.document,
    recipients: delivery.recipients,
    sentAt: new Date(delivery.sentAt),
    receivedAt: new Date(0),
    state: '01',
    envelope: delivery.envelope,
    signatures: delivery.signatures,
    envelopeDigest: check.digest,
    signaturesValid: check.valid,
    signatureFindings: check.findings,
    // a recall waits for its item to exist, so a new item never has one yet
    recallRequestedAt: null,
    recallNote: null,
    recallAnswer: null,
    recallAnsweredAt: null,
    updatedAt: new Date(0),
    search: null
  }
}

/**
 * Item rows as a table for an insert: one array per column (unnest), so a statement does not grow
 * with the batch, every column as text[] cast in the statement so postgres.js never guesses an
 * array's type.
 */
function itemsAsRows (rows: ItemRow[]): SQL {
  const column = (f: (r: ItemRow) => string | null): ReturnType<typeof sql.param> => sql.param(rows.map(f))
  const json = (f: (r: ItemRow) => unknown): ReturnType<typeof sql.param> => column((r) => JSON.stringify(f(r)))
  return sql`unnest(${column((r) => r.id)}::text[], ${column((r) => r.documentId)}::text[], ${column((r) => r.recipient)}::text[], ${column((r) => r.sender)}::text[],
      ${column((r) => r.subject)}::text[], ${column((r) => String(r.priority))}::text[], ${json((r) => r.fields)}::text[], ${json((r) => r.recipients)}::text[],
      ${column((r) => r.sentAt.toISOString())}::text[], ${json((r) => r.envelope)}::text[], ${json((r) => r.signatures)}::text[],
      ${column((r) => r.envelopeDigest)}::text[], ${column((r) => String(r.signaturesValid))}::text[], ${json((r) => r.signatureFindings)}::text[],
      ${column((r) => searchableText(r.subject))}::text[])
    as t(id, document_id, recipient, sender, subject, priority, fields, recipients, sent_at, envelope, signatures, envelope_digest, signatures_valid, signature_findings, search)`
}

const dueOf = (r: ItemRow): Date | null => dueAtOf((r.fields as DeliveryMessage['envelope']['document']).dueDate)

/**
 * The arrivals that are new, in one statement; the others (their item exists) are left
 * undefined. Received at the service's clock: the events carry the time before the rows exist.
 */
async function storeNewArrivals (db: Db, outbox: EventOutbox, arrivals: Delivered[]): Promise<{ stored: Array<Arrival | undefined>, events: InboxEvent[] }> {
  const at = new Date()
  const rows = arrivals.map((a) => ({ ...itemOf(a), receivedAt: at, updatedAt: at }))
  const receipts = rows.map((r) => receiptOf(r, { code: '01', channel: 'online', at }))
  const events = outbox.stamp(rows.map((r) => arrivedEvent(r, dueOf(r))))
  const ids = sql.param(rows.map((r) => r.id))
  const made = await db.execute<{ id: string, step_id: string }>(sql`
    with new_items as (
      insert into ${items} (id, document_id, recipient, sender, subject, priority, fields, recipients, sent_at, received_at, updated_at, state, envelope, signatures, envelope_digest, signatures_valid, signature_findings, search)
      select id::uuid, document_id, recipient, sender, subject, priority::integer, fields::jsonb, array(select jsonb_array_elements_text(recipients::jsonb)), sent_at::timestamptz,
        ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz, '01', envelope::jsonb, signatures::jsonb, envelope_digest, signatures_valid::boolean, signature_findings::jsonb, to_tsvector('simple', search)
      from ${itemsAsRows(rows)}
      on conflict do nothing
      returning id, recipient, subject
    ), per_item as (
      select n.id, n.recipient, n.subject, d.due_at::timestamptz as due_at, d.receipt::jsonb as receipt, d.event_id::uuid as event_id, d.event::jsonb as event
      from new_items n join unnest(${ids}::text[], ${sql.param(rows.map((r) => dueOf(r)?.toISOString() ?? null))}::text[], ${sql.param(receipts.map((r) => JSON.stringify(r)))}::text[],
        ${sql.param(events.map((e) => e.id))}::text[], ${sql.param(events.map((e) => JSON.stringify(e)))}::text[]) as d(id, due_at, receipt, event_id, event) on d.id::uuid = n.id
    ), new_files as (
      insert into ${workFiles} (id, agency, origin, item_id, title, state, due_at, opened_at, updated_at)
      select id, recipient, 'exchange', id, subject, '01', due_at, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz from per_item
    ), new_steps as (
      insert into ${steps} (item_id, work_file_id, code, channel, at, receipt)
      select id, id, '01', 'online', ${at.toISOString()}::timestamptz, receipt from per_item
      returning id, item_id
    ), told as (
      insert into ${eventsTable} (id, agency, body) select event_id, recipient, event from per_item
    )
    select item_id as id, id as step_id from new_steps`)
  const stepIdOf = new Map(made.map((m) => [m.id, Number(m.step_id)]))
  const stored = rows.map((item, i): Arrival | undefined => {
    const stepId = stepIdOf.get(item.id)
    if (stepId === undefined) return undefined
    const step: StepRow = { id: stepId, itemId: item.id, workFileId: item.id, code: '01', channel: 'online', at, note: null, official: null, publishedAt: null, receipt: receipts[i]!, signature: null, awaitingSignature: false }
    return { item, step, created: true }
  })
  return { stored, events: events.filter((e) => stepIdOf.has((e as { itemId: string }).itemId)) }
}

/**
 * storeArrivals in one transaction of four statements, whatever their number: for deliveries
 * that may meet items stored before, and answers, which join the sender's work file of the
 * document they answer.
 */
async function storeArrivalsInTransaction (db: Db, outbox: EventOutbox, arrivals: Delivered[]): Promise<Arrival[]> {
  const key = (documentId: string, recipient: string): string => `${documentId}\n${recipient}`
  const rows: ItemRow[] = arrivals.map(itemOf)
  const column = (f: (r: ItemRow) => string | null): ReturnType<typeof sql.param> => sql.param(rows.map(f))
  let recorded: InboxEvent[] = []
  const stored = await db.transaction(async (tx) => {
    // The item and its work file in one statement: one round trip, and never one without the other.
    const inserted = await tx.execute<{ id: string, received_at: string, updated_at: string }>(sql`
      with new_items as (
        insert into ${items} (id, document_id, recipient, sender, subject, priority, fields, recipients, sent_at, state, envelope, signatures, envelope_digest, signatures_valid, signature_findings, search)
        select id::uuid, document_id, recipient, sender, subject, priority::integer, fields::jsonb, array(select jsonb_array_elements_text(recipients::jsonb)), sent_at::timestamptz,
          '01', envelope::jsonb, signatures::jsonb, envelope_digest, signatures_valid::boolean, signature_findings::jsonb, to_tsvector('simple', search)
        from ${itemsAsRows(rows)}
        on conflict do nothing
        returning id, recipient, subject, received_at, updated_at
      ), new_files as (
        insert into ${workFiles} (id, agency, origin, item_id, title, state, due_at, opened_at, updated_at)
        select n.id, n.recipient, 'exchange', n.id, n.subject, '01', d.due_at::timestamptz, n.received_at, n.received_at
        from new_items n join unnest(${column((r) => r.id)}::text[], ${column((r) => dueOf(r)?.toISOString() ?? null)}::text[]) as d(id, due_at) on d.id::uuid = n.id
      )
      select id, received_at, updated_at from new_items`)
    const created = new Set<string>()
    const byKey = new Map<string, ItemRow>()
    const times = new Map(inserted.map((i) => [i.id, i]))
    for (const r of rows) {
      const t = times.get(r.id)
      if (t === undefined) continue
      created.add(r.id)
      byKey.set(key(r.documentId, r.recipient), { ...r, receivedAt: new Date(t.received_at), updatedAt: new Date(t.updated_at) })
    }
    const known = rows.filter((r) => !byKey.has(key(r.documentId, r.recipient)))
    if (known.length > 0) {
      const found = await tx.select().from(items)
        .where(or(...known.map((r) => and(eq(items.documentId, r.documentId), eq(items.recipient, r.recipient)))))
      for (const i of found) byKey.set(key(i.documentId, i.recipient), i)
    }
    const arrived = [...new Map(rows.map((r) => {
      const item = byKey.get(key(r.documentId, r.recipient))!
      return [item.id, item]
    })).values()]
    const at = new Date()
    const ids = sql.param(arrived.map((i) => i.id))
    await tx.execute(sql`
      insert into ${steps} (item_id, work_file_id, code, channel, at, receipt)
      select item_id, item_id, '01', 'online', ${at.toISOString()}::timestamptz, receipt::jsonb
      from unnest(${ids}::text[]::uuid[], ${sql.param(arrived.map((i) => JSON.stringify(receiptOf(i, { code: '01', channel: 'online', at }))))}::text[]) as t(item_id, receipt)
      on conflict do nothing`)
    const stepOf = new Map((await tx.select().from(steps).where(and(sql`${steps.itemId} = any(${ids}::text[]::uuid[])`, eq(steps.code, '01')))).map((s) => [s.itemId, s]))
    const fresh = arrived.filter((i) => created.has(i.id))
    recorded = await outbox.record(tx, [...fresh.map((i) => arrivedEvent(i, dueOf(i))), ...await joinResponses(tx, fresh)])
    return rows.map((r) => {
      const item = byKey.get(key(r.documentId, r.recipient))!
      // the second of the same delivery in one call found it there, as a redelivery would
      const first = created.delete(item.id)
      return { item, step: stepOf.get(item.id)!, created: first }
    })
  })
  outbox.publish(recorded)
  return stored
}

function arrivedEvent (item: ItemRow, dueAt: Date | null): NewEvent {
  return {
    type: 'item.arrived',
    agency: item.recipient,
    at: item.receivedAt.toISOString(),
    itemId: item.id,
    workFileId: item.id,
    documentId: item.documentId,
    sender: item.sender,
    priority: item.priority,
    subject: item.subject,
    signaturesValid: item.signaturesValid,
    dueAt: dueAt?.toISOString() ?? null
  }
}

/**
 * A new arrival that answers (`responseFor`) a document its sender received: the answer joins the
 * sender's work file of that document, once, however many recipients the answer has.
 */
async function joinResponses (tx: Db, fresh: ItemRow[]): Promise<NewEvent[]> {
  const answers = fresh.flatMap((i) => {
    const responseFor = (i.fields as { responseFor?: string }).responseFor
    return responseFor === undefined ? [] : [{ sender: i.sender, responseFor, documentId: i.documentId }]
  })
  if (answers.length === 0) return []
  const joined = await tx.execute<{ work_file_id: string, document_id: string, agency: string, added_at: string }>(sql`
    with answered as (
      insert into ${workFileDocuments} (work_file_id, document_id, role)
      select distinct i.id, t.document_id, 'response'
      from unnest(${sql.param(answers.map((a) => a.sender))}::text[], ${sql.param(answers.map((a) => a.responseFor))}::text[], ${sql.param(answers.map((a) => a.documentId))}::text[])
        as t(sender, response_for, document_id)
      join ${items} i on i.recipient = t.sender and i.document_id = t.response_for
      on conflict do nothing
      returning work_file_id, document_id, added_at
    )
    select a.work_file_id, a.document_id, i.recipient as agency, a.added_at from answered a join ${items} i on i.id = a.work_file_id`)
  return joined.map((j) => ({
    type: 'work-file.document',
    agency: j.agency,
    at: new Date(j.added_at).toISOString(),
    workFileId: j.work_file_id,
    documentId: j.document_id,
    role: 'response',
    channel: 'online'
  }))
}

/** The item, locked for the rest of the transaction, if it is in this agency's inbox. */
export async function lockItem (tx: Db, id: string, agency: string): Promise<ItemRow | undefined> {
  const rows = await tx.select().from(items).where(and(eq(items.id, id), eq(items.recipient, agency))).for('update')
  return rows[0]
}

/** The item if it is in this agency's inbox, unlocked. */
export async function findItem (db: Db, id: string, agency: string): Promise<ItemRow | undefined> {
  const rows = await db.select().from(items).where(and(eq(items.id, id), eq(items.recipient, agency)))
  return rows[0]
}

/** The row of a step of an item as its signed receipt says it happened (its work file shares the item's id). */
export function stepRowOf (item: Pick<ItemRow, 'id'>, receipt: Receipt, signature: string): typeof steps.$inferInsert {
  return {
    itemId: item.id,
    workFileId: item.id,
    code: receipt.code,
    channel: receipt.channel,
    at: new Date(receipt.at),
    note: receipt.note,
    official: receipt.official ?? null,
    receipt,
    signature
  }
}

export async function insertStep (tx: Db, item: ItemRow, receipt: Receipt, signature: string): Promise<StepRow> {
  const rows = await tx.insert(steps).values(stepRowOf(item, receipt, signature)).returning()
  return rows[0]!
}

/** Keeps the agency's signature of a step's receipt; only a step still without one takes it. */
export async function saveSignature (db: Db, stepId: number, signature: string): Promise<StepRow | undefined> {
  const rows = await db.update(steps).set({ signature, awaitingSignature: false })
    .where(and(eq(steps.id, stepId), isNull(steps.signature))).returning()
  return rows[0]
}

/** The agency signs for itself: the step waits for its DMS rather than for the signatures service. */
export async function markAwaitingSignature (db: Db, stepId: number): Promise<void> {
  await db.update(steps).set({ awaitingSignature: true }).where(and(eq(steps.id, stepId), isNull(steps.signature)))
}

/**
 * An agency's keys changed (a custody key registered, a DMS key added): its steps waiting for a
 * signature are tried with the signatures service again by the next outbox sweep, their receipts
 * dated now, since a key registered after the step cannot speak for the step's own time.
 */
export async function reawakenUnsignedSteps (db: Db, agency: string, now = new Date()): Promise<number> {
  const rows = await db.update(steps).set({ awaitingSignature: false, receipt: sql`jsonb_set(${steps.receipt}, '{at}', to_jsonb(${now.toISOString()}::text))` })
    .where(and(eq(steps.awaitingSignature, true), isNull(steps.signature), inArray(steps.itemId, db.select({ id: items.id }).from(items).where(eq(items.recipient, agency)))))
    .returning({ id: steps.id })
  return rows.length
}

/** Replaces the receipt of a step still unsigned, e.g. with the time its DMS acknowledged it. */
export async function redateReceipt (db: Db, stepId: number, receipt: Receipt): Promise<void> {
  await db.update(steps).set({ receipt }).where(and(eq(steps.id, stepId), isNull(steps.signature)))
}

/**
 * Marks steps whose status message JetStream acknowledged, and tells each sender with a
 * `document.status` event in the same transaction: a step marked twice (a redelivery, the sweeper)
 * is told once.
 */
export async function markStepsPublished (db: Db, outbox: EventOutbox, stepIds: number[]): Promise<void> {
  let recorded: InboxEvent[] = []
  await db.transaction(async (tx) => {
    const sent = await tx.execute<{ code: StatusCode, channel: 'online' | 'paper', at: string, sender: string, recipient: string, document_id: string, published_at: string }>(sql`
      with sent as (
        update ${steps} set published_at = now()
        where id = any(${sql.param(stepIds)}::bigint[]) and published_at is null
        returning item_id, code, channel, at, published_at
      )
      select s.code, s.channel, s.at, s.published_at, i.sender, i.recipient, i.document_id from sent s join ${items} i on i.id = s.item_id`)
    recorded = await outbox.record(tx, sent.map((s) => ({
      type: 'document.status',
      agency: s.sender,
      at: new Date(s.published_at).toISOString(),
      documentId: s.document_id,
      recipient: s.recipient,
      code: s.code,
      channel: s.channel,
      stepAt: new Date(s.at).toISOString()
    })))
  })
  outbox.publish(recorded)
}

export async function getItem (db: Db, id: string, agency: string): Promise<{ item: ItemRow, steps: StepRow[] } | undefined> {
  const item = await findItem(db, id, agency)
  if (item === undefined) return undefined
  return { item, steps: await db.select().from(steps).where(eq(steps.itemId, id)).orderBy(asc(steps.id)) }
}

/** A step of an item by its code (each code happens once per item). */
export async function findStep (db: Db, itemId: string, code: StatusCode): Promise<StepRow | undefined> {
  const rows = await db.select().from(steps).where(and(eq(steps.itemId, itemId), eq(steps.code, code)))
  return rows[0]
}

/**
 * Steps whose status message JetStream has not acknowledged, with their items: signed ones to
 * publish, and unsigned ones still to ask the signatures service about (not those waiting for a DMS).
 */
export async function unpublishedSteps (db: Db, olderThanMs: number, limit = 500): Promise<{ item: ItemRow, step: StepRow }[]> {
  return await db.select({ item: items, step: steps }).from(steps)
    .innerJoin(items, eq(items.id, steps.itemId))
    .where(and(isNull(steps.publishedAt), isNotNull(steps.itemId), eq(steps.awaitingSignature, false), lt(steps.at, sql`now() - make_interval(secs => ${olderThanMs / 1000})`)))
    .orderBy(asc(steps.at)).limit(limit)
}
