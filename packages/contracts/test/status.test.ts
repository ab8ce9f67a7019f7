import t from 'tap'
import { Channel, Official, STATUS_CODES, StatusCode, StatusMessage } from '../src/status.ts'

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

t.test('StatusMessage', async (t) => {
  const msg = {
    documentId: '000.00.00.H38,2026/11/26,12/UBND-VP',
    sender: '000.00.00.H38',
    recipient: '000.00.31.H38',
    code: '03',
    channel: 'online',
    at: '2026-11-26T08:00:00+07:00'
  }
  t.same(StatusMessage.parse(msg), msg)
  t.ok(StatusMessage.safeParse({ ...msg, at: '2026-11-26T01:00:00Z', note: 'ok', official: { name: 'B' } }).success)
  t.equal(StatusMessage.safeParse({ ...msg, at: '2026-11-26' }).success, false, 'at must be a datetime')
  t.equal(StatusMessage.safeParse({ ...msg, code: '07' }).success, false)
  t.equal(StatusMessage.safeParse({ ...msg, channel: 'fax' }).success, false)
  t.equal(StatusMessage.safeParse({ ...msg, recipient: 'x' }).success, false)
  t.equal(StatusMessage.safeParse({ ...msg, note: 'x'.repeat(2001) }).success, false)
})
