import t from 'tap'
import { buildEnvelope, type DeliveryMessage } from '@lienthong/contracts'
import type { EnvelopeCheck } from '@lienthong/platform'
import { storeArrivals } from '../../src/domain/item-store.ts'
import { migratedDatabase, recordingOutbox } from '../fixtures/db.ts'

const { db, sql } = await migratedDatabase(t)
const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const COMMUNE = '000.01.31.H38'
const outbox = recordingOutbox(db, { [PROVINCE]: 'province', [DISTRICT]: 'district', [COMMUNE]: 'commune' })
const check: EnvelopeCheck = { valid: true, digest: 'd'.repeat(64), findings: [] }

function delivery (sender: string, recipient: string, number: string, extra: Record<string, unknown> = {}): DeliveryMessage {
  const envelope = buildEnvelope({
    sender, to: [recipient], signedAt: '2026-11-26T08:00:00.000Z',
    document: { number, notation: 'UBND-VP', type: 'Công văn', subject: `Văn bản ${number}`, issuedAt: '2026-11-26', ...extra }
  })
  return { documentId: envelope.id, recipient, recipients: [recipient], recipientCount: 1, sentAt: envelope.signedAt, envelope, signatures: { signer: 'a..b', agency: 'c..d' } }
}

t.test('each new arrival opens its work file and is told once', async (t) => {
  const d = delivery(PROVINCE, DISTRICT, '1', { dueDate: '2026-12-01' })
  const [first] = await storeArrivals(db, outbox, [{ delivery: d, check }])
  const [again] = await storeArrivals(db, outbox, [{ delivery: d, check }])
  t.equal(again!.created, false)
  const files = await sql`select * from inbox.work_files where agency = ${DISTRICT}`
  t.equal(files.length, 1, 'a redelivery opens nothing more')
  t.match(files[0], { id: first!.item.id, item_id: first!.item.id, origin: 'exchange', state: '01', title: 'Văn bản 1', closed_at: null, paper: false })
  t.equal(new Date(files[0]!.due_at).toISOString(), '2026-12-01T16:59:59.999Z')
  t.equal(new Date(files[0]!.opened_at).getTime(), first!.item.receivedAt.getTime())
  const [step] = await sql`select work_file_id from inbox.steps where item_id = ${first!.item.id}`
  t.equal(step!.work_file_id, first!.item.id, 'the 01 step belongs to the work file')
  const told = await sql`select body from inbox.events where body->>'type' = 'item.arrived'`
  t.equal(told.length, 1)
  t.match(told[0]!.body, { agency: DISTRICT, level: 'district', itemId: first!.item.id, workFileId: first!.item.id, sender: PROVINCE, signaturesValid: true, dueAt: '2026-12-01T16:59:59.999Z' })
})

t.test('an answer joins the work file of the document it answers, once', async (t) => {
  const asked = delivery(PROVINCE, COMMUNE, '2')
  const [received] = await storeArrivals(db, outbox, [{ delivery: asked, check }])
  // the commune answers the province and copies the district: two deliveries of one answer
  const answerToProvince = delivery(COMMUNE, PROVINCE, '9', { responseFor: asked.documentId })
  const answerToDistrict = { ...answerToProvince, recipient: DISTRICT }
  await storeArrivals(db, outbox, [{ delivery: answerToProvince, check }])
  await storeArrivals(db, outbox, [{ delivery: answerToDistrict, check }, { delivery: answerToProvince, check }])
  const joined = await sql`select work_file_id, document_id, role from inbox.work_file_documents`
  t.same(joined.map((j) => [j.work_file_id, j.document_id, j.role]), [[received!.item.id, answerToProvince.documentId, 'response']])
  const told = await sql`select body from inbox.events where body->>'type' = 'work-file.document'`
  t.equal(told.length, 1, 'told once')
  t.match(told[0]!.body, { agency: COMMUNE, level: 'commune', workFileId: received!.item.id, documentId: answerToProvince.documentId, role: 'response' })
  const stranger = delivery(DISTRICT, PROVINCE, '10', { responseFor: asked.documentId })
  await storeArrivals(db, outbox, [{ delivery: stranger, check }])
  t.equal((await sql`select count(*)::int as n from inbox.work_file_documents`)[0]!.n, 1, 'an answer to a document its sender never received joins nothing')
})
