// The server of the empty-route measure (empty-route.ts starts it): Fastify with one route that
// does nothing, in a process of its own as each service runs, so that its requests per second are
// what the framework and Node's HTTP take before any service code runs. Says its port on stdout.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/', async () => ({}))
await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`${app.server.address().port}\n`)
