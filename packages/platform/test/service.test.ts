import t from 'tap'
import { z } from 'zod'
import { createServiceApp, runService, type ServiceApp } from '../src/service.ts'
import { AuthKeys } from '../src/auth-keys.ts'

async function build (t: { teardown: (fn: () => unknown) => void }, logLevel = 'silent'): Promise<ServiceApp> {
  const app = await createServiceApp({ service: 'routing', title: 'Routing test', description: 'routes documents', logLevel, bodyLimit: 1024, auth: { keys: new AuthKeys() }, checks: {} })
  app.post('/v1/things', {
    schema: { summary: 'make a thing', body: z.object({ name: z.string() }), response: { 200: z.object({ id: z.string() }) } }
  }, async (request) => ({ id: request.body.name }))
  app.get('/v1/documents/:id', { schema: { params: z.object({ id: z.string() }) } }, async (request) => ({ id: request.params.id }))
  t.teardown(() => app.close())
  return app
}

t.test('the app takes the options it is given', async (t) => {
  const app = await build(t, 'warn')
  t.equal(app.log.level, 'warn')
  t.equal(app.initialConfig.bodyLimit, 1024)
})

t.test('response schemas serialize through zod', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 'x' } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { id: 'x' })
})

t.test('a document id longer than Fastify\'s default 100-char param limit reaches the route', async (t) => {
  const app = await build(t)
  const id = `000.00.31.H38,2026/11/26,12/${'UBND-VP'.repeat(20)}`
  t.ok(id.length > 100)
  const res = await app.inject(`/v1/documents/${encodeURIComponent(id)}`)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { id })
})

t.test('/metrics is Prometheus text with the service label and request durations', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 'x' } })
  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain/)
  t.match(res.body, /# TYPE http_request_duration_seconds histogram/)
  t.match(res.body, /# TYPE process_cpu_user_seconds_total counter/, 'process defaults are collected')
  const count = res.body.split('\n').find((l) => l.startsWith('http_request_duration_seconds_count{') && l.includes('route="/v1/things"'))
  t.ok(count, 'the request was observed with its route')
  t.match(count, /method="POST"/)
  t.match(count, /status="200"/)
  t.match(count, /service="routing"/)
  t.match(count, / 1$/)
})

t.test('each app has its own metrics registry', async (t) => {
  const a = await build(t)
  const b = await build(t)
  t.not(a.metrics, b.metrics)
  await a.inject({ method: 'POST', url: '/v1/things', payload: { name: 'x' } })
  t.notMatch((await b.inject('/metrics')).body, /route="\/v1\/things"/, 'b saw no request')
})

t.test('/docs/json is an OpenAPI document of the routes', async (t) => {
  const app = await build(t)
  const res = await app.inject('/docs/json')
  t.equal(res.statusCode, 200)
  const doc = res.json() as { openapi: string, info: { title: string, description: string }, paths: Record<string, Record<string, { summary?: string, requestBody?: unknown }>>, components: { securitySchemes: Record<string, unknown> } }
  t.match(doc.openapi, /^3\./)
  t.equal(doc.info.title, 'Routing test')
  t.equal(doc.info.description, 'routes documents')
  t.equal(doc.paths['/v1/things']?.post?.summary, 'make a thing')
  t.ok(doc.paths['/v1/things']?.post?.requestBody, 'the zod body became a request body schema')
  t.ok(doc.paths['/v1/documents/{id}']?.get)
  t.notOk(doc.paths['/metrics'], 'hidden routes stay out')
  t.same(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
  const ui = await app.inject('/docs')
  t.equal(ui.statusCode, 200, '/docs serves the browsable UI')
  t.match(ui.headers['content-type'], /^text\/html/)
})

t.test('errors are problem+json from the start', async (t) => {
  const app = await build(t)
  const res = await app.inject('/v1/missing')
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], 'application/problem+json')
  t.equal((res.json() as { code: string }).code, 'RTE_NOT_FOUND')
})

t.test('runService builds and listens', async (t) => {
  const app = await runService(async () => await build(t), { host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  t.ok(address !== null && typeof address === 'object' && address.port > 0)
  const port = address !== null && typeof address === 'object' ? address.port : 0
  const res = await fetch(`http://127.0.0.1:${port}/metrics`)
  t.equal(res.status, 200)
  t.match(await res.text(), /http_request_duration_seconds/)
})
