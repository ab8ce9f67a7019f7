import { randomUUID } from 'node:crypto'
import t from 'tap'
import { appendToLedger, ledgerHead, type IncomingEvent } from '../../src/domain/ledger-append.ts'
import { GENESIS_HASH, entryHash } from '../../src/domain/ledger-entry.ts'
import { verifyLedger } from '../../src/domain/ledger-verify.ts'
import { auditDatabase } from '../fixtures/db.ts'

const sql = await auditDatabase(t)
// No checkpoints in these tests: the signature check is never reached.
const noSignatures = { checkOne: () => { throw new Error('no checkpoint expected') } }

function event (type = 'document.sent'): IncomingEvent {
  const id = randomUUID()
  const event = { id, type, agency: '000.00.31.H38', level: 'district', at: new Date().toISOString(), note: 'Công văn số 12/UBND-VP' }
  return { subject: 'events.H38.31.00.000.routing', eventId: id, type, body: JSON.stringify(event), event }
}

t.test('entries chain: each carries the previous hash and the hash of its canonical form', async (t) => {
  const batch = [event(), event(), event()]
  const { head, appended } = await appendToLedger(sql, batch)
  t.equal(appended, 3)
  const rows = await sql<Array<{ seq: string, event_id: string, subject: string, body: string, prev: string, hash: string }>>`select * from audit.ledger order by seq`
  t.same(rows.map((r) => Number(r.seq)), [1, 2, 3])
  t.equal(rows[0]!.prev, GENESIS_HASH)
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!
    t.equal(r.hash, entryHash({ seq: Number(r.seq), eventId: r.event_id, subject: r.subject, body: r.body, prev: r.prev }))
    if (i > 0) t.equal(r.prev, rows[i - 1]!.hash)
  }
  t.same(head, { seq: 3, hash: rows[2]!.hash })
  t.same(await ledgerHead(sql), head)
})

t.test('an event comes once however often it is delivered, in a batch or across batches', async (t) => {
  const e = event()
  const first = await appendToLedger(sql, [e, e, event()])
  t.equal(first.appended, 2)
  const again = await appendToLedger(sql, [e])
  t.equal(again.appended, 0)
  t.same(again.head, first.head)
  const [{ n }] = await sql<[{ n: number }]>`select count(*)::int as n from audit.ledger where event_id = ${e.eventId}`
  t.equal(n, 1)
})

t.test('two writers at once extend one chain without a gap or a fork', async (t) => {
  await Promise.all(Array.from({ length: 8 }, async () => await appendToLedger(sql, Array.from({ length: 50 }, () => event()))))
  const v = await verifyLedger(sql, noSignatures)
  t.equal(v.ok, true)
  t.equal(v.entries, 405)
  t.equal(v.lastSeq, 405)
})

t.test('verify points at the first broken entry: altered, chain rewritten, missing', async (t) => {
  t.match(await verifyLedger(sql, noSignatures), { ok: true, firstBroken: null })
  const [victim] = await sql<[{ event_id: string }]>`select event_id from audit.ledger where seq = 100`
  await sql`update audit.ledger set body = replace(body, 'số 12/UBND-VP', 'số 13/UBND-VP') where seq = 100`
  t.match(await verifyLedger(sql, noSignatures), { ok: false, entries: 405, firstBroken: { seq: 100, eventId: victim!.event_id, reason: 'entry_altered' } })

  // Whoever also recomputes the altered entry's hash breaks the link to the next one instead.
  const [row] = await sql<[{ seq: string, event_id: string, subject: string, body: string, prev: string }]>`select seq, event_id, subject, body, prev from audit.ledger where seq = 100`
  await sql`update audit.ledger set hash = ${entryHash({ seq: 100, eventId: row!.event_id, subject: row!.subject, body: row!.body, prev: row!.prev })} where seq = 100`
  t.match(await verifyLedger(sql, noSignatures), { ok: false, firstBroken: { seq: 101, reason: 'chain_broken' } })

  await sql`delete from audit.ledger where seq = 50`
  t.match(await verifyLedger(sql, noSignatures), { ok: false, firstBroken: { seq: 50, reason: 'entry_missing' } })
})
