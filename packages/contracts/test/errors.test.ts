import t from 'tap'
import { COMMON_ERRORS, SERVICE_ERRORS, SERVICE_PREFIXES, errorCode, type ErrorKind, type ServiceName } from '../src/errors.ts'

const services = Object.keys(SERVICE_PREFIXES) as ServiceName[]

t.test('every common and service error has a 4xx/5xx status and a title', async (t) => {
  const kinds: Array<[string, ErrorKind]> = Object.entries(COMMON_ERRORS)
  for (const s of services) for (const [k, v] of Object.entries(SERVICE_ERRORS[s] as Record<string, ErrorKind>)) kinds.push([`${s}.${k}`, v])
  t.ok(kinds.length > 15)
  for (const [name, kind] of kinds) {
    t.ok(Number.isInteger(kind.status) && kind.status >= 400 && kind.status <= 599, `${name} status ${kind.status}`)
    t.ok(kind.title.length > 0, `${name} has a title`)
  }
})

t.test('every service has an entry, and no service kind shadows a common kind', async (t) => {
  t.same(Object.keys(SERVICE_ERRORS).sort(), services.slice().sort())
  for (const s of services) {
    for (const k of Object.keys(SERVICE_ERRORS[s])) t.notOk(k in COMMON_ERRORS, `${s}.${k}`)
  }
})

t.test('the common kinds carry their usual statuses', async (t) => {
  t.equal(COMMON_ERRORS.MALFORMED_JSON.status, 400)
  t.equal(COMMON_ERRORS.VALIDATION_FAILED.status, 400)
  t.equal(COMMON_ERRORS.UNAUTHORIZED.status, 401)
  t.equal(COMMON_ERRORS.FORBIDDEN.status, 403)
  t.equal(COMMON_ERRORS.NOT_FOUND.status, 404)
  t.equal(COMMON_ERRORS.BODY_TOO_LARGE.status, 413)
  t.equal(COMMON_ERRORS.UNSUPPORTED_MEDIA_TYPE.status, 415)
  t.equal(COMMON_ERRORS.RATE_LIMITED.status, 429)
  t.equal(COMMON_ERRORS.INTERNAL.status, 500)
  t.equal(COMMON_ERRORS.UNAVAILABLE.status, 503)
  t.equal(SERVICE_ERRORS.routing.UNKNOWN_RECIPIENT.status, 422)
  t.equal(SERVICE_ERRORS.inbox.TRANSITION_NOT_ALLOWED.status, 409)
})

t.test('errorCode prefixes the kind with the service', async (t) => {
  t.equal(errorCode('registry', 'INVALID_CLIENT'), 'REG_INVALID_CLIENT')
  t.equal(errorCode('routing', 'UNKNOWN_RECIPIENT'), 'RTE_UNKNOWN_RECIPIENT')
  t.equal(errorCode('inbox', 'ITEM_NOT_FOUND'), 'INB_ITEM_NOT_FOUND')
  t.equal(errorCode('signatures', 'INTERNAL'), 'SIG_INTERNAL')
  t.equal(errorCode('audit', 'NOT_FOUND'), 'AUD_NOT_FOUND')
  t.equal(errorCode('mail', 'UNAUTHORIZED'), 'MAIL_UNAUTHORIZED')
  const prefixes = Object.values(SERVICE_PREFIXES)
  t.equal(new Set(prefixes).size, prefixes.length, 'prefixes are distinct')
  for (const p of prefixes) t.match(p, /^[A-Z]+$/)
})

t.test('every code is unique across services', async (t) => {
  const codes = new Set<string>()
  let n = 0
  for (const s of services) {
    for (const k of [...Object.keys(COMMON_ERRORS), ...Object.keys(SERVICE_ERRORS[s])]) {
      codes.add(errorCode(s, k))
      n++
    }
  }
  t.equal(codes.size, n)
})
