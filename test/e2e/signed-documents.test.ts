import t from 'tap'
import { jetstream } from '@nats-io/jetstream'
import { statusSubject, type Receipt } from '@lienthong/contracts'
// by file, not the packages' indexes, which load the whole service framework and CLI (see test/harness/stack.ts)
import { connectNats } from '../../packages/platform/src/nats.ts'
import { enrollCustody } from '../../packages/cli/src/custody-enrolment.ts'
import { laocaiAboveVillages, startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { dmsKey, registerKey, signReceipt, signRequest } from '../harness/dms-keys.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const OTHER_DISTRICT = '000.00.32.H38'

const document = { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc triển khai chuyển đổi số năm 2026', issuedAt: '2026-11-26' }

t.test('custody: the smallest request is signed for the sender, checked on arrival, and every receipt comes back signed', async (t) => {
  const stack = await startStack(t, { agencies: laocaiAboveVillages() })
  const province = await stack.tokenFor(PROVINCE)
  const district = await stack.tokenFor(DISTRICT)

  const sent = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { to: [DISTRICT], document } })
  t.equal(sent.status, 202)

  const item = await eventually(async () => {
    const list = await request('GET', `${stack.inbox.url}/v1/inbox`, { token: district })
    return list.body.items?.[0]
  }, 15_000, 'the document in the district inbox')
  const detail = (await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: district })).body
  t.equal(detail.signatures.validOnArrival, true, 'both signatures verified on arrival')
  t.equal(detail.signatures.validToday, true, 'and still verify today')
  t.same(detail.signatures.today.map((f: { role: string }) => f.role), ['signer', 'agency'])
  for (const f of detail.signatures.today) {
    t.equal(f.agency, PROVINCE, `the ${f.role} signature speaks for the sender`)
    t.match(f.kid, /^[A-Za-z0-9_-]+$/, 'with a named key')
    t.equal(f.alg, 'EdDSA')
  }
  t.match(detail.signatures.envelopeDigest, /^[0-9a-f]{64}$/)

  const accepted = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: district, json: { code: '03', note: 'Đã tiếp nhận' } })
  t.equal(accepted.status, 200)
  t.match(accepted.body.step.signature, /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/, 'the step carries the agency signature of its receipt')

  const receiptsUrl = `${stack.routing.url}/v1/documents/${encodeURIComponent(sent.body.id)}/receipts`
  const proofs = await eventually(async () => {
    const r = await request('GET', receiptsUrl, { token: province })
    return r.body.receipts?.length === 2 ? r.body : undefined
  }, 15_000, 'two receipts at the sender')
  t.equal(proofs.envelopeDigest, detail.signatures.envelopeDigest, 'sender and recipient hold the same envelope')
  t.same(proofs.receipts.map((r: { code: string }) => r.code), ['01', '03'])
  for (const r of proofs.receipts) {
    t.equal(r.recipient, DISTRICT)
    t.equal(r.verification.valid, true, `receipt ${r.code} verifies`)
    t.equal(r.verification.agency, DISTRICT, 'signed by the recipient agency')
    t.equal(r.matchesEnvelope, true, `receipt ${r.code} names the envelope the sender signed`)
    t.equal(r.receipt.type, 'lienthong.receipt')
  }
  t.equal(proofs.receipts[1].receipt.note, 'Đã tiếp nhận')
  t.same(proofs.signatures.map((f: { valid: boolean }) => f.valid), [true, true])

  // Anyone with a token can check the evidence with the signatures service, as of now.
  const verify = `${stack.signatures.url}/v1/signatures/verify`
  const envelopeCheck = await request('POST', verify, { token: district, json: { envelope: detail.envelope, signatures: detail.signatures.jws } })
  t.equal(envelopeCheck.status, 200)
  t.equal(envelopeCheck.body.valid, true)
  t.equal(envelopeCheck.body.digest, detail.signatures.envelopeDigest)
  const tampered = await request('POST', verify, { token: district, json: { envelope: { ...detail.envelope, document: { ...detail.envelope.document, subject: 'Khác' } }, signatures: detail.signatures.jws } })
  t.equal(tampered.body.valid, false)
  t.same(tampered.body.findings.map((f: { reason: string }) => f.reason), ['bad_signature', 'bad_signature'])
  const smuggled = await request('POST', verify, { token: district, json: { envelope: { ...detail.envelope, document: { ...detail.envelope.document, note: 'not signed' } }, signatures: detail.signatures.jws } })
  t.equal(smuggled.body.valid, false, 'an unsigned member is not dropped before the check')
  const receiptCheck = await request('POST', verify, { token: province, json: { receipt: proofs.receipts[0].receipt, signature: proofs.receipts[0].signature } })
  t.equal(receiptCheck.body.valid, true)
  t.equal(receiptCheck.body.findings[0].agency, DISTRICT)
  const forged = await request('POST', verify, { token: province, json: { receipt: { ...proofs.receipts[0].receipt, code: '06' }, signature: proofs.receipts[0].signature } })
  t.equal(forged.body.valid, false, 'a receipt changed to say 06 does not verify')
  const anonymous = await request('POST', verify, { json: { receipt: proofs.receipts[0].receipt, signature: proofs.receipts[0].signature } })
  t.equal(anonymous.status, 401)
  t.equal(anonymous.body.code, 'SIG_UNAUTHORIZED')
  const nonsense = await request('POST', verify, { token: province, json: { receipt: { hello: 1 }, signature: 'x' } })
  t.equal(nonsense.status, 400)
  t.equal(nonsense.body.code, 'SIG_VALIDATION_FAILED')

  // A status forged on the bus (the 03 receipt rewritten to 06, or one for a delivery that never
  // was) changes nothing the sender sees.
  const nc = await connectNats(stack.nats.url, 'forger')
  const js = jetstream(nc)
  const genuine = proofs.receipts[1]
  await js.publish(statusSubject(PROVINCE), JSON.stringify({ receipt: { ...genuine.receipt, code: '06' }, signature: genuine.signature }), { msgID: 'forged-06' })
  await js.publish(statusSubject(PROVINCE), JSON.stringify({ receipt: { ...genuine.receipt, recipient: OTHER_DISTRICT }, signature: genuine.signature }), { msgID: 'forged-other' })
  await js.publish(statusSubject(DISTRICT), JSON.stringify({ receipt: genuine.receipt, signature: genuine.signature }), { msgID: 'wrong-subject' })
  await nc.drain()
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const afterForgery = (await request('GET', `${stack.routing.url}/v1/documents/${encodeURIComponent(sent.body.id)}`, { token: province })).body
  t.same(afterForgery.recipients.map((r: { recipient: string, status: string }) => [r.recipient, r.status]), [[DISTRICT, '03']], 'the forged 06 was dropped')
  const [forgedRows] = await stack.sql`select count(*)::int as n from routing.delivery_statuses where code = '06' or recipient = ${OTHER_DISTRICT}`
  t.equal(forgedRows!.n, 0, 'nothing forged was recorded')

  // Another agency cannot read the proofs.
  const stranger = await request('GET', receiptsUrl, { token: district })
  t.equal(stranger.status, 404)
  t.equal(stranger.body.code, 'RTE_DOCUMENT_NOT_FOUND')
})

