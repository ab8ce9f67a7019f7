import t from 'tap'
import { CUSTODY_SIGN_SUBJECT, CustodySignResponse, type CustodySignItem, type CustodySignResult } from '@lienthong/contracts'
import { CustodySigner, CustodyUnavailableError, loadConfig } from '@lienthong/platform'
import { buildApp } from '../../src/app.ts'
import { SignaturesConfig } from '../../src/config.ts'
import {
  COMMUNE, DISTRICT, OTHER_COMMUNE, PROVINCE, SUSPENDED_COMMUNE,
  enroll, envelopeOf, eventually, listKeys, masterKeysText, receiptOf, registerAndWait, serviceEnv, startApp, startBackends, verifyWith, type KeyView
} from '../fixtures/backends.ts'

const MASTER_KEYS = masterKeysText('mk1')
const b = await startBackends(t)
const app = await startApp(t, b, MASTER_KEYS)
const signer = new CustodySigner(b.nc, { timeoutMs: 5_000 })

// COMMUNE, DISTRICT and SUSPENDED_COMMUNE are in custody with registered keys; OTHER_COMMUNE is
// enrolled but not registered; PROVINCE is not enrolled at all.
const keys = await enroll(app, b.operatorToken, [COMMUNE, DISTRICT, SUSPENDED_COMMUNE, OTHER_COMMUNE])
await registerAndWait(app, b, keys.filter((k) => k.agency !== OTHER_COMMUNE))
const keysOf = (agency: string): KeyView[] => keys.filter((k) => k.agency === agency)

async function refusalOf (verifying: Promise<unknown>): Promise<string> {
  return await verifying.then(() => 'verified', (err: unknown) => (err as { reason?: string }).reason ?? String(err))
}

function signed (result: CustodySignResult): Record<string, string> {
  if (!result.ok) throw new Error(`refused: ${result.refusal} ${result.detail}`)
  return result.signatures as Record<string, string>
}

t.test('an envelope: signed by the signer key and the agency key, verifiable with the public JWKs', async (t) => {
  const envelope = envelopeOf(COMMUNE)
  const result = await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelope })
  const sigs = signed(result)
  t.same(Object.keys(sigs).sort(), ['agency', 'signer'])
  const [agencyKey, signerKey] = keysOf(COMMUNE) as [KeyView, KeyView]
  t.equal((await verifyWith(sigs.signer!, envelope, [signerKey])).kid, signerKey.kid)
  t.equal((await verifyWith(sigs.agency!, envelope, [agencyKey])).kid, agencyKey.kid)
  t.equal(await refusalOf(verifyWith(sigs.agency!, { ...envelope, document: { ...envelope.document, subject: 'altered' } }, [agencyKey])), 'bad_signature')
  t.equal(await refusalOf(verifyWith(sigs.signer!, envelope, [agencyKey])), 'unknown_key', 'the signer signature is not the agency key\u2019s')
})

t.test('a receipt: signed by the agency key of its recipient', async (t) => {
  const receipt = receiptOf(DISTRICT, COMMUNE)
  const sigs = signed(await signer.sign({ kind: 'receipt', agency: DISTRICT, value: receipt }))
  t.same(Object.keys(sigs), ['agency'])
  const agencyKey = keysOf(DISTRICT).find((k) => k.role === 'agency')!
  t.equal((await verifyWith(sigs.agency!, receipt, [agencyKey])).kid, agencyKey.kid)
})

t.test('a ledger checkpoint: signed by the agency key of the agency that answers for the ledger', async (t) => {
  const checkpoint = { ledger: 'lienthong-audit-ledger', seq: 42, hash: 'ab'.repeat(32), at: new Date().toISOString() }
  const sigs = signed(await signer.sign({ kind: 'checkpoint', agency: DISTRICT, value: checkpoint }))
  t.same(Object.keys(sigs), ['agency'])
  const [agencyKey] = keysOf(DISTRICT) as [KeyView]
  t.equal((await verifyWith(sigs.agency!, checkpoint, [agencyKey])).kid, agencyKey.kid)
  t.equal(await refusalOf(verifyWith(sigs.agency!, { ...checkpoint, seq: 43 }, [agencyKey])), 'bad_signature')
  const old = await signer.sign({ kind: 'checkpoint', agency: DISTRICT, value: { ...checkpoint, at: new Date(Date.now() - 3_600_000).toISOString() } })
  t.match(old, { ok: false, refusal: 'invalid_value', detail: /dated now/ })
  const wrong = await signer.sign({ kind: 'checkpoint', agency: DISTRICT, value: { ...checkpoint, hash: 'not a hash' } })
  t.match(wrong, { ok: false, refusal: 'invalid_value', detail: /not a ledger checkpoint/ })
})

