import t from 'tap'
import { RegistryConfig } from '../src/config.ts'

const BASE = { DATABASE_URL: 'postgres://localhost:5432/lienthong' }

t.test('trust anchors and the certificate rule are off unless set', async (t) => {
  const config = RegistryConfig.parse(BASE)
  t.equal(config.TRUST_ANCHORS, undefined)
  t.equal(config.REQUIRE_CERTIFICATES, false)
  t.equal(RegistryConfig.parse({ ...BASE, TRUST_ANCHORS: '' }).TRUST_ANCHORS, undefined, 'an empty variable is no variable')
})

t.test('TRUST_ANCHORS is a path; REQUIRE_CERTIFICATES is true or false', async (t) => {
  const config = RegistryConfig.parse({ ...BASE, TRUST_ANCHORS: '/etc/lienthong/anchors.pem', REQUIRE_CERTIFICATES: 'true' })
  t.equal(config.TRUST_ANCHORS, '/etc/lienthong/anchors.pem')
  t.equal(config.REQUIRE_CERTIFICATES, true)
  t.equal(RegistryConfig.parse({ ...BASE, REQUIRE_CERTIFICATES: 'false' }).REQUIRE_CERTIFICATES, false)
  t.notOk(RegistryConfig.safeParse({ ...BASE, REQUIRE_CERTIFICATES: 'yes' }).success, 'anything else is a mistake to fix')
})
