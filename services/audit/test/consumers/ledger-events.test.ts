// The ledger consumer against a real nats-server that goes away and comes back: every event is
// recorded once, in one unbroken chain, and the consumer goes on by itself.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { connect } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { eventsNats } from '../../../../test/harness/test-nats.ts'
import { quietLog } from '../../../../test/harness/migrated-database.ts'
import { startLedgerConsumer } from '../../src/consumers/ledger-events.ts'
import { ledgerHead } from '../../src/domain/ledger-append.ts'
import { verifyLedger } from '../../src/domain/ledger-verify.ts'
import { auditDatabase } from '../fixtures/db.ts'

const sql = await auditDatabase(t)
const { nats, nc } = await eventsNats(t)
const noSignatures = { checkOne: () => { throw new Error('no checkpoint expected') } }

async function waitFor (what: string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function publish (n: number, body: (id: string) => string = (id) => JSON.stringify({ id, type: 'document.sent', agency: '000.00.31.H38', level: 'district', at: new Date().toISOString() })): Promise<string[]> {
  const nc = await connect({ servers: nats.url })
  const js = jetstream(nc)
  const ids = Array.from({ length: n }, () => randomUUID())
  await Promise.all(ids.map(async (id) => await js.publish('events.H38.31.00.000.routing', body(id), { msgID: id })))
  await nc.close()
  return ids
}

t.test('events published while NATS goes away and comes back are each recorded once, the chain unbroken', async (t) => {
  const appended: number[] = []
  const consumer = await startLedgerConsumer(nc, sql, { batch: 100, ackWaitMs: 2_000, log: quietLog, onAppended: (_head, n) => { appended.push(n) } })
  t.teardown(async () => { await consumer.stop() })

  await publish(500)
  await waitFor('the first 500 events', async () => (await ledgerHead(sql)).seq === 500)
  await nats.stop()
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  await nats.start()
  await publish(300)
  await publish(1, () => 'not JSON at all')
  await waitFor('all 801 events after the outage', async () => (await ledgerHead(sql)).seq === 801, 60_000)
  await new Promise((resolve) => setTimeout(resolve, 2_500))
  t.equal((await ledgerHead(sql)).seq, 801, 'nothing recorded twice after ack waits passed')
  const v = await verifyLedger(sql, noSignatures)
  t.match(v, { ok: true, entries: 801 })
  const [odd] = await sql<[{ type: string, body: string }]>`select type, body from audit.ledger where event_id like 'stream:%'`
  t.match(odd, { type: 'unknown' }, 'an unreadable event is still recorded, under its stream position')
  t.match(JSON.parse(odd!.body), { unreadable: Buffer.from('not JSON at all').toString('base64') })
  t.equal(appended.reduce((a, b) => a + b, 0), 801)
})