t.test('refusals', async (t) => {
  const cases: Array<[string, CustodySignItem, string, RegExp]> = [
    ['enrolled, not registered', { kind: 'envelope', agency: OTHER_COMMUNE, value: envelopeOf(OTHER_COMMUNE) }, 'not_in_custody', /role signer and agency .* registered/],
    ['not enrolled', { kind: 'envelope', agency: PROVINCE, value: envelopeOf(PROVINCE) }, 'not_in_custody', /not enrolled/],
    ['a receipt, not enrolled', { kind: 'receipt', agency: PROVINCE, value: receiptOf(PROVINCE) }, 'not_in_custody', /role agency/],
    ['an envelope of another sender', { kind: 'envelope', agency: COMMUNE, value: envelopeOf(DISTRICT) }, 'invalid_value', /sender is 000\.00\.31\.H38, not 000\.05\.31\.H38/],
    ['a receipt of another recipient', { kind: 'receipt', agency: COMMUNE, value: receiptOf(DISTRICT) }, 'invalid_value', /recipient is 000\.00\.31\.H38/],
    ['a receipt passed as an envelope', { kind: 'envelope', agency: COMMUNE, value: receiptOf(COMMUNE) }, 'invalid_value', /not an envelope/],
    ['an envelope passed as a receipt', { kind: 'receipt', agency: COMMUNE, value: envelopeOf(COMMUNE) }, 'invalid_value', /not a receipt/],
    ['an envelope whose id is not its own', { kind: 'envelope', agency: COMMUNE, value: { ...envelopeOf(COMMUNE), id: `${COMMUNE},2026/11/26,99/UBND-VP` } }, 'invalid_value', /id is not 000\.05\.31\.H38,2026\/11\/26,12\/UBND-VP/],
    ['a receipt of a document of another sender', { kind: 'receipt', agency: COMMUNE, value: { ...receiptOf(COMMUNE, DISTRICT), documentId: `${OTHER_COMMUNE},2026/11/26,12/UBND-VP` } }, 'invalid_value', /another sender/],
    ['an envelope dated an hour ago', { kind: 'envelope', agency: COMMUNE, value: { ...envelopeOf(COMMUNE), signedAt: new Date(Date.now() - 3_600_000).toISOString() } }, 'invalid_value', /custody signs envelopes dated now/],
    ['an envelope dated tomorrow', { kind: 'envelope', agency: COMMUNE, value: { ...envelopeOf(COMMUNE), signedAt: new Date(Date.now() + 86_400_000).toISOString() } }, 'invalid_value', /custody signs envelopes dated now/],
    ['a receipt dated in the future', { kind: 'receipt', agency: COMMUNE, value: { ...receiptOf(COMMUNE, DISTRICT), at: new Date(Date.now() + 3_600_000).toISOString() } }, 'invalid_value', /in the future/],
    ['an envelope with an extra member', { kind: 'envelope', agency: COMMUNE, value: { ...envelopeOf(COMMUNE), extra: 1 } }, 'invalid_value', /not an envelope/],
    ['a suspended agency, keys registered', { kind: 'envelope', agency: SUSPENDED_COMMUNE, value: envelopeOf(SUSPENDED_COMMUNE) }, 'agency_inactive', /suspended/],
    ['a receipt of a suspended agency', { kind: 'receipt', agency: SUSPENDED_COMMUNE, value: receiptOf(SUSPENDED_COMMUNE) }, 'agency_inactive', /suspended/]
  ]
  for (const [what, item, refusal, detail] of cases) {
    const result = await signer.sign(item)
    t.same(result.ok ? 'signed' : result.refusal, refusal, what)
    if (!result.ok) t.match(result.detail, detail, what)
  }
})

