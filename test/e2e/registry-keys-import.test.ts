import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
// by file, not the package's index, which loads the whole service framework (see test/harness/stack.ts)
import { AgencyKeysMirror } from '../../packages/platform/src/agency-keys-mirror.ts'
import { connectNats } from '../../packages/platform/src/nats.ts'
import { startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'

function jwk (): Record<string, unknown> {
  return generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as Record<string, unknown>
}

t.test('many keys at once: all or nothing, and running it again changes nothing', async (t) => {
  const stack = await startStack(t, { custody: [] })
  const admin = await stack.adminToken()
  const url = `${stack.registry.url}/v1/agencies/keys/import`
  const nc = await connectNats(stack.nats.url, 'keys-import-test')
  const mirror = new AgencyKeysMirror()
  await mirror.start(nc)
  t.teardown(async () => { mirror.stop(); await nc.close() })

  const keys = [
    { agency: PROVINCE, key: { kid: 'p-seal', jwk: jwk() } },
    { agency: PROVINCE, key: { kid: 'p-signer', role: 'signer', holder: 'Nguyễn Văn A', jwk: jwk() } },
    { agency: DISTRICT, key: { kid: 'd-seal', jwk: jwk() } }
  ]
  const first = await request('POST', url, { token: admin, json: { keys } })
  t.equal(first.status, 200)
  t.same(first.body, { registered: 3, existing: 0 })
  const again = await request('POST', url, { token: admin, json: { keys } })
  t.same(again.body, { registered: 0, existing: 3 }, 'the same keys again are already there')
  await eventually(async () => mirror.key(PROVINCE, 'p-signer'), 5_000, 'the keys in the services\u2019 mirror')
  t.equal(mirror.key(PROVINCE, 'p-signer')?.role, 'signer')
  t.equal(mirror.key(PROVINCE, 'p-signer')?.holder, 'Nguyễn Văn A')
  t.ok(mirror.key(DISTRICT, 'd-seal'))

  const count = async (): Promise<number> => (await stack.sql`select count(*)::int as n from registry.agency_keys`)[0]!.n as number
  const conflict = await request('POST', url, { token: admin, json: { keys: [{ agency: DISTRICT, key: { kid: 'd-new', jwk: jwk() } }, { agency: PROVINCE, key: { kid: 'p-seal', jwk: jwk() } }] } })
  t.equal(conflict.status, 409)
  t.equal(conflict.body.code, 'REG_KEY_EXISTS')
  t.equal(await count(), 3, 'nothing of a refused import is stored')
  t.equal(mirror.key(DISTRICT, 'd-new'), undefined, 'nor left in the bucket')

  // One key in both roles would let one signature pass for the person's and the agency's.
  const seal = jwk()
  const both = await request('POST', url, { token: admin, json: { keys: [{ agency: DISTRICT, key: { kid: 'd-one', jwk: seal } }, { agency: DISTRICT, key: { kid: 'd-two', role: 'signer', jwk: seal } }] } })
  t.equal(both.status, 422)
  t.equal(both.body.code, 'REG_INVALID_KEY')
  const asSigner = await request('POST', `${stack.registry.url}/v1/agencies/${PROVINCE}/keys`, { token: admin, json: { kid: 'p-seal-as-signer', role: 'signer', jwk: keys[0]!.key.jwk } })
  t.equal(asSigner.status, 422, 'the province seal cannot also be registered as a signer key')
  t.equal(asSigner.body.code, 'REG_INVALID_KEY')
  t.equal(await count(), 3)

  const unknown = await request('POST', url, { token: admin, json: { keys: [{ agency: '000.00.99.H38', key: { jwk: jwk() } }] } })
  t.equal(unknown.status, 404)
  t.equal(unknown.body.code, 'REG_AGENCY_NOT_FOUND')
  t.same(unknown.body.agencies, ['000.00.99.H38'])
  const invalid = await request('POST', url, { token: admin, json: { keys: [{ agency: DISTRICT, key: { jwk: { kty: 'RSA', n: 'x', e: 'AQAB' } } }] } })
  t.equal(invalid.status, 422)
  t.equal(invalid.body.code, 'REG_INVALID_KEY')
  const notAdmin = await request('POST', url, { token: await stack.tokenFor(DISTRICT), json: { keys } })
  t.equal(notAdmin.status, 403)
  t.equal(await count(), 3)
})
