import t from 'tap'
import { TurnBatcher } from '../src/turn-batcher.ts'

t.test('calls made in one turn become one batch, answered in order', async (t) => {
  const batches: number[][] = []
  const b = new TurnBatcher<number, number>(async (xs) => { batches.push(xs); return xs.map((x) => x * 10) }, 3)
  const answers = await Promise.all([1, 2, 3, 4, 5].map(async (x) => await b.call(x)))
  t.same(answers, [10, 20, 30, 40, 50])
  t.same(batches, [[1, 2, 3], [4, 5]], 'at most `max` a batch')
  t.equal(await b.call(6), 60)
  t.same(batches[2], [6], 'a later turn is a batch of its own')
})

t.test('a failed batch is tried one by one: only the bad input fails', async (t) => {
  const batches: number[][] = []
  const b = new TurnBatcher<number, number>(async (xs) => {
    batches.push(xs)
    if (xs.includes(2)) throw new Error('two is bad')
    return xs
  })
  const results = await Promise.allSettled([1, 2, 3].map(async (x) => await b.call(x)))
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'])
  t.match((results[1] as PromiseRejectedResult).reason, { message: 'two is bad' })
  t.same(batches, [[1, 2, 3], [1], [2], [3]])
})
