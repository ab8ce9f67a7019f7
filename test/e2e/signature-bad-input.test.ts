import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildEnvelope } from '@lienthong/contracts'
import { canonicalJsonBytes } from '@lienthong/crypto'
// by file, not the package's index, which loads the whole CLI (see test/harness/stack.ts)
import { ensureDevCa, issueAgencyCertificate } from '../../packages/cli/src/dev-ca.ts'
import { laocaiAboveVillages, startStack } from '../harness/stack.ts'
import { eventually, request, type Answer } from '../harness/http.ts'
import { dmsKey, registerKey, sign, signRequest } from '../harness/dms-keys.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const OTHER_DISTRICT = '000.00.32.H38'
const DAY = 24 * 3_600_000

const document = { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc triển khai chuyển đổi số năm 2026', issuedAt: '2026-11-26' }

function refused (t: Test, answer: Answer, reasons: Array<string | undefined>): void {
  t.equal(answer.status, 422, 'refused with 422')
  t.match(answer.type, /^application\/problem\+json/, 'as problem+json')
  t.equal(answer.body.code, 'RTE_SIGNATURE_INVALID')
  t.same(answer.body.signatures.map((s: { reason?: string }) => s.reason), reasons, `reasons ${reasons.join(', ')}`)
}

function header (fields: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(fields)).toString('base64url')
}