t.test('a batch mixing good and bad items answers each, in order, in one request', async (t) => {
  const items: CustodySignItem[] = [
    { kind: 'envelope', agency: COMMUNE, value: envelopeOf(COMMUNE, '1') },
    { kind: 'envelope', agency: COMMUNE, value: envelopeOf(DISTRICT, '2') },
    { kind: 'receipt', agency: DISTRICT, value: receiptOf(DISTRICT) },
    { kind: 'envelope', agency: OTHER_COMMUNE, value: envelopeOf(OTHER_COMMUNE) },
    { kind: 'envelope', agency: DISTRICT, value: envelopeOf(DISTRICT, '3') },
    { kind: 'envelope', agency: SUSPENDED_COMMUNE, value: envelopeOf(SUSPENDED_COMMUNE) },
    { kind: 'receipt', agency: COMMUNE, value: { nonsense: true } }
  ]
  const reply = await b.nc.request(CUSTODY_SIGN_SUBJECT, JSON.stringify({ items }), { timeout: 5_000 })
  const parsed = CustodySignResponse.parse(reply.json())
  if (!('results' in parsed)) throw new Error(parsed.error)
  t.same(parsed.results.map((r) => r.ok ? 'signed' : r.refusal), ['signed', 'invalid_value', 'signed', 'not_in_custody', 'signed', 'agency_inactive', 'invalid_value'])
  const first = parsed.results[0]!
  t.ok(first.ok && await verifyWith(first.signatures.agency!, items[0]!.value, keys))
  const fifth = parsed.results[4]!
  t.ok(fifth.ok && await verifyWith(fifth.signatures.signer!, items[4]!.value, keys))
  // Through the client: calls in one turn travel as one request and each gets its own answer.
  const viaClient = await Promise.all(items.map(async (item) => await signer.sign(item)))
  t.same(viaClient.map((r) => r.ok ? 'signed' : r.refusal), parsed.results.map((r) => r.ok ? 'signed' : r.refusal))
})

t.test('an unreadable request: an error for the whole batch', async (t) => {
  for (const [body, error] of [
    ['{not json', /not JSON/],
    [JSON.stringify({ items: [] }), /not a custody signing batch: items/],
    [JSON.stringify({ items: [{ kind: 'contract', agency: COMMUNE, value: {} }] }), /not a custody signing batch/],
    [JSON.stringify({ items: [{ kind: 'envelope', agency: 'nobody', value: {} }] }), /not a custody signing batch/]
  ] as const) {
    const reply = await b.nc.request(CUSTODY_SIGN_SUBJECT, body, { timeout: 5_000 })
    const parsed = CustodySignResponse.parse(reply.json())
    t.ok('error' in parsed && error.test(parsed.error), body)
  }
})

t.test('a revoked key no longer signs', async (t) => {
  const agencyKey = keysOf(DISTRICT).find((k) => k.role === 'agency')!
  await b.register(agencyKey, { revokedAt: new Date().toISOString() })
  const result = await eventually('the revocation to take effect', async () => {
    const r = await signer.sign({ kind: 'receipt', agency: DISTRICT, value: receiptOf(DISTRICT) })
    return r.ok ? undefined : r
  })
  t.same(result.ok ? 'signed' : result.refusal, 'not_in_custody')
  const expired = keysOf(DISTRICT).find((k) => k.role === 'signer')!
  await b.register(expired, { notAfter: new Date(Date.now() - 1_000).toISOString() })
  await eventually('the expired key to be unusable', async () => (await listKeys(app, b.operatorToken, DISTRICT)).some((k) => k.registered) ? undefined : true)
  const envelope = await signer.sign({ kind: 'envelope', agency: DISTRICT, value: envelopeOf(DISTRICT) })
  t.ok(!envelope.ok && envelope.refusal === 'not_in_custody' && /role signer and agency/.test(envelope.detail), 'an expired key is as unusable')
})

t.test('an agency suspended meanwhile is refused at once', async (t) => {
  const before = await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelopeOf(COMMUNE) })
  t.equal(before.ok, true)
  await b.putAgency(COMMUNE, 'suspended')
  const after = await eventually('the suspension to take effect', async () => {
    const r = await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelopeOf(COMMUNE) })
    return r.ok ? undefined : r
  })
  t.same(after.ok ? 'signed' : after.refusal, 'agency_inactive')
  await b.putAgency(COMMUNE, 'active')
  await eventually('reactivation', async () => (await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelopeOf(COMMUNE) })).ok ? true : undefined)
})

