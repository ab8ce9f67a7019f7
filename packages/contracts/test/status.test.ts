import t from 'tap'
import { Channel, Official, STATUS_CODES, StatusCode } from '../src/status.ts'

t.test('the edXML status codes', async (t) => {
  t.same(Object.keys(STATUS_CODES).sort(), ['01', '02', '03', '04', '05', '06', '13', '15', '16'])
  t.equal(STATUS_CODES['01'], 'arrived')
  t.equal(STATUS_CODES['02'], 'refused')
  t.equal(STATUS_CODES['03'], 'accepted')
  t.equal(STATUS_CODES['06'], 'completed')
  t.equal(STATUS_CODES['13'], 'recall_requested')
  t.same(StatusCode.options.slice().sort(), Object.keys(STATUS_CODES).sort())
  for (const bad of ['1', '07', '14', 3, '']) t.equal(StatusCode.safeParse(bad).success, false, JSON.stringify(bad))
})

t.test('channel is online or paper', async (t) => {
  t.same(Channel.options, ['online', 'paper'])
  t.equal(Channel.safeParse('email').success, false)
})

t.test('official needs a name', async (t) => {
  t.ok(Official.safeParse({ name: 'Nguyễn Văn A' }).success)
  t.equal(Official.safeParse({ id: 'x' }).success, false)
  t.equal(Official.safeParse({ name: '' }).success, false)
})
