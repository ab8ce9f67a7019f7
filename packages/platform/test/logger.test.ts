import t from 'tap'
import pino from 'pino'
import { REDACTED_PATHS, loggerOptions } from '../src/logger.ts'

function capture (): { log: pino.Logger, text: () => string, records: () => Array<Record<string, unknown>> } {
  const lines: string[] = []
  const log = pino(loggerOptions('x', 'info'), { write: (s: string) => { lines.push(s) } })
  return {
    log,
    text: () => lines.join(''),
    records: () => lines.join('').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
  }
}

t.test('options: level, name, redaction', async (t) => {
  const o = loggerOptions('routing', 'warn')
  t.equal(o.level, 'warn')
  t.equal(o.name, 'routing')
  const { log, records } = capture()
  log.info('hello')
  log.debug('not at info')
  const r = records()
  t.equal(r.length, 1)
  t.equal(r[0]?.name, 'x')
  t.equal(r[0]?.msg, 'hello')
  t.ok(REDACTED_PATHS.includes('req.headers.authorization'))
})

t.test('the authorization header of a request is redacted', async (t) => {
  const { log, text } = capture()
  log.info({ req: { method: 'POST', headers: { authorization: 'Bearer eyJSECRET-AUTH', host: 'h' } } }, 'request')
  log.info({ headers: { authorization: 'Bearer eyJSECRET-HDR' } }, 'headers')
  log.info({ req: { headers: { cookie: 'session=SECRET-COOKIE' } } }, 'cookie')
  t.notMatch(text(), 'SECRET-AUTH')
  t.notMatch(text(), 'SECRET-HDR')
  t.notMatch(text(), 'SECRET-COOKIE')
  t.match(text(), '"authorization":"[redacted]"')
  t.match(text(), '"host":"h"', 'other headers stay')
})

t.test('secrets one level down are redacted', async (t) => {
  const { log, text } = capture()
  log.info({ body: { clientId: 'ltc_abc', clientSecret: 'SECRET-CS1' } }, 'token request')
  log.info({ key: { kid: 'k1', privateKey: 'SECRET-PK1' } }, 'key')
  log.info({ token: { accessToken: 'SECRET-AT1', expiresIn: 900 } }, 'token')
  log.info({ user: { password: 'SECRET-PW1' }, cfg: { secret: 'SECRET-S1' } }, 'other')
  for (const s of ['SECRET-CS1', 'SECRET-PK1', 'SECRET-AT1', 'SECRET-PW1', 'SECRET-S1']) t.notMatch(text(), s, s)
  t.match(text(), 'ltc_abc', 'the client id stays')
  t.match(text(), '"kid":"k1"')
})

t.test('secrets at the top level of a log object are redacted', async (t) => {
  // e.g. log.info({ clientSecret }, '…') — the most natural way to write it
  const { log, text } = capture()
  log.info({ clientId: 'ltc_abc', clientSecret: 'SECRET-CS0' }, 'issued credentials')
  log.info({ kid: 'k1', privateKey: 'SECRET-PK0' }, 'rotated key')
  log.info({ accessToken: 'SECRET-AT0' }, 'issued token')
  t.notMatch(text(), 'SECRET-CS0', 'clientSecret')
  t.notMatch(text(), 'SECRET-PK0', 'privateKey')
  t.notMatch(text(), 'SECRET-AT0', 'accessToken')
})

t.test('secrets two levels down are redacted', async (t) => {
  // e.g. log.error({ req: { body } }) for a refused POST /v1/auth/token
  const { log, text } = capture()
  log.info({ req: { body: { clientSecret: 'SECRET-CS2' } } }, 'request body')
  log.info({ res: { body: { accessToken: 'SECRET-AT2' } } }, 'response body')
  t.notMatch(text(), 'SECRET-CS2', 'req.body.clientSecret')
  t.notMatch(text(), 'SECRET-AT2', 'res.body.accessToken')
})