t.test('every way a signature can be wrong is refused, and nothing is stored or delivered', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-sigs-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const trusted = await ensureDevCa(join(dir, 'trusted'))
  const untrusted = await ensureDevCa(join(dir, 'untrusted'))
  const anchors = join(dir, 'anchors.pem')
  writeFileSync(anchors, trusted.certificatePem)

  // Routing trusts one CA; the registry is left without anchors, so that an untrusted
  // certificate gets registered and it is routing's own check that must refuse it.
  const stack = await startStack(t, { agencies: laocaiAboveVillages(), custody: [], env: { routing: { TRUST_ANCHORS: anchors }, inbox: { TRUST_ANCHORS: anchors } } })
  const admin = await stack.adminToken()
  const since = new Date(Date.now() - 3 * DAY).toISOString()
  const signer = dmsKey(PROVINCE, 'signer', 'signer')
  const seal = dmsKey(PROVINCE, 'agency', 'seal')
  const districtSeal = dmsKey(DISTRICT, 'agency', 'district-seal')
  const revokedSigner = dmsKey(PROVINCE, 'signer', 'revoked-signer')
  const futureSigner = dmsKey(PROVINCE, 'signer', 'future-signer')
  const untrustedSigner = dmsKey(PROVINCE, 'signer', 'untrusted-signer')
  const trustedSigner = dmsKey(PROVINCE, 'signer', 'trusted-signer')
  await registerKey(stack.registry.url, admin, signer, { notBefore: since })
  await registerKey(stack.registry.url, admin, seal, { notBefore: since })
  await registerKey(stack.registry.url, admin, districtSeal)
  await registerKey(stack.registry.url, admin, revokedSigner)
  await registerKey(stack.registry.url, admin, futureSigner, { notBefore: new Date(Date.now() + DAY).toISOString() })
  for (const [key, ca] of [[untrustedSigner, untrusted], [trustedSigner, trusted]] as const) {
    const certificate = await issueAgencyCertificate(ca, { publicJwk: key.publicJwk, agencyCode: PROVINCE, agencyName: 'UBND tỉnh Lào Cai', role: 'signer', holder: 'Nguyễn Văn A' })
    const r = await request('POST', `${stack.registry.url}/v1/agencies/${PROVINCE}/keys`, { token: admin, json: { kid: key.kid, role: 'signer', certificate } })
    t.equal(r.status, 201, `certificate ${key.kid} registered`)
  }
  t.equal((await request('POST', `${stack.registry.url}/v1/agencies/${PROVINCE}/keys/revoked-signer/revoke`, { token: admin })).status, 200)

  const token = await stack.tokenFor(PROVINCE)
  const send = async (json: unknown): Promise<Answer> => await request('POST', `${stack.routing.url}/v1/documents`, { token, json })
  const body = { to: [DISTRICT], document }
  const good = (): ReturnType<typeof signRequest> => signRequest(PROVINCE, body, { signer, agency: seal })

  // Wait until routing's mirror has every key; a well-signed document of another number proves it.
  await eventually(async () => {
    const probe = signRequest(PROVINCE, { to: [DISTRICT], document: { ...document, number: '1' } }, { signer: trustedSigner, agency: seal })
    const r = await send({ to: [DISTRICT], document: { ...document, number: '1' }, signatures: probe.signatures })
    return r.status === 202 ? r : undefined
  }, 10_000, 'routing to know the keys (and to accept a certificate from the trusted CA)')

  await t.test('one changed byte of the envelope', async (t) => {
    const { signatures } = good()
    refused(t, await send({ ...body, document: { ...document, subject: document.subject.replace('2026', '2027') }, signatures }), ['bad_signature', 'bad_signature'])
  })

  await t.test('a swapped recipient list', async (t) => {
    const { signatures } = good()
    refused(t, await send({ ...body, to: [OTHER_DISTRICT], signatures }), ['bad_signature', 'bad_signature'])
  })

  await t.test('a changed attachment digest no longer matches what was signed', async (t) => {
    // The envelope names attachments by digest: a signature over one set of digests is not one over another.
    const signedAt = new Date().toISOString()
    const withFile = buildEnvelope({ sender: PROVINCE, to: body.to, document, signedAt, attachments: [{ name: 'a.pdf', size: 3, sha256: 'a'.repeat(64) }] })
    const changed = { ...withFile, attachments: [{ name: 'a.pdf', size: 3, sha256: 'b'.repeat(64) }] }
    t.not(Buffer.compare(Buffer.from(canonicalJsonBytes(withFile)), Buffer.from(canonicalJsonBytes(changed))), 0)
    refused(t, await send({ ...body, signatures: { signedAt, signer: sign(withFile, signer), agency: sign(withFile, seal) } }), ['bad_signature', 'bad_signature'])
  })

  await t.test('an old signed envelope replayed under a new id', async (t) => {
    const { signatures } = good()
    refused(t, await send({ ...body, document: { ...document, number: '13' }, signatures }), ['bad_signature', 'bad_signature'])
  })

  await t.test('alg none, HS256 keyed with the public key, an algorithm the key was not registered for', async (t) => {
    const { envelope, signatures } = good()
    const none = `${header({ alg: 'none', kid: 'signer', b64: false, crit: ['b64'] })}..`
    refused(t, await send({ ...body, signatures: { ...signatures, signer: none } }), ['unsupported_alg', undefined])
    const hsHeader = header({ alg: 'HS256', kid: 'signer', b64: false, crit: ['b64'] })
    const secret = Buffer.from(String(signer.publicJwk.x), 'base64url')
    const hs = `${hsHeader}..${createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`${hsHeader}.`), canonicalJsonBytes(envelope)])).digest('base64url')}`
    refused(t, await send({ ...body, signatures: { ...signatures, signer: hs } }), ['unsupported_alg', undefined])
    const p256 = dmsKey(PROVINCE, 'signer', 'x', 'p256')
    const es = sign(envelope, { kid: 'signer', alg: 'ES256', privateKey: p256.privateKey })
    refused(t, await send({ ...body, signatures: { ...signatures, signer: es } }), ['alg_mismatch', undefined])
  })

  await t.test('an oversized or malformed JWS', async (t) => {
    const { signatures } = good()
    const [h = '', , s = ''] = signatures.signer.split('.')
    refused(t, await send({ ...body, signatures: { ...signatures, signer: `${h}..${s}${'A'.repeat(20_000)}` } }), ['too_large', undefined])
    const huge = await send({ ...body, signatures: { ...signatures, signer: 'A'.repeat(70_000) } })
    t.equal(huge.status, 400)
    t.equal(huge.body.code, 'RTE_VALIDATION_FAILED')
    refused(t, await send({ ...body, signatures: { ...signatures, agency: 'not-a-jws' } }), [undefined, 'malformed'])
    refused(t, await send({ ...body, signatures: { ...signatures, agency: `${h}.cGF5bG9hZA.${s}` } }), [undefined, 'malformed'])
  })

  await t.test('unknown, revoked, not yet valid, another agency\u2019s, or the wrong role\u2019s key', async (t) => {
    const unknown = signRequest(PROVINCE, body, { signer: { ...signer, kid: 'nobody' }, agency: seal })
    refused(t, await send({ ...body, signatures: unknown.signatures }), ['unknown_key', undefined])
    const revoked = signRequest(PROVINCE, body, { signer: revokedSigner, agency: seal })
    refused(t, await send({ ...body, signatures: revoked.signatures }), ['revoked_key', undefined])
    const future = signRequest(PROVINCE, body, { signer: futureSigner, agency: seal })
    refused(t, await send({ ...body, signatures: future.signatures }), ['expired_key', undefined])
    const foreign = signRequest(PROVINCE, body, { signer, agency: districtSeal })
    refused(t, await send({ ...body, signatures: foreign.signatures }), [undefined, 'foreign_key'])
    const swapped = signRequest(PROVINCE, body, { signer: seal, agency: signer })
    refused(t, await send({ ...body, signatures: swapped.signatures }), ['wrong_role', 'wrong_role'])
  })

  await t.test('a signing time too old, or in the future', async (t) => {
    const old = signRequest(PROVINCE, body, { signer, agency: seal }, new Date(Date.now() - 2 * DAY).toISOString())
    refused(t, await send({ ...body, signatures: old.signatures }), ['stale', 'stale'])
    const ahead = signRequest(PROVINCE, body, { signer, agency: seal }, new Date(Date.now() + 3_600_000).toISOString())
    refused(t, await send({ ...body, signatures: ahead.signatures }), ['stale', 'stale'])
  })

  await t.test('a certificate from an untrusted CA', async (t) => {
    const viaUntrusted = signRequest(PROVINCE, body, { signer: untrustedSigner, agency: seal })
    refused(t, await send({ ...body, signatures: viaUntrusted.signatures }), ['untrusted_certificate', undefined])
  })

  // Only the probe got through: no refused document was stored or delivered.
  const [docs] = await stack.sql`select count(*)::int as n from routing.documents`
  t.equal(docs!.n, 1, 'one document stored: the well-signed probe')
  const accepted = await send({ ...body, signatures: good().signatures })
  t.equal(accepted.status, 202, 'the same document, well signed, goes through')
  const replay = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: { ...body, signatures: good().signatures }, headers: { 'idempotency-key': 'another-key' } })
  // The same document again (freshly signed, under another key) is answered as the one already
  // accepted: same id, and, as the count below shows, no second delivery.
  t.equal(replay.status, 202)
  t.equal(replay.body.id, accepted.body.id)
  const changed = await request('POST', `${stack.routing.url}/v1/documents`, { token, json: { ...body, document: { ...document, subject: 'Khác' }, signatures: signRequest(PROVINCE, { ...body, document: { ...document, subject: 'Khác' } }, { signer, agency: seal }).signatures }, headers: { 'idempotency-key': 'a-third-key' } })
  t.equal(changed.status, 409, 'a different, well-signed document under the same number is refused')
  t.equal(changed.body.code, 'RTE_DUPLICATE_DOCUMENT')
  const items = await eventually(async () => {
    const rows = await stack.sql`select document_id from inbox.items order by document_id`
    return rows.length === 2 ? rows : undefined
  }, 15_000, 'the two accepted documents delivered')
  await new Promise((resolve) => setTimeout(resolve, 500))
  const [copies] = await stack.sql`select count(*)::int as n from inbox.items`
  t.equal(copies!.n, 2, 'no second copy of anything')
  t.same(items.map((r) => r.document_id), ['000.00.00.H38,2026/11/26,1/UBND-VP', '000.00.00.H38,2026/11/26,12/UBND-VP'])
})
