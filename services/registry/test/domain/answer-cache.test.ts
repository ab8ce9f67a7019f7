import t from 'tap'
import { AnswerCache } from '../../src/domain/answer-cache.ts'

t.test('answers are made once, until the directory changes', async (t) => {
  const cache = new AnswerCache()
  let made = 0
  const make = async (): Promise<unknown> => ({ n: ++made })
  t.equal(await cache.get('/a', make), '{"n":1}')
  t.equal(await cache.get('/a', make), '{"n":1}', 'served from the cache')
  cache.clear()
  t.equal(await cache.get('/a', make), '{"n":2}', 'made again after a change')
})

t.test('an answer made while a change came in is not kept', async (t) => {
  const cache = new AnswerCache()
  let release!: () => void
  const slow = cache.get('/a', async () => { await new Promise<void>((resolve) => { release = resolve }); return 'old' })
  await new Promise((resolve) => setImmediate(resolve))
  cache.clear()
  release()
  t.equal(await slow, '"old"', 'the caller still gets its answer')
  t.equal(await cache.get('/a', async () => 'new'), '"new"', 'but the next one is made afresh')
})

t.test('a failure is not cached, and the size is bounded', async (t) => {
  const cache = new AnswerCache(2)
  await t.rejects(cache.get('/x', async () => { throw new Error('no agency') }))
  t.equal(await cache.get('/x', async () => 1), '1')
  await cache.get('/y', async () => 2)
  await cache.get('/z', async () => 3)
  t.equal(await cache.get('/x', async () => 'evicted'), '"evicted"', 'the oldest went first')
})
