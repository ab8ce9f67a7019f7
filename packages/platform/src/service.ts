import Fastify, { LogController, type FastifyInstance, type FastifyBaseLogger, type RawServerDefault, type RawRequestDefaultExpression, type RawReplyDefaultExpression } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import closeWithGrace from 'close-with-grace'
import type { ServiceName } from '@lienthong/contracts'
import { loggerOptions } from './logger.ts'
import { problemErrors } from './error-handler.ts'
import { metrics } from './metrics.ts'
import { openapi } from './openapi.ts'
import { auth, type AuthOptions } from './auth.ts'
import { health, type ReadinessCheck } from './health.ts'

export type ServiceApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>

export interface ServiceAppOptions {
  service: ServiceName
  title: string
  description: string
  logLevel: string
  bodyLimit: number
  trustProxy?: boolean | string[]
  /** the keys that verify access tokens, and (registry only) the key that signs them */
  auth: Omit<AuthOptions, 'service'>
  checks: Record<string, ReadinessCheck>
}

/** The Fastify instance every service starts from: logging, problem errors, metrics, OpenAPI, auth, health. */
export async function createServiceApp (opts: ServiceAppOptions): Promise<ServiceApp> {
  const app = Fastify({
    logger: loggerOptions(opts.service, opts.logLevel),
    bodyLimit: opts.bodyLimit,
    trustProxy: opts.trustProxy ?? false,
    // Document ids contain commas and slashes; clients send them URL-encoded in the path.
    routerOptions: { maxParamLength: 500 },
    // One line per request is noise at info level under load; debug brings them back.
    logController: new LogController({ disableRequestLogging: opts.logLevel !== 'debug' && opts.logLevel !== 'trace' })
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(problemErrors, { service: opts.service })
  await app.register(metrics, { service: opts.service })
  await app.register(openapi, { title: opts.title, description: opts.description })
  await app.register(auth, { service: opts.service, ...opts.auth })
  await app.register(health, { checks: opts.checks })
  return app
}

/**
 * A service's `main`: build, listen, and on SIGINT/SIGTERM stop taking work, let in-flight work
 * finish and close connections, so a restart loses nothing.
 */
export async function runService (build: () => Promise<ServiceApp>, listen: { host: string, port: number }): Promise<ServiceApp> {
  const app = await build()
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'stopping after an error')
    else app.log.info({ signal }, 'stopping')
    await app.close()
  })
  // Started by a supervisor over IPC (`lienthong up`, the test harness, the benches), a service
  // stops when the supervisor goes, the graceful way a SIGTERM takes: a supervisor killed outright
  // must not leave services running on their own. Started any other way, nothing changes.
  if (process.connected) process.once('disconnect', () => { process.kill(process.pid, 'SIGTERM') })
  await app.listen(listen)
  return app
}
