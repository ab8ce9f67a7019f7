import t from 'tap'
import { AppError, errorFactory } from '../src/problem.ts'

t.test('a service error: code, status, title, problem fields', async (t) => {
  const fail = errorFactory('routing')
  const err = fail('UNKNOWN_RECIPIENT', 'not in the directory: 000.00.99.H38', { recipients: ['000.00.99.H38'] })
  t.ok(err instanceof AppError)
  t.ok(err instanceof Error)
  t.equal(err.name, 'AppError')
  t.equal(err.code, 'RTE_UNKNOWN_RECIPIENT')
  t.equal(err.status, 422)
  t.equal(err.title, 'A recipient is not in the directory')
  t.equal(err.message, 'not in the directory: 000.00.99.H38')
  t.same(err.toProblem('/v1/documents'), {
    type: 'urn:lienthong:problem:RTE_UNKNOWN_RECIPIENT',
    title: 'A recipient is not in the directory',
    status: 422,
    code: 'RTE_UNKNOWN_RECIPIENT',
    detail: 'not in the directory: 000.00.99.H38',
    instance: '/v1/documents',
    recipients: ['000.00.99.H38']
  })
})

t.test('toProblem without an instance leaves it out', async (t) => {
  const p = errorFactory('inbox')('ITEM_NOT_FOUND').toProblem()
  t.notOk('instance' in p)
  t.equal(p.code, 'INB_ITEM_NOT_FOUND')
  t.equal(p.status, 404)
  t.equal(p.detail, 'No such item in this inbox', 'detail defaults to the title')
})

t.test('common kinds exist for every service, with its prefix', async (t) => {
  const u = errorFactory('routing')('UNAUTHORIZED')
  t.equal(u.code, 'RTE_UNAUTHORIZED')
  t.equal(u.status, 401)
  t.equal(errorFactory('registry')('NOT_FOUND').code, 'REG_NOT_FOUND')
  t.equal(errorFactory('audit')('INTERNAL').status, 500)
  t.equal(errorFactory('mail')('RATE_LIMITED').code, 'MAIL_RATE_LIMITED')
  t.equal(errorFactory('signatures')('UNAVAILABLE').status, 503)
})

t.test('an unknown kind throws, including another service\'s kind', async (t) => {
  t.throws(() => errorFactory('routing')('NO_SUCH_KIND' as never), { message: 'unknown error kind NO_SUCH_KIND for routing' })
  t.throws(() => errorFactory('registry')('UNKNOWN_RECIPIENT' as never), /unknown error kind UNKNOWN_RECIPIENT for registry/)
})

t.test('extensions cannot be mistaken for the standard fields when absent', async (t) => {
  const p = errorFactory('routing')('EMPTY_GROUP', 'none').toProblem('/x')
  t.same(Object.keys(p).sort(), ['code', 'detail', 'instance', 'status', 'title', 'type'])
})
