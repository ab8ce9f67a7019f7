import t from 'tap'
import { PriorityDispatcher } from '../src/priority-dispatcher.ts'

/** A handler whose every call waits until the test lets it finish, recording the order of starts. */
function gated (): { started: string[], finish: (item: string) => Promise<void>, run: (item: string) => Promise<void> } {
  const started: string[] = []
  const gates = new Map<string, () => void>()
  return {
    started,
    // the slot frees in a later microtask: one macrotask turn lets the dispatcher act on it
    finish: async (item) => {
      gates.get(item)!()
      await new Promise((resolve) => setImmediate(resolve))
    },
    run: async (item) => {
      started.push(item)
      await new Promise<void>((resolve) => gates.set(item, resolve))
    }
  }
}

// lanes as in contracts: 0 hỏa tốc, 1 thượng khẩn, 2 khẩn, 3 thường
t.test('a freed slot takes the most urgent lane that has a message, whatever waited longer', async (t) => {
  const h = gated()
  const d = new PriorityDispatcher<string>(4, 2, h.run)
  for (let i = 0; i < 10; i++) d.push(3, `thuong-${i}`)
  t.same(h.started, ['thuong-0', 'thuong-1'], 'two slots, two in hand')
  t.equal(d.inHand, 2)
  d.push(2, 'khan-0')
  d.push(0, 'hoatoc-0')
  d.push(1, 'thuongkhan-0')
  t.same(h.started.length, 2, 'nothing starts while every slot is busy')
  await h.finish('thuong-0')
  t.equal(h.started[2], 'hoatoc-0', 'hỏa tốc overtakes eight normal ones that waited longer')
  await h.finish('thuong-1')
  t.equal(h.started[3], 'thuongkhan-0')
  await h.finish('hoatoc-0')
  t.equal(h.started[4], 'khan-0')
  await h.finish('thuongkhan-0')
  await h.finish('khan-0')
  t.same(h.started.slice(5), ['thuong-2', 'thuong-3'], 'then the backlog, oldest first')
  t.equal(d.waiting(3), 6)
})

t.test('never more in hand than slots', async (t) => {
  let inHand = 0
  let most = 0
  const d = new PriorityDispatcher<number>(2, 3, async () => {
    inHand++
    most = Math.max(most, inHand)
    await new Promise((resolve) => setImmediate(resolve))
    inHand--
  })
  for (let i = 0; i < 50; i++) d.push(i % 2, i)
  await d.idle()
  t.equal(most, 3)
  t.equal(d.waiting(0) + d.waiting(1), 0, 'every item was handled')
})

t.test('close gives back what waits and lets what is in hand finish', async (t) => {
  const h = gated()
  const d = new PriorityDispatcher<string>(2, 1, h.run)
  d.push(1, 'a')
  d.push(1, 'b')
  d.push(0, 'c')
  t.same(d.close(), ['c', 'b'], 'waiting items come back, most urgent lane first')
  d.push(0, 'd')
  const idle = d.idle()
  await h.finish('a')
  await idle
  t.same(h.started, ['a'], 'nothing new starts after close')
})

t.test('waitingSince names the items waiting longer than a moment', async (t) => {
  const d = new PriorityDispatcher<string>(2, 1, async () => { await new Promise(() => {}) })
  d.push(1, 'in-hand', 0)
  d.push(1, 'old', 100)
  d.push(0, 'new', 900)
  t.same(d.waitingSince(500), ['old'])
})

t.test('a rejected handler frees its slot', async (t) => {
  const seen: number[] = []
  const d = new PriorityDispatcher<number>(1, 1, async (i) => { seen.push(i); throw new Error('boom') })
  d.push(0, 1)
  d.push(0, 2)
  await d.idle()
  t.same(seen, [1, 2])
})
