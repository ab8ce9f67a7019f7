import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export type ReadinessCheck = () => Promise<void> | void

/**
 * `/healthz` answers while the process runs; `/readyz` only while every backing server answers,
 * so a load balancer stops sending work to a copy that cannot store it.
 */
export const health = fp<{ checks: Record<string, ReadinessCheck> }>(async (app: FastifyInstance, opts) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const results: Record<string, string> = {}
    let ready = true
    for (const [name, check] of Object.entries(opts.checks)) {
      try {
        await check()
        results[name] = 'ok'
      } catch (err) {
        ready = false
        results[name] = (err as Error).message
      }
    }
    return await reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results })
  })
}, { name: 'health' })
