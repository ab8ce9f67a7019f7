import t from 'tap'
import { retryDelayMs } from '../../src/domain/webhook-retry.ts'

const schedule = { baseMs: 10_000, maxMs: 3_600_000, giveUpMs: 26 * 3_600_000 }
const middle = (): number => 0.5

t.test('each wait is twice the one before, up to the longest', async (t) => {
  const waits = Array.from({ length: 12 }, (_, i) => retryDelayMs(schedule, i + 1, middle))
  t.same(waits, [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 2_560_000, 3_600_000, 3_600_000, 3_600_000])
  t.equal(retryDelayMs(schedule, 1000, middle), 3_600_000, 'however many attempts')
  t.equal(retryDelayMs(schedule, 0, middle), 10_000, 'before any attempt: the first wait')
})

t.test('jitter spreads a wait by a fifth either way, never past the longest', async (t) => {
  t.equal(retryDelayMs(schedule, 1, () => 0), 8_000)
  t.equal(retryDelayMs(schedule, 1, () => 0.999999), 12_000)
  t.equal(retryDelayMs(schedule, 3, () => 0), 32_000)
  t.equal(retryDelayMs(schedule, 20, () => 0), 2_880_000)
  t.equal(retryDelayMs(schedule, 20, () => 0.999999), 3_600_000)
})