t.test('a DMS that signs for itself: its keys, its person, its receipts', async (t) => {
  // Neither the sender nor the recipient is in custody here: each DMS holds its own keys.
  const stack = await startStack(t, { agencies: laocaiAboveVillages(), custody: [OTHER_DISTRICT] })
  const admin = await stack.adminToken()
  const signer = dmsKey(PROVINCE, 'signer', 'chu-tich-2026')
  const seal = dmsKey(PROVINCE, 'agency', 'ubnd-seal-2026', 'p256')
  const recipientSeal = dmsKey(DISTRICT, 'agency', 'district-seal')
  await registerKey(stack.registry.url, admin, signer, { holder: 'Trịnh Xuân Trường, Chủ tịch UBND tỉnh' })
  await registerKey(stack.registry.url, admin, seal)
  // valid from a minute ago: the DMS below dates a receipt to the whole second
  await registerKey(stack.registry.url, admin, recipientSeal, { notBefore: new Date(Date.now() - 60_000).toISOString() })
  const province = await stack.tokenFor(PROVINCE)
  const district = await stack.tokenFor(DISTRICT)

  // Unsigned, and no custody: refused, nothing stored.
  const unsigned = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { to: [DISTRICT], document } })
  t.equal(unsigned.status, 422)
  t.equal(unsigned.body.code, 'RTE_SIGNATURE_REQUIRED')
  t.match(unsigned.type, /^application\/problem\+json/)

  const body = { to: [DISTRICT], document }
  // The mirrors see new keys within moments; retry until routing knows them.
  const sent = await eventually(async () => {
    const { signatures } = signRequest(PROVINCE, body, { signer, agency: seal })
    const r = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { ...body, signatures } })
    return r.status === 202 ? r : undefined
  }, 10_000, 'routing to accept the DMS-signed document')
  t.equal(sent.body.id, '000.00.00.H38,2026/11/26,12/UBND-VP')

  const item = await eventually(async () => (await request('GET', `${stack.inbox.url}/v1/inbox`, { token: district })).body.items?.[0], 15_000, 'arrival')
  // The item is there as soon as it is stored; whether its 01 waits for the DMS is known once the
  // signatures service has answered that it holds no key of the district, a moment later.
  const detail = await eventually(async () => {
    const d = (await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: district })).body
    return d.steps?.[0]?.awaitingSignature === true ? d : undefined
  }, 15_000, 'the arrival receipt waiting for the district’s DMS')
  t.equal(detail.signatures.validOnArrival, true)
  const [bySigner, byAgency] = detail.signatures.today
  t.equal(bySigner.kid, 'chu-tich-2026')
  t.equal(bySigner.holder, 'Trịnh Xuân Trường, Chủ tịch UBND tỉnh', 'who signed, as registered')
  t.equal(byAgency.kid, 'ubnd-seal-2026')
  t.equal(byAgency.alg, 'ES256')

  // The recipient is not in custody: its arrival receipt waits for its DMS.
  const [arrival] = detail.steps
  t.equal(arrival.code, '01')
  t.equal(arrival.signature, null)
  t.equal(arrival.awaitingSignature, true)
  t.equal(arrival.sent, false)
  const receiptsUrl = `${stack.routing.url}/v1/documents/${encodeURIComponent(sent.body.id)}/receipts`
  t.same((await request('GET', receiptsUrl, { token: province })).body.receipts, [], 'the sender has no unsigned receipt')

  // A receipt signed with the wrong key is refused; with the agency's key it goes out.
  const wrong = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/receipts`, { token: district, json: { code: '01', signature: signReceipt(arrival.receipt as Receipt, seal) } })
  t.equal(wrong.status, 422)
  t.equal(wrong.body.code, 'INB_SIGNATURE_INVALID')
  t.equal(wrong.body.reason, 'foreign_key', 'the province seal does not speak for the district')
  const signed = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/receipts`, { token: district, json: { code: '01', signature: signReceipt(arrival.receipt as Receipt, recipientSeal) } })
  t.equal(signed.status, 200)
  t.equal(signed.body.step.sent, true)
  const again = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/receipts`, { token: district, json: { code: '01', signature: signReceipt(arrival.receipt as Receipt, recipientSeal) } })
  t.equal(again.status, 409)
  t.equal(again.body.code, 'INB_RECEIPT_ALREADY_SIGNED')

  // A step without a signature is refused for an agency not in custody; with one it is recorded.
  const unsignedStep = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: district, json: { code: '03' } })
  t.equal(unsignedStep.status, 422)
  t.equal(unsignedStep.body.code, 'INB_SIGNATURE_REQUIRED')
  // Vietnam time, to the (next) second: the receipt carries `at` exactly as the DMS wrote and signed it.
  const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 7 * 3_600_000).toISOString().slice(0, 19) + '+07:00'
  const receipt: Receipt = { ...(arrival.receipt as Receipt), code: '03', channel: 'online', at }
  const badStep = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: district, json: { code: '03', at, signature: signReceipt({ ...receipt, code: '04' }, recipientSeal) } })
  t.equal(badStep.status, 422, 'a signature of another step does not pass')
  t.equal(badStep.body.reason, 'bad_signature')
  const goodStep = await request('POST', `${stack.inbox.url}/v1/inbox/${item.id}/status`, { token: district, json: { code: '03', at, signature: signReceipt(receipt, recipientSeal) } })
  t.equal(goodStep.status, 200)
  t.equal(goodStep.body.state, '03')
  t.equal(goodStep.body.step.receipt.at, at, 'the receipt keeps the DMS\u2019s own text of the time')

  const proofs = await eventually(async () => {
    const r = await request('GET', receiptsUrl, { token: province })
    return r.body.receipts?.length === 2 ? r.body : undefined
  }, 15_000, 'both receipts at the sender')
  t.same(proofs.receipts.map((r: { code: string, verification: { valid: boolean, kid: string } }) => [r.code, r.verification.valid, r.verification.kid]), [['01', true, 'district-seal'], ['03', true, 'district-seal']])

  // Two recipients with no keys at all when the next document arrives: their 01 waits. One is then
  // enrolled in custody, and its waiting receipt is signed without anyone asking; the other's DMS
  // registers a key only now, and signs the arrival dated when it acknowledges it.
  const LATE_DMS = '000.00.33.H38'
  const LATE_CUSTODY = '000.00.34.H38'
  const second = { to: [LATE_DMS, LATE_CUSTODY], document: { ...document, number: '14' } }
  const sent2 = await request('POST', `${stack.routing.url}/v1/documents`, { token: province, json: { ...second, signatures: signRequest(PROVINCE, second, { signer, agency: seal }).signatures } })
  t.equal(sent2.status, 202)
  const lateItem = await eventually(async () => {
    const [row] = await stack.sql`select i.id from inbox.items i join inbox.steps s on s.item_id = i.id where i.recipient = ${LATE_DMS} and s.awaiting_signature`
    return row
  }, 15_000, 'the arrival at the agency without keys, waiting')
  await enrollCustody({ signaturesUrl: stack.signatures.url, registryUrl: stack.registry.url, token: admin, agencies: [LATE_CUSTODY] })
  const receipts2 = `${stack.routing.url}/v1/documents/${encodeURIComponent(sent2.body.id)}/receipts`
  const custodyLate = await eventually(async () => {
    const r = (await request('GET', receipts2, { token: province })).body.receipts
    return r?.length === 1 ? r : undefined
  }, 15_000, 'the enrolled agency\u2019s 01 signed by custody and sent')
  t.same(custodyLate.map((r: { recipient: string, code: string, verification: { valid: boolean } }) => [r.recipient, r.code, r.verification.valid]), [[LATE_CUSTODY, '01', true]])
  const lateSeal = dmsKey(LATE_DMS, 'agency', 'late-seal')
  await registerKey(stack.registry.url, admin, lateSeal)
  const lateToken = await stack.tokenFor(LATE_DMS)
  // Its DMS signs the arrival dated when it acknowledges it (the key is newer than the arrival).
  const redated = await eventually(async () => {
    const pending = (await request('GET', `${stack.inbox.url}/v1/inbox/${String(lateItem.id)}`, { token: lateToken })).body.steps[0].receipt as Receipt
    const ackAt = new Date().toISOString()
    const r = await request('POST', `${stack.inbox.url}/v1/inbox/${String(lateItem.id)}/receipts`, { token: lateToken, json: { code: '01', at: ackAt, signature: signReceipt({ ...pending, at: ackAt }, lateSeal) } })
    return r.status === 200 ? { ...r, ackAt } : undefined
  }, 10_000, 'the new key in the inbox mirror')
  t.equal(redated.status, 200)
  t.equal(redated.body.step.receipt.at, redated.ackAt, 'the receipt is dated when the DMS acknowledged it')
  t.equal(redated.body.step.sent, true)

  // Revoking the signer's key: the document still arrived valid, but no longer verifies today.
  const revoked = await request('POST', `${stack.registry.url}/v1/agencies/${PROVINCE}/keys/chu-tich-2026/revoke`, { token: admin })
  t.equal(revoked.status, 200)
  const today = await eventually(async () => {
    const d = (await request('GET', `${stack.inbox.url}/v1/inbox/${item.id}`, { token: district })).body
    return d.signatures.validToday === false ? d.signatures : undefined
  }, 10_000, 'the revocation to reach the inbox')
  t.equal(today.validOnArrival, true)
  t.equal(today.today[0].reason, 'revoked_key')
})
