import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { newKeyPair } from '@lienthong/crypto'
import { createServiceApp, type ServiceApp } from '../src/service.ts'
import { AuthKeys } from '../src/auth-keys.ts'

// A service that signs its own tokens, as registry does, so tokens can be made here; every
// service verifies them the same way.
async function build (t: { teardown: (fn: () => unknown) => void }): Promise<ServiceApp> {
  const pair = newKeyPair()
  const keys = new AuthKeys()
  keys.set('k1', { kid: 'k1', alg: 'EdDSA', publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() })
  const app = await createServiceApp({
    service: 'routing', title: 't', description: 'd', logLevel: 'silent', bodyLimit: 1024, checks: {},
    auth: { keys, signing: { kid: 'k1', privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } }
  })
  app.get('/send', { onRequest: app.requireScopes('documents:send') }, async (request) => ({ agency: request.agency }))
  app.get('/official', { onRequest: app.requireScopes('documents:send') }, async (request) => ({ name: request.tokenClaims?.name ?? null }))
  t.teardown(() => app.close())
  await app.ready()
  return app
}

const call = async (app: ServiceApp, token: string): Promise<{ status: number, body: Record<string, unknown> }> => {
  const res = await app.inject({ method: 'GET', url: '/send', headers: { authorization: `Bearer ${token}` } })
  return { status: res.statusCode, body: res.json() }
}

t.test('a token is accepted again and again, and refused once it expires even after it was accepted', async (t) => {
  const app = await build(t)
  const token = await app.jwt.sign({ sub: '000.00.31.H38', scope: 'documents:send', cid: 'c1' }, { expiresIn: 2 })
  for (let i = 0; i < 3; i++) t.same(await call(app, token), { status: 200, body: { agency: '000.00.31.H38' } })
  await sleep(2_100)
  const expired = await call(app, token)
  t.equal(expired.status, 401)
  t.equal(expired.body.code, 'RTE_UNAUTHORIZED')
  t.match(expired.body.detail, /expired/)
})

t.test('a token accepted once is still held to the scopes of each route', async (t) => {
  const app = await build(t)
  app.log.level = 'silent'
  const token = await app.jwt.sign({ sub: '000.00.31.H38', scope: 'documents:read', cid: 'c1' }, { expiresIn: 60 })
  for (let i = 0; i < 2; i++) {
    const res = await call(app, token)
    t.equal(res.status, 403)
    t.equal(res.body.code, 'RTE_FORBIDDEN')
  }
})

t.test('a token altered after one was accepted is verified, and refused', async (t) => {
  const app = await build(t)
  const token = await app.jwt.sign({ sub: '000.00.31.H38', scope: 'documents:send', cid: 'c1' }, { expiresIn: 60 })
  t.equal((await call(app, token)).status, 200)
  const [header, , signature] = token.split('.')
  const forged = `${header}.${Buffer.from(JSON.stringify({ sub: '000.00.00.H38', scope: 'documents:send', cid: 'c1', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.${signature}`
  const res = await call(app, forged)
  t.equal(res.status, 401, 'the same signature under other claims is not taken for the cached token')
})

t.test('an official\u2019s token, with the name registry adds to it, is accepted and the name reaches the route', async (t) => {
  const app = await build(t)
  const official = await app.jwt.sign({ sub: '000.00.31.H38', scope: 'documents:send', cid: 'mail:vanthu@laocai.gov.vn', name: 'Nguyễn Văn A' }, { expiresIn: 60 })
  t.same(await call(app, official), { status: 200, body: { agency: '000.00.31.H38' } })
  const named = await app.inject({ method: 'GET', url: '/official', headers: { authorization: `Bearer ${official}` } })
  t.same(named.json(), { name: 'Nguyễn Văn A' })
  const dms = await app.jwt.sign({ sub: '000.00.31.H38', scope: 'documents:send', cid: 'c1' }, { expiresIn: 60 })
  t.same((await app.inject({ method: 'GET', url: '/official', headers: { authorization: `Bearer ${dms}` } })).json(), { name: null })
})
