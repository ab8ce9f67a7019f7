import t from 'tap'
import { searchQuery, searchableText } from '../../src/domain/subject-search.ts'
import { closedLate, dueAtOf, isOverdue } from '../../src/domain/due-date.ts'
import { formatServerSentEvent } from '../../src/domain/server-sent-events.ts'

t.test('a subject is searchable as written and without diacritics', async (t) => {
  t.equal(searchableText('Về việc phòng chống BÃO số 3'), 'về việc phòng chống bão số 3 ve viec phong chong bao so 3')
  t.equal(searchableText('Đường Điện Biên'), 'đường điện biên duong dien bien', 'đ is a letter of its own: folded to d')
  t.equal(searchableText('Kế hoạch 2027'.normalize('NFD')), searchableText('Kế hoạch 2027'), 'decomposed input folds the same')
  t.equal(searchableText('plain ascii'), 'plain ascii', 'nothing doubled when there is nothing to fold')
  t.equal(searchQuery('  Bão LŨ '), 'bão lũ')
})

t.test('a due date is the end of that day in Viet Nam', async (t) => {
  t.equal(dueAtOf('2026-12-31')?.toISOString(), '2026-12-31T16:59:59.999Z')
  t.equal(dueAtOf(undefined), null)
  const due = new Date('2026-11-26T10:00:00Z')
  t.equal(isOverdue({ dueAt: due, closedAt: null }, new Date('2026-11-26T10:00:01Z')), true, 'open and past due')
  t.equal(isOverdue({ dueAt: due, closedAt: null }, new Date('2026-11-26T09:59:59Z')), false)
  t.equal(isOverdue({ dueAt: due, closedAt: new Date('2026-11-27T00:00:00Z') }, new Date('2026-11-28T00:00:00Z')), false, 'a closed file is not overdue')
  t.equal(isOverdue({ dueAt: null, closedAt: null }), false, 'no due date, never overdue')
  t.equal(closedLate({ dueAt: due, closedAt: new Date('2026-11-27T00:00:00Z') }), true)
  t.equal(closedLate({ dueAt: due, closedAt: new Date('2026-11-25T00:00:00Z') }), false)
})

t.test('server-sent events: one field per line, data split at line breaks', async (t) => {
  t.equal(formatServerSentEvent('7', 'item.arrived', '{"a":1}'), 'id: 7\nevent: item.arrived\ndata: {"a":1}\n\n')
  t.equal(formatServerSentEvent('8', 'x', 'one\ntwo\r\nthree'), 'id: 8\nevent: x\ndata: one\ndata: two\ndata: three\n\n', 'a line break cannot end the event early')
})
