import t from 'tap'
import { z } from 'zod'
import { createServiceApp, type ServiceApp } from '../src/service.ts'
import { AuthKeys } from '../src/auth-keys.ts'
import { errorFactory } from '../src/problem.ts'

const PROBLEM = 'application/problem+json'

async function build (t: { teardown: (fn: () => unknown) => void }): Promise<ServiceApp> {
  const app = await createServiceApp({ service: 'routing', title: 't', description: 'd', logLevel: 'silent', bodyLimit: 1024, auth: { keys: new AuthKeys() }, checks: {} })
  const fail = errorFactory('routing')
  app.post('/things', {
    schema: { body: z.object({ name: z.string().min(1), count: z.number().int().max(10), nested: z.object({ code: z.string() }).optional() }) }
  }, async (request) => ({ got: request.body.name }))
  app.get('/app-error', async () => { throw fail('UNKNOWN_RECIPIENT', 'not in the directory: 000.00.99.H38', { recipients: ['000.00.99.H38'] }) })
  app.get('/plain-error', async () => { throw new Error('db password is hunter2') })
  app.get('/client-error', async () => { throw Object.assign(new Error('bad range'), { statusCode: 400 }) })
  app.get('/rate-limited', async () => { throw Object.assign(new Error('Rate limit exceeded, retry in 1 minute'), { statusCode: 429 }) })
  t.teardown(() => app.close())
  return app
}

function problem (res: { headers: Record<string, unknown>, json: () => unknown }): Record<string, unknown> {
  return res.json() as Record<string, unknown>
}

t.test('a valid body reaches the handler', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'a', count: 1 } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { got: 'a' })
})

t.test('malformed JSON → 400 RTE_MALFORMED_JSON', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"name": "a",' })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], PROBLEM)
  const p = problem(res)
  t.equal(p.code, 'RTE_MALFORMED_JSON')
  t.equal(p.status, 400)
  t.equal(p.type, 'urn:lienthong:problem:RTE_MALFORMED_JSON')
  t.equal(p.instance, '/things')
  t.type(p.title, 'string')
})

t.test('an empty JSON body → 400 RTE_MALFORMED_JSON', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '' })
  t.equal(res.statusCode, 400)
  t.equal(problem(res).code, 'RTE_MALFORMED_JSON')
})

t.test('schema violation → 400 RTE_VALIDATION_FAILED with an errors array', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/things', payload: { name: '', count: 11, nested: { code: 5 } } })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], PROBLEM)
  const p = problem(res)
  t.equal(p.code, 'RTE_VALIDATION_FAILED')
  t.equal(p.status, 400)
  const errors = p.errors as Array<{ in: string, path: string, message: string }>
  t.ok(Array.isArray(errors))
  t.equal(errors.length, 3, 'every violation is listed')
  for (const e of errors) {
    t.equal(e.in, 'body')
    t.type(e.message, 'string')
  }
  t.same(errors.map((e) => e.path).sort(), ['/count', '/name', '/nested/code'])
  t.match(p.detail, /body\/name/)
})

t.test('a missing body on a route with a body schema → 400 VALIDATION_FAILED', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/things' })
  t.equal(res.statusCode, 400)
  t.equal(problem(res).code, 'RTE_VALIDATION_FAILED')
})

t.test('body over the limit → 413 RTE_BODY_TOO_LARGE', async (t) => {
  const app = await build(t)
  const payload = JSON.stringify({ name: 'x'.repeat(1100), count: 1 })
  t.ok(Buffer.byteLength(payload) > 1024)
  const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload })
  t.equal(res.statusCode, 413)
  t.match(res.headers['content-type'], PROBLEM)
  t.equal(problem(res).code, 'RTE_BODY_TOO_LARGE')
  const small = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x'.repeat(900), count: 1 } })
  t.equal(small.statusCode, 200, 'a body under the limit passes')
})

t.test('an unsupported content type → 415 RTE_UNSUPPORTED_MEDIA_TYPE', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/xml' }, payload: '<a/>' })
  t.equal(res.statusCode, 415)
  t.equal(problem(res).code, 'RTE_UNSUPPORTED_MEDIA_TYPE')
})

t.test('unknown route → 404 RTE_NOT_FOUND, without the query string', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/nowhere?token=abc' })
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], PROBLEM)
  const p = problem(res)
  t.equal(p.code, 'RTE_NOT_FOUND')
  t.equal(p.detail, 'no route GET /nowhere')
  const wrongMethod = await app.inject({ method: 'DELETE', url: '/things' })
  t.equal(wrongMethod.statusCode, 404)
  t.equal(problem(wrongMethod).code, 'RTE_NOT_FOUND')
})

t.test('a thrown AppError keeps its code, status, detail and extensions', async (t) => {
  const app = await build(t)
  const res = await app.inject('/app-error')
  t.equal(res.statusCode, 422)
  t.match(res.headers['content-type'], PROBLEM)
  t.same(res.json(), {
    type: 'urn:lienthong:problem:RTE_UNKNOWN_RECIPIENT',
    title: 'A recipient is not in the directory',
    status: 422,
    code: 'RTE_UNKNOWN_RECIPIENT',
    detail: 'not in the directory: 000.00.99.H38',
    instance: '/app-error',
    recipients: ['000.00.99.H38']
  })
})

t.test('a plain Error → 500 RTE_INTERNAL without leaking its message', async (t) => {
  const app = await build(t)
  const res = await app.inject('/plain-error')
  t.equal(res.statusCode, 500)
  t.match(res.headers['content-type'], PROBLEM)
  const p = problem(res)
  t.equal(p.code, 'RTE_INTERNAL')
  t.equal(p.status, 500)
  t.notMatch(res.body, 'hunter2')
  t.notMatch(res.body, 'stack')
})

t.test('an error with a 4xx statusCode becomes a 4xx problem', async (t) => {
  const app = await build(t)
  const res = await app.inject('/client-error')
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], PROBLEM)
  t.equal(problem(res).code, 'RTE_VALIDATION_FAILED')
})

t.test('an error with statusCode 429 (e.g. from a rate-limit plugin) keeps its status', async (t) => {
  const app = await build(t)
  const res = await app.inject('/rate-limited')
  t.equal(res.statusCode, 429, 'a 429 must not be turned into a 400')
  t.equal(problem(res).code, 'RTE_RATE_LIMITED')
})
