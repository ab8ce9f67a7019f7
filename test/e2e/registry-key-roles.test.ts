import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { Kvm } from '@nats-io/kv'
import { AgencyKeyEntry, KV_BUCKETS, agencyKeyBucketKey } from '@lienthong/contracts'
// by file, not the package's index, which loads the whole service framework (see test/harness/stack.ts)
import { connectNats } from '../../packages/platform/src/nats.ts'
// The CLI's development CA, by path: the CLI package exports its SDK-like parts only.
import { ensureDevCa, issueAgencyCertificate } from '../../packages/cli/src/dev-ca.ts'
import { laocaiAboveVillages, restartWith, startStack } from '../harness/stack.ts'
import { request, type Answer } from '../harness/http.ts'

const DISTRICT = '000.00.31.H38'
const DISTRICT_NAME = 'UBND huyện Bát Xát'
const HOLDER = 'Nguyễn Văn A, Chủ tịch UBND huyện'

function publicJwk (kind: 'ed25519' | 'p256'): Record<string, unknown> {
  const { publicKey } = kind === 'p256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519')
  return publicKey.export({ format: 'jwk' }) as Record<string, unknown>
}

function isProblem (t: Test, answer: Answer, status: number, code: string): void {
  t.equal(answer.status, status, `status ${status} for ${code}`)
  t.match(answer.type, /^application\/problem\+json/)
  t.equal(answer.body.code, code)
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-key-roles-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

// One stack for both tests, its registry trusting this CA; the second starts the registry again
// with certificates required.
const ca = await ensureDevCa(join(tempDir(t), 'ca'))
const stack = await startStack(t, { agencies: laocaiAboveVillages(), custody: [], env: { registry: { TRUST_ANCHORS: ca.certificatePath } } })

t.test('signer keys: stored and published with their role and holder; certificates must chain to TRUST_ANCHORS', async (t) => {
  const stranger = await ensureDevCa(join(tempDir(t), 'other-ca'))
  const admin = await stack.adminToken()
  const keys = `${stack.registry.url}/v1/agencies/${DISTRICT}/keys`
  const nc = await connectNats(stack.nats.url, 'registry-key-roles-test')
  t.teardown(async () => { await nc.close() })
  const bucket = await new Kvm(nc).open(KV_BUCKETS.agencyKeys)

  // The seal: no role given, so the agency's own key.
  const seal = await request('POST', keys, { token: admin, json: { kid: 'seal-2026', jwk: publicJwk('ed25519') } })
  t.equal(seal.status, 201)
  t.match(seal.body, { kid: 'seal-2026', role: 'agency', holder: null })

  // The chairman's key, as a bare JWK.
  const chairman = await request('POST', keys, { token: admin, json: { kid: 'chairman', role: 'signer', holder: HOLDER, jwk: publicJwk('p256') } })
  t.equal(chairman.status, 201)
  t.match(chairman.body, { kid: 'chairman', alg: 'ES256', role: 'signer', holder: HOLDER, certificate: null })

  // A vice-chairman's key, by a certificate of the trusted CA.
  const jwk = publicJwk('ed25519')
  const pem = await issueAgencyCertificate(ca, { publicJwk: jwk, agencyCode: DISTRICT, agencyName: DISTRICT_NAME, role: 'signer', holder: 'Trần Thị B, Phó Chủ tịch' })
  const vice = await request('POST', keys, { token: admin, json: { kid: 'vice-chairman', role: 'signer', holder: 'Trần Thị B, Phó Chủ tịch', certificate: pem } })
  t.equal(vice.status, 201)
  t.match(vice.body, { role: 'signer', holder: 'Trần Thị B, Phó Chủ tịch', jwk, certificate: { issuer: /lienthong development CA/, subject: /CN=Trần Thị B/ } })

  // Refused: a certificate of another CA, a holder on an agency key.
  const foreign = await issueAgencyCertificate(stranger, { publicJwk: publicJwk('ed25519'), agencyCode: DISTRICT, agencyName: DISTRICT_NAME, role: 'agency' })
  isProblem(t, await request('POST', keys, { token: admin, json: { kid: 'foreign', certificate: foreign } }), 422, 'REG_UNTRUSTED_CERTIFICATE')
  isProblem(t, await request('POST', keys, { token: admin, json: { kid: 'odd', holder: HOLDER, jwk: publicJwk('ed25519') } }), 400, 'REG_VALIDATION_FAILED')
  isProblem(t, await request('POST', keys, { token: admin, json: { kid: 'long', role: 'signer', holder: 'x'.repeat(201), jwk: publicJwk('ed25519') } }), 400, 'REG_VALIDATION_FAILED')

  // Published as stored: the public list, one key, the table, and the bucket other services mirror.
  const listed = await request('GET', keys)
  t.equal(listed.status, 200)
  const byKid = new Map((listed.body.items as AgencyKeyEntry[]).map((k) => [k.kid, k]))
  t.same([...byKid.keys()].sort(), ['chairman', 'seal-2026', 'vice-chairman'])
  t.match(byKid.get('seal-2026'), { role: 'agency', holder: null })
  t.match(byKid.get('chairman'), { role: 'signer', holder: HOLDER })
  t.match(byKid.get('vice-chairman'), { role: 'signer', holder: 'Trần Thị B, Phó Chủ tịch' })
  t.same((await request('GET', `${keys}/chairman`)).body, chairman.body)
  const rows = await stack.sql`select kid, role, holder from registry.agency_keys where agency_code = ${DISTRICT} order by kid`
  t.same(rows.map((r) => ({ ...r })), [
    { kid: 'chairman', role: 'signer', holder: HOLDER },
    { kid: 'seal-2026', role: 'agency', holder: null },
    { kid: 'vice-chairman', role: 'signer', holder: 'Trần Thị B, Phó Chủ tịch' }
  ])
  const published = await bucket.get(agencyKeyBucketKey(DISTRICT, 'chairman'))
  t.same(AgencyKeyEntry.parse(published?.json()), chairman.body, 'the bucket carries role and holder')

  // Revoking keeps the role and holder.
  const revoked = await request('POST', `${keys}/chairman/revoke`, { token: admin })
  t.match(revoked.body, { role: 'signer', holder: HOLDER, revokedAt: /^\d{4}-/ })
})

t.test('REQUIRE_CERTIFICATES: a bare JWK is refused, a certificate of the trusted CA is not', async (t) => {
  await restartWith(stack.registry, { REQUIRE_CERTIFICATES: 'true' })
  const admin = await stack.adminToken()
  const keys = `${stack.registry.url}/v1/agencies/${DISTRICT}/keys`
  isProblem(t, await request('POST', keys, { token: admin, json: { jwk: publicJwk('ed25519') } }), 422, 'REG_CERTIFICATE_REQUIRED')
  const pem = await issueAgencyCertificate(ca, { publicJwk: publicJwk('p256'), agencyCode: DISTRICT, agencyName: DISTRICT_NAME, role: 'agency' })
  const accepted = await request('POST', keys, { token: admin, json: { certificate: pem } })
  t.equal(accepted.status, 201)
  t.match(accepted.body, { role: 'agency', holder: null, alg: 'ES256' })
})
