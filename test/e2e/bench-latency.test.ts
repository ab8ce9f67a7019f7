// The benchmarks' percentiles (test/bench/latency.ts). Here because tap runs only the test folders
// it includes, and the benches are no test folder; nothing is started.
import t from 'tap'
import { percentile, summary } from '../bench/latency.ts'

t.test('percentile is the nearest rank: always a time measured, never one between two', async (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1) // 1 … 100 ms
  t.equal(percentile(hundred, 0.5), 50)
  t.equal(percentile(hundred, 0.99), 99)
  t.equal(percentile(hundred, 0.995), 100, 'a rank between two is rounded up')
  t.equal(percentile(hundred, 1), 100)
  t.equal(percentile(hundred, 0), 1, 'p0 is the least')
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  t.equal(percentile(ten, 0.95), 10, 'with ten times, p95 and p99 are the slowest')
  t.equal(percentile(ten, 0.5), 5)
  t.equal(percentile([7], 0.99), 7)
  t.ok(Number.isNaN(percentile([], 0.5)), 'no times, no percentile')
})

t.test('a percentile is asked as a fraction: 99 meant as "99 %" is refused, not answered with the max', async (t) => {
  t.throws(() => percentile([1, 2, 3], 99), RangeError)
  t.throws(() => percentile([1, 2, 3], -0.1), RangeError)
  t.throws(() => percentile([1, 2, 3], NaN), RangeError)
})

t.test('summary sorts the times itself and leaves the caller\'s order alone', async (t) => {
  const times = [40, 10, 30, 20, 1000, 50, 60, 70, 80, 90]
  const before = [...times]
  t.same(summary(times), { count: 10, p50: 50, p95: 1000, p99: 1000, max: 1000, mean: 145 })
  t.same(times, before)
  // sorted as numbers, not as text (where 100 < 20)
  t.same(summary([100, 20, 3]), { count: 3, p50: 20, p95: 100, p99: 100, max: 100, mean: 41 })
  const many = summary(Float64Array.from({ length: 1000 }, (_, i) => 1000 - i))
  t.same([many.p50, many.p95, many.p99, many.max], [500, 950, 990, 1000])
})

t.test('summary of no times counts none and has no figures', async (t) => {
  const none = summary([])
  t.equal(none.count, 0)
  for (const figure of [none.p50, none.p95, none.p99, none.max, none.mean]) t.ok(Number.isNaN(figure))
})
