import t from 'tap'
import { startStack, type TestStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { dmsKey, registerKey, signReceipt } from '../harness/dms-keys.ts'
import type { Receipt } from '@lienthong/contracts'

const PROVINCE = '000.00.00.H38'
const D = (n: number): string => `000.00.${n}.H38`
/** a village: not in the signatures service's custody, its DMS signs its own receipts */
const VILLAGE = '001.01.31.H38'

interface History { code: string, at: string, note: string | null }
interface Recipient { recipient: string, status: string, at: string | null, history: History[], recall: { requestedAt: string, answer: string | null, answeredAt: string | null, sent: boolean } | null }

function doc (number: string, to: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { to, document: { number, notation: 'UBND-VP', type: 'Công văn', subject: `Văn bản số ${number}`, issuedAt: '2026-11-26', ...extra } }
}

t.test('delivery state, recall, update and replacement across routing and inbox', async (t) => {
  const stack = await startStack(t)
  const province = await stack.tokenFor(PROVINCE)
  const tokens = new Map<string, string>()
  for (const code of [...[31, 32, 33, 34, 35, 36].map(D), VILLAGE]) tokens.set(code, await stack.tokenFor(code))
  const tok = (code: string): string => tokens.get(code)!

  const send = async (body: Record<string, unknown>, token = province): Promise<string> => {
    const sent = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: body })
    t.equal(sent.status, 202, `sent ${sent.body.id ?? JSON.stringify(sent.body)}`)
    return sent.body.id
  }
  const docUrl = (id: string): string => `${stack.routing.url}/v1/documents/${encodeURIComponent(id)}`
  const view = async (id: string): Promise<any> => (await request('GET', docUrl(id), { token: province })).body
  const recipientOf = async (id: string, code: string): Promise<Recipient> => (await view(id)).recipients.find((r: Recipient) => r.recipient === code)
  const senderSees = async (id: string, code: string, status: string): Promise<Recipient> => await eventually(async () => {
    const r = await recipientOf(id, code)
    return r?.status === status ? r : undefined
  }, 15_000, `${code} at ${status} for the sender`)
  const itemOf = async (stk: TestStack, code: string, id: string): Promise<any> => await eventually(async () => {
    const list = await request('GET', `${stk.inbox.url}/v1/inbox`, { token: tok(code) })
    return list.body.items?.find((i: { documentId: string }) => i.documentId === id)
  }, 15_000, `${id} in the inbox of ${code}`)
  const step = async (code: string, itemId: string, body: Record<string, unknown>): Promise<any> =>
    await request('POST', `${stack.inbox.url}/v1/inbox/${itemId}/status`, { token: tok(code), json: body })
  // Without a body: every recipient.
  const recall = async (id: string, body?: Record<string, unknown>, token = province): Promise<any> =>
    await request('POST', `${docUrl(id)}/recall`, { token, json: body })
  const codes = (r: Recipient): string[] => r.history.map((h) => h.code)

  const first = await send(doc('101', [D(31), D(32)]))

  await t.test('each recipient\u2019s state with its times: queued, then 01, then 03', async (t) => {
    // Right after the send a recipient is queued (no time, no history) or its 01 is already back.
    for (const r of (await view(first)).recipients as Recipient[]) {
      if (r.status === 'queued') t.same([r.at, r.history], [null, []], `${r.recipient} queued`)
      else t.equal(r.status, '01')
    }
    const arrived = await senderSees(first, D(31), '01')
    t.equal(arrived.at, arrived.history[0]!.at, 'the current status carries the time of its step')
    t.equal(arrived.recall, null)
    await senderSees(first, D(32), '01')
    const item = await itemOf(stack, D(31), first)
    t.equal((await step(D(31), item.id, { code: '03' })).status, 200)
    const accepted = await senderSees(first, D(31), '03')
    t.same(codes(accepted), ['01', '03'])
    t.ok(Date.parse(accepted.history[1]!.at) >= Date.parse(accepted.history[0]!.at), 'times in order')
    t.equal(accepted.at, accepted.history[1]!.at)
    t.equal((await recipientOf(first, D(32))).status, '01', 'the other recipient keeps its own state')
  })

  await t.test('a recall before acceptance withdraws the item at once; the sender sees 13 and 15', async (t) => {
    const id = await send(doc('102', [D(33)]))
    const item = await itemOf(stack, D(33), id)
    t.equal(item.withdrawn, false)
    t.equal(item.recall, null)
    const answer = await recall(id, { note: 'Ban hành nhầm' })
    t.equal(answer.status, 202)
    t.equal(answer.body.recalled.length, 1)
    t.match(answer.body.recalled[0], { recipient: D(33), note: 'Ban hành nhầm', repeat: false })
    t.same(answer.body.notRecalled, [])

    const withdrawn = await eventually(async () => {
      const list = await request('GET', `${stack.inbox.url}/v1/inbox`, { token: tok(D(33)) })
      const it = list.body.items.find((i: { id: string }) => i.id === item.id)
      return it?.withdrawn === true ? it : undefined
    }, 15_000, 'the item withdrawn in the list')
    t.equal(withdrawn.state, '01', 'the work state is left as it was')
    t.match(withdrawn.recall, { requestedAt: answer.body.recalled[0].requestedAt, note: 'Ban hành nhầm', answer: '15' })
    const detail = await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: tok(D(33)) })
    t.equal(detail.body.withdrawn, true)
    const agreed = detail.body.steps.find((s: { code: string }) => s.code === '15')
    t.ok(agreed?.signature, 'the 15 is signed for the recipient (custody)')

    const seen = await senderSees(id, D(33), '15')
    t.same(codes(seen), ['01', '13', '15'])
    t.equal(seen.history[1]!.at, answer.body.recalled[0].requestedAt, 'the 13 carries the time of the request')
    t.equal(seen.history[1]!.note, 'Ban hành nhầm')
    t.match(seen.recall, { answer: '15', sent: true })
    const receipts = await request('GET', `${docUrl(id)}/receipts`, { token: province })
    t.same(receipts.body.receipts.map((r: { code: string, verification: { valid: boolean } }) => [r.code, r.verification.valid]), [['01', true], ['15', true]], 'the recipient\u2019s signed receipts: 01 and 15 (the 13 is the sender\u2019s own)')

    const blocked = await step(D(33), item.id, { code: '03' })
    t.equal(blocked.status, 409)
    t.equal(blocked.body.code, 'INB_ITEM_WITHDRAWN')

    const again = await recall(id, { note: 'lần hai' })
    t.equal(again.status, 202, 'a second recall is answered from the first')
    t.match(again.body.recalled[0], { recipient: D(33), requestedAt: answer.body.recalled[0].requestedAt, note: 'Ban hành nhầm', answer: '15', repeat: true })
    const rows = await stack.sql`select count(*)::int as n from routing.delivery_statuses where document_id = ${id} and code = '13'`
    t.equal(rows[0]!.n, 1, 'one 13 however often it is asked')
  })

  await t.test('a recall after acceptance waits for the DMS: 16 resumes the work, 15 withdraws', async (t) => {
    const id = await send(doc('103', [D(34), D(35)]))
    const a = await itemOf(stack, D(34), id)
    const b = await itemOf(stack, D(35), id)
    t.equal((await step(D(34), a.id, { code: '03' })).status, 200)
    t.equal((await step(D(34), a.id, { code: '04' })).status, 200)
    t.equal((await step(D(35), b.id, { code: '03' })).status, 200)
    await senderSees(id, D(34), '04')
    await senderSees(id, D(35), '03')

    const answer = await recall(id)
    t.equal(answer.status, 202)
    t.same(answer.body.recalled.map((r: { recipient: string, answer: string | null }) => [r.recipient, r.answer]), [[D(34), null], [D(35), null]])
    const pending = await eventually(async () => {
      const d = await request('GET', `${stack.inbox.url}/v1/inbox/${a.id}`, { token: tok(D(34)) })
      return d.body.recall !== null ? d.body : undefined
    }, 15_000, 'the recall in the accepted item')
    t.equal(pending.withdrawn, false)
    t.equal(pending.recall.answer, null)
    t.equal(pending.state, '04')

    const paused = await step(D(34), a.id, { code: '05' })
    t.equal(paused.status, 409, 'the work waits for the answer')
    t.equal(paused.body.code, 'INB_TRANSITION_NOT_ALLOWED')
    t.same(paused.body.allowed, ['15', '16'])

    const refused = await step(D(34), a.id, { code: '16', note: 'Đã triển khai' })
    t.equal(refused.status, 200)
    t.equal(refused.body.state, '04', 'the work state is kept')
    t.match(refused.body.recall, { answer: '16' })
    t.equal(refused.body.withdrawn, false)
    t.equal((await step(D(34), a.id, { code: '16' })).status, 409, 'a recall is answered once')
    t.equal((await step(D(34), a.id, { code: '06' })).status, 200, 'the work goes on from 04')

    await eventually(async () => {
      const b2 = await request('GET', `${stack.inbox.url}/v1/inbox/${b.id}`, { token: tok(D(35)) })
      return b2.body.recall !== null ? true : undefined
    }, 15_000, 'the recall in the other recipient\u2019s item')
    const agreed = await step(D(35), b.id, { code: '15' })
    t.equal(agreed.status, 200)
    t.equal(agreed.body.withdrawn, true)
    t.equal(agreed.body.state, '03')
    const after = await step(D(35), b.id, { code: '04' })
    t.equal(after.status, 409)
    t.equal(after.body.code, 'INB_ITEM_WITHDRAWN')

    const done = await senderSees(id, D(34), '06')
    t.same(codes(done), ['01', '03', '04', '13', '16', '06'])
    t.match(done.recall, { answer: '16' })
    const back = await senderSees(id, D(35), '15')
    t.same(codes(back), ['01', '03', '13', '15'])
  })

  await t.test('a recipient whose DMS signs for itself: the automatic 15 waits for its signature', async (t) => {
    const seal = dmsKey(VILLAGE, 'agency', 'thon-seal')
    await registerKey(stack.registry.url, await stack.adminToken(), seal, { notBefore: new Date(Date.now() - 60_000).toISOString() })
    const id = await send(doc('110', [VILLAGE]))
    const item = await itemOf(stack, VILLAGE, id)
    t.equal((await recall(id)).status, 202)
    const agreed = await eventually(async () => {
      const d = await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: tok(VILLAGE) })
      // The 15 is recorded first, then found to have no custody key: only then does it wait for the DMS.
      const step = d.body.withdrawn === true ? d.body.steps.find((s: { code: string }) => s.code === '15') : undefined
      return step?.awaitingSignature === true ? step : undefined
    }, 15_000, 'the village item withdrawn, its 15 waiting for the DMS')
    t.match(agreed, { signature: null, awaitingSignature: true, sent: false }, 'withdrawn at once, its 15 not sent unsigned')
    t.same(codes(await recipientOf(id, VILLAGE)), ['13'], 'the sender has the 13 only')
    // The inbox's key mirror may lag the registry by a moment.
    const signed = await eventually(async () => {
      const r = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/receipts`, { token: tok(VILLAGE), json: { code: '15', signature: signReceipt(agreed.receipt as Receipt, seal) } })
      return r.status === 200 ? r.body : undefined
    }, 10_000, 'the DMS\u2019s signature of the 15')
    t.equal(signed.step.sent, true)
    const seen = await senderSees(id, VILLAGE, '15')
    t.same(codes(seen), ['13', '15'])
  })

  await t.test('what cannot be recalled', async (t) => {
    const foreign = await recall(first, {}, tok(D(31)))
    t.equal(foreign.status, 404, 'a recipient cannot recall the sender\u2019s document')
    t.equal(foreign.body.code, 'RTE_DOCUMENT_NOT_FOUND')
    const missing = await recall('000.00.00.H38,2026/11/26,999/UBND-VP')
    t.equal(missing.status, 404)

    const stranger = await recall(first, { recipients: [D(39)] })
    t.equal(stranger.status, 409)
    t.equal(stranger.body.code, 'RTE_RECALL_NOT_ALLOWED')
    t.same(stranger.body.notRecalled, [{ recipient: D(39), reason: 'not_a_recipient' }])

    const id = await send(doc('104', [D(36)]))
    const item = await itemOf(stack, D(36), id)
    t.equal((await step(D(36), item.id, { code: '02', note: 'Không thuộc thẩm quyền' })).status, 200)
    await senderSees(id, D(36), '02')
    const refused = await recall(id)
    t.equal(refused.status, 409)
    t.same(refused.body.notRecalled, [{ recipient: D(36), reason: 'refused' }])
    const untouched = await stack.sql`select recall_requested_at from routing.deliveries where document_id = ${id}`
    t.equal(untouched[0]!.recall_requested_at, null, 'a refused recall stores nothing')

    // 15 or 16 with no recall to answer.
    const d31 = await itemOf(stack, D(31), first)
    const unasked = await step(D(31), d31.id, { code: '16' })
    t.equal(unasked.status, 409)
    t.equal(unasked.body.code, 'INB_TRANSITION_NOT_ALLOWED')
  })

  await t.test('an update and a replacement are linked to their original both ways', async (t) => {
    const update = await send(doc('105', [D(31)], { business: { type: 2, original: first, reason: 'Sửa thời hạn' } }))
    const replacement = await send(doc('106', [D(31), D(32)], { business: { type: 3, original: first } }))
    const original = await view(first)
    t.same(original.original, null)
    t.same(original.updates, [update])
    t.same(original.replacements, [replacement])
    t.same((await view(update)).original, { id: first, type: 2 })
    t.same((await view(replacement)).original, { id: first, type: 3 })
    t.same((await view(update)).updates, [])

    const firstItem = await itemOf(stack, D(31), first)
    const updItem = await itemOf(stack, D(31), update)
    t.same(updItem.original, { type: 2, documentId: first, reason: 'Sửa thời hạn', itemId: firstItem.id })
    const repItem = await itemOf(stack, D(32), replacement)
    t.equal(repItem.original.itemId, (await itemOf(stack, D(32), first)).id)
    const detail = await request('GET', `${stack.inbox.url}/v1/inbox/${firstItem.id}`, { token: tok(D(31)) })
    t.same(detail.body.updates, [{ documentId: update, itemId: updItem.id }])
    t.same(detail.body.replacements.map((r: { documentId: string }) => r.documentId), [replacement])
    t.equal(detail.body.original, null)
    t.equal(detail.body.withdrawn, false, 'a replacement leaves the original in place')
  })

  await t.test('an unknown original, or another sender\u2019s, is refused and nothing is stored', async (t) => {
    const ghost = doc('107', [D(31)], { business: { type: 3, original: '000.00.00.H38,2026/01/02,1/UBND-VP' } })
    const refused = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: ghost })
    t.equal(refused.status, 422)
    t.equal(refused.body.code, 'RTE_ORIGINAL_NOT_FOUND')
    const theirs = await request('POST', `${stack.routing.url}/v1/documents`, { token: tok(D(31)), json: doc('108', [PROVINCE], { business: { type: 2, original: first } }) })
    t.equal(theirs.status, 422, 'an agency cannot update another agency\u2019s document')
    t.equal(theirs.body.code, 'RTE_ORIGINAL_NOT_FOUND')
    const stored = await stack.sql`select count(*)::int as n from routing.documents where number in ('107', '108')`
    t.equal(stored[0]!.n, 0, 'nothing stored, so nothing published')
  })
})
