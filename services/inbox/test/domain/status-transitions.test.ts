import t from 'tap'
import { STATUS_CODES, type StatusCode } from '@lienthong/contracts'
import { NEXT_STEPS, RECALL_ANSWERS, allowedNext, nextSteps, recallTakesEffectAtOnce, type ItemStates } from '../../src/domain/status-transitions.ts'

const ALL = Object.keys(STATUS_CODES) as StatusCode[]
const can = (from: StatusCode, to: StatusCode): boolean => allowedNext(from).includes(to)

t.test('an arrived document is accepted or refused', async (t) => {
  t.equal(can('01', '03'), true, '01 → 03')
  t.equal(can('01', '02'), true, '01 → 02')
  t.equal(can('01', '06'), false, '01 → 06 skips acceptance')
  t.equal(can('01', '04'), false)
  t.equal(can('01', '05'), false)
  t.equal(can('01', '01'), false)
})

t.test('an accepted document is assigned, worked on, completed', async (t) => {
  t.same(allowedNext('03').slice().sort(), ['04', '05', '06'])
  t.same(allowedNext('04').slice().sort(), ['05', '06'])
  t.same(allowedNext('05'), ['06'])
  t.equal(can('03', '02'), false, 'an accepted document cannot be refused')
  t.equal(can('05', '04'), false, 'no going back')
})

t.test('completed and refused are terminal', async (t) => {
  t.same(allowedNext('06'), [])
  t.same(allowedNext('02'), [])
  t.equal(can('06', '03'), false)
  t.equal(can('02', '03'), false)
})

t.test('a recall request is agreed or refused, and those are terminal', async (t) => {
  t.same(allowedNext('13').slice().sort(), ['15', '16'])
  t.same(allowedNext('15'), [])
  t.same(allowedNext('16'), [])
})

t.test('the table covers every status code and names only status codes', async (t) => {
  t.same(Object.keys(NEXT_STEPS).sort(), ALL.slice().sort())
  for (const from of ALL) {
    for (const to of allowedNext(from)) {
      t.ok(ALL.includes(to), `${from} → ${to} is a status code`)
      t.not(to, from, `${from} does not loop on itself`)
    }
  }
})

t.test('01 is never a next step: arrival is recorded by the exchange, not the recipient', async (t) => {
  for (const from of ALL) t.notOk(allowedNext(from).includes('01'), from)
})

t.test('every path from 01 ends at 02 or 06', async (t) => {
  const reachable = new Set<StatusCode>()
  const queue: StatusCode[] = ['01']
  while (queue.length > 0) {
    const s = queue.shift() as StatusCode
    if (reachable.has(s)) continue
    reachable.add(s)
    queue.push(...allowedNext(s))
  }
  t.same([...reachable].sort(), ['01', '02', '03', '04', '05', '06'])
  const terminals = [...reachable].filter((s) => allowedNext(s).length === 0).sort()
  t.same(terminals, ['02', '06'])
})

t.test('nextSteps: the work, a pending recall, a withdrawn item', async (t) => {
  const item = (state: string, recallRequestedAt: Date | null = null, recallAnswer: string | null = null): ItemStates => ({ state, recallRequestedAt, recallAnswer })
  t.same(nextSteps(item('04')), { withdrawn: false, allowed: ['05', '06'] }, 'no recall: the work goes on')
  t.same(nextSteps(item('04', new Date())), { withdrawn: false, allowed: ['15', '16'] }, 'a recall to answer pauses the work')
  t.same(nextSteps(item('04', new Date(), '16')), { withdrawn: false, allowed: ['05', '06'] }, 'a refused recall resumes it where it was')
  t.same(nextSteps(item('06', new Date(), '16')), { withdrawn: false, allowed: [] })
  t.same(nextSteps(item('03', new Date(), '15')), { withdrawn: true }, 'an agreed recall withdraws the item')
  t.notOk((nextSteps(item('01')) as { allowed: readonly string[] }).allowed.some((c) => RECALL_ANSWERS.includes(c as StatusCode)), 'no answer without a recall')
})

t.test('a recall takes effect at once only before acceptance', async (t) => {
  t.same(['01', '02', '03', '04', '05', '06'].filter(recallTakesEffectAtOnce), ['01', '02'])
})
