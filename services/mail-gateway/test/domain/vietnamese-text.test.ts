import t from 'tap'
import { cleanText, cutAtWord, escapeHtml, fold, isCalendarDate, singleLine, viDate, viSize } from '../../src/domain/vietnamese-text.ts'

t.test('text from a mail client comes out NFC, with LF line ends, plain spaces and no BOM', async (t) => {
  const messy = '\uFEFFSố:\u00A045\r\nHạn:\u202F30/11\rx\u200By'.normalize('NFD')
  t.equal(cleanText(messy), 'Số: 45\nHạn: 30/11\nxy')
  t.equal(cleanText(messy), cleanText(messy).normalize('NFC'))
})

t.test('one line: breaks and control characters become single spaces', async (t) => {
  t.equal(singleLine('  a\r\n\tb\u0000c\u2028d  '), 'a b c d')
})

t.test('folding drops marks and case, and reads đ as d', async (t) => {
  t.equal(fold('Hỏa Tốc'), 'hoa toc')
  t.equal(fold('hoả tốc'), 'hoa toc')
  t.equal(fold('ĐANG XỬ LÝ'), 'dang xu ly')
  t.equal(fold('Thượng khẩn'.normalize('NFD')), 'thuong khan')
})

t.test('HTML escaping covers the five characters that can change markup', async (t) => {
  t.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
})

t.test('cutting keeps short text whole and cuts long text at a space, within the limit', async (t) => {
  t.equal(cutAtWord('Về việc họp', 20), 'Về việc họp')
  t.equal(cutAtWord('Về việc tổ chức hội nghị tổng kết', 20), 'Về việc tổ chức hội…')
  t.equal(cutAtWord('Về việc tổ chức, hội nghị', 17), 'Về việc tổ chức…', 'no comma left before the ellipsis')
  for (let max = 5; max < 40; max++) t.ok(cutAtWord('Về việc tổ chức hội nghị tổng kết công tác năm', max).length <= max, `max ${max}`)
})

t.test('a run without spaces is cut between graphemes, keeping marks and surrogate pairs whole', async (t) => {
  const nfd = 'ệ'.normalize('NFD').repeat(10)
  const cut = cutAtWord(nfd, 8)
  t.equal(cut, 'ệ'.normalize('NFD').repeat(2) + '…', 'two letters of three units each (e and two marks), then the ellipsis')
  t.equal(cutAtWord('😀'.repeat(10), 6), '😀😀…')
  t.equal(cutAtWord('Xem https://example.gov.vn/a/very/long/path/to/the/document.pdf', 30), 'Xem https://example.gov.vn/a/…', 'a long link is cut into, not dropped')
})

t.test('dates in the Vietnamese order', async (t) => {
  t.equal(viDate('2026-01-05'), '05/01/2026')
  t.equal(viDate('not a date'), 'not a date')
  t.ok(isCalendarDate(2028, 2, 29))
  t.notOk(isCalendarDate(2026, 2, 29))
})

t.test('sizes with a decimal comma, in KB below a megabyte and MB above', async (t) => {
  t.equal(viSize(0), '0 KB')
  t.equal(viSize(10), '0,1 KB', 'a few bytes are not shown as nothing')
  t.equal(viSize(1536), '1,5 KB')
  t.equal(viSize(320 * 1024), '320 KB')
  t.equal(viSize(1024 * 1024), '1 MB')
  t.equal(viSize(12_345_678), '11,8 MB')
  t.equal(viSize(2000 * 1024 * 1024), '2.000 MB', 'a dot between thousands')
})
