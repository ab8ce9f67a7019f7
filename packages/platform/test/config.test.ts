import t from 'tap'
import { z } from 'zod'
import { BaseConfig, loadConfig } from '../src/config.ts'

t.test('defaults fill in what the environment leaves out', async (t) => {
  const c = loadConfig(BaseConfig, { DATABASE_URL: 'postgres://u@localhost:5432/db' })
  // t.has: the base schema may grow more settings; these must keep their defaults
  t.has(c, {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    DATABASE_URL: 'postgres://u@localhost:5432/db',
    NATS_URL: 'nats://127.0.0.1:7402',
    BODY_LIMIT: 1_048_576
  })
})

t.test('values are read and coerced', async (t) => {
  const c = loadConfig(BaseConfig, { DATABASE_URL: 'postgres://x/y', BODY_LIMIT: '2048', LOG_LEVEL: 'debug', NODE_ENV: 'test' })
  t.equal(c.BODY_LIMIT, 2048)
  t.equal(c.LOG_LEVEL, 'debug')
  t.equal(c.NODE_ENV, 'test')
})

t.test('the error names every bad key, not just the first', async (t) => {
  const err = t.throws(() => loadConfig(BaseConfig, { LOG_LEVEL: 'loud', NODE_ENV: 'staging', BODY_LIMIT: '-5' })) as Error
  t.match(err.message, /^invalid configuration:\n/)
  const lines = err.message.split('\n').slice(1)
  const keys = lines.map((l) => l.trim().split(':')[0]).sort()
  for (const key of ['BODY_LIMIT', 'DATABASE_URL', 'LOG_LEVEL', 'NODE_ENV']) t.ok(keys.includes(key), `${key} is named`)
  t.notOk(keys.includes('HOST'), 'a key that was fine is not named')
  t.equal(new Set(keys).size, keys.length, 'one line per problem')
  for (const l of lines) t.match(l, /^ {2}[A-Z_]+: \S/, 'each line is "  KEY: message"')
})

t.test('a malformed URL is refused', async (t) => {
  t.throws(() => loadConfig(BaseConfig, { DATABASE_URL: 'not a url' }), /DATABASE_URL/)
  t.throws(() => loadConfig(BaseConfig, { DATABASE_URL: 'postgres://x/y', BODY_LIMIT: 'lots' }), /BODY_LIMIT/)
})

t.test('a service extends the base schema', async (t) => {
  const Routing = BaseConfig.extend({ PORT: z.coerce.number().int().default(7102), SECRET: z.string().min(8) })
  t.equal(loadConfig(Routing, { DATABASE_URL: 'postgres://x/y', SECRET: '12345678' }).PORT, 7102)
  const err = t.throws(() => loadConfig(Routing, { DATABASE_URL: 'postgres://x/y', PORT: 'x' })) as Error
  t.match(err.message, /PORT/)
  t.match(err.message, /SECRET/)
})

t.test('reads process.env by default', async (t) => {
  const saved = process.env.DATABASE_URL
  t.teardown(() => { if (saved === undefined) delete process.env.DATABASE_URL; else process.env.DATABASE_URL = saved })
  process.env.DATABASE_URL = 'postgres://from-env/db'
  t.equal(loadConfig(BaseConfig).DATABASE_URL, 'postgres://from-env/db')
})
