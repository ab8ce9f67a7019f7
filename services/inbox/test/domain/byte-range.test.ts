import t from 'tap'
import { parseRange, rangeStillApplies } from '../../src/domain/byte-range.ts'

t.test('one range is served as asked, clipped to the file', async (t) => {
  t.same(parseRange('bytes=0-99', 1000), { kind: 'partial', start: 0, end: 99 })
  t.same(parseRange('bytes=900-', 1000), { kind: 'partial', start: 900, end: 999 })
  t.same(parseRange('bytes=-100', 1000), { kind: 'partial', start: 900, end: 999 })
  t.same(parseRange('bytes=-5000', 1000), { kind: 'partial', start: 0, end: 999 }, 'a suffix longer than the file is the file')
  t.same(parseRange('bytes=500-5000', 1000), { kind: 'partial', start: 500, end: 999 })
  t.same(parseRange('bytes=999-999', 1000), { kind: 'partial', start: 999, end: 999 })
  t.same(parseRange('Bytes = 1 - 2', 1000), { kind: 'partial', start: 1, end: 2 }, 'unit case and spaces')
})

t.test('a range outside the file cannot be satisfied', async (t) => {
  t.same(parseRange('bytes=1000-', 1000), { kind: 'unsatisfiable' })
  t.same(parseRange('bytes=1000-2000', 1000), { kind: 'unsatisfiable' })
  t.same(parseRange('bytes=-0', 1000), { kind: 'unsatisfiable' })
  t.same(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' }, 'an empty file has no byte 0')
  t.same(parseRange('bytes=-1', 0), { kind: 'unsatisfiable' })
})

t.test('what is not one byte range is ignored: the whole file', async (t) => {
  t.same(parseRange(undefined, 1000), { kind: 'whole' })
  t.same(parseRange('bytes=0-1,5-6', 1000), { kind: 'whole' }, 'several ranges')
  t.same(parseRange('items=0-1', 1000), { kind: 'whole' }, 'another unit')
  t.same(parseRange('bytes=5-1', 1000), { kind: 'whole' }, 'last before first')
  t.same(parseRange('bytes=-', 1000), { kind: 'whole' })
  t.same(parseRange('bytes=a-b', 1000), { kind: 'whole' })
  t.same(parseRange('bytes=99999999999999999999-', 1000), { kind: 'whole' }, 'a number past safe integers')
})

t.test('If-Range keeps a range only for the same file', async (t) => {
  t.equal(rangeStillApplies(undefined, '"abc"'), true)
  t.equal(rangeStillApplies('"abc"', '"abc"'), true)
  t.equal(rangeStillApplies('"old"', '"abc"'), false)
  t.equal(rangeStillApplies('Wed, 21 Oct 2015 07:28:00 GMT', '"abc"'), false)
})
