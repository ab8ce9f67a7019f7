import t from 'tap'
import { LoginThrottle } from '../../src/domain/login-throttle.ts'

t.test('failures are free at first, then held back longer and longer, up to the maximum', async (t) => {
  const throttle = new LoginThrottle({ lockAfter: 100, maxDelayMs: 1_000 })
  const delays = Array.from({ length: 9 }, () => throttle.fail(['client:a'], 1_000))
  t.same(delays, [0, 0, 0, 100, 200, 400, 800, 1_000, 1_000])
})

t.test('after the limit the keys are refused until the window has passed', async (t) => {
  const throttle = new LoginThrottle({ lockAfter: 3, windowMs: 60_000 })
  for (let i = 0; i < 3; i++) throttle.fail(['client:a', 'ip:1.2.3.4'], 10_000)
  t.equal(throttle.lockedFor(['client:a'], 10_000), 60)
  t.equal(throttle.lockedFor(['ip:1.2.3.4'], 40_000), 30, 'the address too, counting down')
  t.equal(throttle.lockedFor(['client:b'], 10_000), 0, 'another client is not affected')
  t.equal(throttle.lockedFor(['client:a'], 70_001), 0, 'free again after the window')
  t.equal(throttle.fail(['client:a'], 70_001), 0, 'and counting starts over')
})

t.test('a success clears the client count but not the address', async (t) => {
  const throttle = new LoginThrottle({ lockAfter: 2 })
  throttle.fail(['client:a', 'ip:x'], 0)
  throttle.fail(['client:a', 'ip:x'], 0)
  throttle.succeed('client:a')
  t.equal(throttle.lockedFor(['client:a'], 1), 0)
  t.ok(throttle.lockedFor(['ip:x'], 1) > 0)
})