t.test('rotation: the old key signs until the new one is registered; then the new kid signs and old signatures still verify', async (t) => {
  const oldKeys = keysOf(COMMUNE)
  const envelope = envelopeOf(COMMUNE, '77')
  const oldSigs = signed(await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelope }))
  const res = await app.inject({ method: 'POST', url: `/v1/custody/${COMMUNE}/rotate`, headers: { authorization: `Bearer ${b.operatorToken}` } })
  t.equal(res.statusCode, 200)
  const newKeys = (res.json() as { keys: KeyView[] }).keys
  t.equal(newKeys.length, 2)

  // Not registered yet: the old keys keep signing.
  const meanwhile = signed(await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelope }))
  t.equal((await verifyWith(meanwhile.signer!, envelope, oldKeys)).kid, oldKeys[1]!.kid)
  t.equal((await verifyWith(meanwhile.agency!, envelope, oldKeys)).kid, oldKeys[0]!.kid)

  // Registering only the new agency key moves that role alone.
  await registerAndWait(app, b, newKeys.filter((k) => k.role === 'agency'))
  const half = signed(await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelope }))
  t.equal((await verifyWith(half.agency!, envelope, newKeys)).kid, newKeys[0]!.kid)
  t.equal((await verifyWith(half.signer!, envelope, oldKeys)).kid, oldKeys[1]!.kid)

  await registerAndWait(app, b, newKeys)
  const after = signed(await signer.sign({ kind: 'envelope', agency: COMMUNE, value: envelope }))
  t.equal((await verifyWith(after.signer!, envelope, newKeys)).kid, newKeys[1]!.kid)
  t.equal((await verifyWith(after.agency!, envelope, newKeys)).kid, newKeys[0]!.kid)
  // The old public keys stay registered, so what they signed still verifies.
  t.equal((await verifyWith(oldSigs.signer!, envelope, oldKeys)).kid, oldKeys[1]!.kid)
  t.equal((await verifyWith(oldSigs.agency!, envelope, oldKeys)).kid, oldKeys[0]!.kid)
  const listed = await listKeys(app, b.operatorToken, COMMUNE)
  t.same(listed.map((k) => [k.kid, k.retired, k.registered, k.signing]), [
    [oldKeys[0]!.kid, true, true, false], [oldKeys[1]!.kid, true, true, false],
    [newKeys[0]!.kid, false, true, true], [newKeys[1]!.kid, false, true, true]
  ])
})

t.test('a second copy of the service shares the queue and learns of keys enrolled by the first', async (t) => {
  const second = await buildApp(loadConfig(SignaturesConfig, serviceEnv(b, MASTER_KEYS)))
  const provinceKeys = await enroll(app, b.operatorToken, [PROVINCE])
  const burst = async (): Promise<Array<[unknown, CustodySignResult]>> => await Promise.all(Array.from({ length: 40 }, async (_, i) => {
    // One request per call, so the queue group spreads them over both copies.
    await new Promise((resolve) => setTimeout(resolve, i))
    const envelope = envelopeOf(PROVINCE, String(i))
    return [envelope, await signer.sign({ kind: 'envelope', agency: PROVINCE, value: envelope })] as [unknown, CustodySignResult]
  }))
  t.ok((await burst()).every(([, r]) => !r.ok && r.refusal === 'not_in_custody'), 'enrolled, not registered: refused by both')
  await registerAndWait(app, b, provinceKeys)
  const results = await eventually('both copies to sign for the province', async () => {
    const r = await burst()
    return r.every(([, x]) => x.ok) ? r : undefined
  })
  let verified = 0
  for (const [envelope, r] of results) {
    if (!r.ok) continue
    await verifyWith(r.signatures.agency!, envelope, provinceKeys)
    await verifyWith(r.signatures.signer!, envelope, provinceKeys)
    verified++
  }
  t.equal(verified, 40)
  const signedBySecond = /custody_sign_items_total\{outcome="signed"[^}]*\} (\d+)/.exec((await second.inject({ method: 'GET', url: '/metrics' })).body)
  t.ok(Number(signedBySecond?.[1] ?? 0) > 0, 'the second copy answered some of them')
  await second.close()
})

t.test('after the app closes, signing is unavailable rather than refused', async (t) => {
  await app.close()
  const lone = new CustodySigner(b.nc, { timeoutMs: 300 })
  await t.rejects(lone.sign({ kind: 'envelope', agency: DISTRICT, value: envelopeOf(DISTRICT) }), CustodyUnavailableError)
})
