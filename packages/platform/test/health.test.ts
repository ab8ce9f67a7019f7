import t from 'tap'
import Fastify from 'fastify'
import { health } from '../src/health.ts'

async function build (checks: Parameters<typeof health>[1]['checks']): Promise<ReturnType<typeof Fastify>> {
  const app = Fastify({ logger: false })
  await app.register(health, { checks })
  return app
}

t.test('healthz answers while the process runs', async (t) => {
  const app = await build({ db: () => { throw new Error('down') } })
  t.teardown(() => app.close())
  const res = await app.inject('/healthz')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})

t.test('readyz is 200 when every check passes, sync or async', async (t) => {
  let calls = 0
  const app = await build({ db: async () => { calls++ }, nats: () => { calls++ } })
  t.teardown(() => app.close())
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ready', checks: { db: 'ok', nats: 'ok' } })
  t.equal(calls, 2, 'every check ran')
  await app.inject('/readyz')
  t.equal(calls, 4, 'checks run on every request, not once')
})

t.test('readyz is 503 naming the failing check', async (t) => {
  const app = await build({
    db: async () => {},
    nats: async () => { throw new Error('connection closed') },
    directory: () => { throw new Error('not loaded') }
  })
  t.teardown(() => app.close())
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  t.same(res.json(), { status: 'not ready', checks: { db: 'ok', nats: 'connection closed', directory: 'not loaded' } })
})

t.test('readyz with no checks is ready', async (t) => {
  const app = await build({})
  t.teardown(() => app.close())
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ready', checks: {} })
})

t.test('readiness recovers when the check recovers', async (t) => {
  let up = false
  const app = await build({ db: () => { if (!up) throw new Error('refused') } })
  t.teardown(() => app.close())
  t.equal((await app.inject('/readyz')).statusCode, 503)
  up = true
  t.equal((await app.inject('/readyz')).statusCode, 200)
})
