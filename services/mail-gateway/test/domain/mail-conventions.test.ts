import t, { type Test } from 'tap'
import { readMailConventions, readDate, STEP_CODES, type ConventionResult, type MailConventions } from '../../src/domain/mail-conventions.ts'

function ok (t: Test, result: ConventionResult): MailConventions {
  if (!result.ok) {
    t.fail(`expected the mail to be read, got: ${result.problems.map((p) => p.en).join('; ')}`)
    throw new Error('not read')
  }
  return result.value
}

function problems (t: Test, result: ConventionResult): Array<{ field: string, vi: string, en: string }> {
  if (result.ok) {
    t.fail('expected problems, the mail was read')
    return []
  }
  return result.problems
}

const read = (text: string, subject = 'V/v báo cáo quý III') => readMailConventions({ subject, text })

t.test('the step codes are the edXML statuses', async (t) => {
  t.same(STEP_CODES, { tiepnhan: '03', dangxuly: '05', hoanthanh: '06', tuchoi: '02' })
})

t.test('a number line alone is enough: number and notation split at the first slash', async (t) => {
  const value = ok(t, read('Số: 45/UBND-VP\n\nKính gửi anh chị, xin gửi báo cáo.'))
  t.same(value, { fields: { number: '45', notation: 'UBND-VP' }, subject: 'V/v báo cáo quý III' })
})

t.test('a notation may hold Vietnamese letters, dots and further slashes', async (t) => {
  const value = ok(t, read('Số: 7/QĐ-UBND.VP/2026'))
  t.same(value.fields, { number: '7', notation: 'QĐ-UBND.VP/2026' })
  t.same(ok(t, read('Số : 12 / BC-UBND')).fields, { number: '12', notation: 'BC-UBND' }, 'spaces around the colon and slash are tolerated')
  t.same(ok(t, read('Số: 12/BC-UBND.')).fields, { number: '12', notation: 'BC-UBND' }, 'a full stop after the line is not part of the notation')
})

t.test('every field line is read, labels compared without marks and case', async (t) => {
  const value = ok(t, read([
    'so ky hieu: 45/UBND-VP',
    'LOẠI VĂN BẢN: Công văn',
    'Ngay ban hanh: 26/11/2026',
    'Hạn xử lý: 2026-12-05',
    'Do khan: thuong khan',
    'Người ký: Nguyễn Văn An',
    'chức vụ: Chủ tịch',
    'Kính gửi: UBND huyện Bát Xát',
    'Loại: Tờ trình'
  ].join('\n')))
  t.same(value.fields, {
    number: '45',
    notation: 'UBND-VP',
    type: 'Công văn',
    issuedAt: '2026-11-26',
    dueDate: '2026-12-05',
    priority: 2,
    signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' }
  }, 'the block ends at "Kính gửi:", so the later "Loại:" is body text')
})

t.test('the short labels Loại, Ngày, Hạn mean the same as the long ones', async (t) => {
  const value = ok(t, read('Số: 1/BC\nLoại: Báo cáo\nNgày: 2026-01-05\nHạn: 5/1/2026'))
  t.same(value.fields, { number: '1', notation: 'BC', type: 'Báo cáo', issuedAt: '2026-01-05', dueDate: '2026-01-05' })
})

t.test('each priority word, with or without marks, and old-style tone placement', async (t) => {
  const cases: Array<[string, number]> = [
    ['Thường', 0], ['thuong', 0], ['Khẩn', 1], ['KHAN', 1], ['Thượng khẩn', 2], ['thuong  khan', 2],
    ['Hỏa tốc', 3], ['Hoả tốc', 3], ['hoa toc', 3], ['Hỏa tốc hẹn giờ', 4], ['3', 3]
  ]
  for (const [word, priority] of cases) t.equal(ok(t, read(`Số: 1/BC\nĐộ khẩn: ${word}`)).fields.priority, priority, word)
})

t.test('dates in the ways officials write them, and only real days', async (t) => {
  t.equal(readDate('26/11/2026'), '2026-11-26')
  t.equal(readDate('5/1/2026'), '2026-01-05')
  t.equal(readDate('26.11.2026'), '2026-11-26')
  t.equal(readDate('26-11-2026'), '2026-11-26')
  t.equal(readDate('2026-11-26'), '2026-11-26')
  t.equal(readDate('ngày 26 tháng 11 năm 2026'), '2026-11-26')
  t.equal(readDate('29/02/2028'), '2028-02-29', 'a leap day')
  for (const bad of ['30/02/2026', '2026-13-01', '31/04/2026', '26/11/26', 'hôm nay', '2026/11/26x', '00/01/2026']) t.equal(readDate(bad), undefined, bad)
})

t.test('a bad date, a bad priority and a bad number are each a problem, all told at once', async (t) => {
  const found = problems(t, read('Số: 45\nNgày: 30/02/2026\nHạn: mai\nĐộ khẩn: rất gấp', ''))
  t.same(found.map((p) => p.field).sort(), ['dueDate', 'issuedAt', 'number', 'priority', 'subject'])
  const byField = Object.fromEntries(found.map((p) => [p.field, p]))
  t.match(byField.issuedAt!.vi, '"30/02/2026" không phải là một ngày hợp lệ')
  t.match(byField.priority!.vi, 'Thường, Khẩn, Thượng khẩn, Hỏa tốc')
  t.match(byField.number!.vi, 'Số: 45/UBND-VP')
})

t.test('number and notation must match the contracts: letters and digits, a notation without spaces', async (t) => {
  for (const bad of ['Số: 45-a/UBND', 'Số: 123456789012345678901/X', 'Số: 45/UBND VP', 'Số: 45/-UBND', 'Số: /UBND-VP', 'Số: 45/', 'Số: 45/' + 'A'.repeat(61)]) {
    const found = problems(t, read(bad))
    t.same(found.map((p) => p.field), ['number'], bad)
  }
})

t.test('without a number line the official is told the convention with an example', async (t) => {
  const [only, ...more] = problems(t, read('Kính gửi anh chị,\nxin gửi báo cáo.'))
  t.same(more, [])
  t.equal(only!.field, 'number')
  t.match(only!.vi, 'Số: 45/UBND-VP')
  t.match(only!.vi, 'dòng đầu tiên')
  t.match(only!.en, 'So: 45/UBND-VP')
})

t.test('a number line below other text is not read, and the official is told it must be at the top', async (t) => {
  const [only] = problems(t, read('Kính gửi anh chị,\nSố: 45/UBND-VP'))
  t.equal(only!.field, 'number')
  t.match(only!.vi, 'phải nằm ở đầu thư')
})

t.test('an empty body or a body of quotes only lacks the number', async (t) => {
  t.same(problems(t, read('')).map((p) => p.field), ['number'])
  t.same(problems(t, read('\n\n> Số: 12/UBND-VP\n> Loại: Công văn')).map((p) => p.field), ['number'], 'a quoted number line is not the answer\'s')
})

t.test('a field given twice is a problem rather than a silent choice', async (t) => {
  const found = problems(t, read('Số: 45/UBND-VP\nSố: 46/UBND-VP'))
  t.same(found.map((p) => p.field), ['number'])
  t.match(found[0]!.vi, 'hai lần')
})

t.test('an empty field value is a problem', async (t) => {
  t.same(problems(t, read('Số: 45/UBND-VP\nLoại:')).map((p) => p.field), ['type'])
})

t.test('a position without the signer name is a problem; a signer without position is fine', async (t) => {
  t.same(problems(t, read('Số: 45/UBND-VP\nChức vụ: Chủ tịch')).map((p) => p.field), ['signer'])
  t.same(ok(t, read('Số: 45/UBND-VP\nNgười ký: Lò Văn Hùng')).fields.signer, { fullName: 'Lò Văn Hùng' })
  t.same(ok(t, read('Số: 45/UBND-VP\nChức vụ: Phó Chủ tịch\nNgười ký: Lò Văn Hùng')).fields.signer, { fullName: 'Lò Văn Hùng', position: 'Phó Chủ tịch' }, 'in either order')
})

t.test('each step word on the first line is read, with the note after it', async (t) => {
  for (const [word, step] of [['#tiepnhan', 'tiepnhan'], ['#dangxuly', 'dangxuly'], ['#hoanthanh', 'hoanthanh'], ['#tuchoi', 'tuchoi']] as const) {
    const value = ok(t, read(`${word}\nSố: 45/UBND-VP`))
    t.equal(value.step, step, word)
    t.equal(value.stepNote, undefined)
  }
  const value = ok(t, read('#tuchoi: Văn bản gửi nhầm cơ quan\nSố: 45/UBND-VP'))
  t.equal(value.step, 'tuchoi')
  t.equal(value.stepNote, 'Văn bản gửi nhầm cơ quan')
})

t.test('a step word however it is typed: marks, case, dashes, underscores, spaces', async (t) => {
  for (const typed of ['#hoànthành', '#HoanThanh', '#hoan-thanh', '#hoan_thanh', '#Hoàn Thành', '#HOÀN-THÀNH', '#hoànthành'.normalize('NFD')]) {
    t.equal(ok(t, read(`${typed} xong rồi\nSố: 45/UBND-VP`)).step, 'hoanthanh', typed)
  }
  t.equal(ok(t, read('#đang xử lý\nSố: 45/UBND-VP')).step, 'dangxuly')
  t.equal(ok(t, read('#Từ chối - thiếu hồ sơ\nSố: 45/UBND-VP')).stepNote, 'thiếu hồ sơ')
})

t.test('an unknown hashtag is a problem naming the known ones', async (t) => {
  for (const line of ['#xong', '#hoanthanhroi', '#', '#1']) {
    const found = problems(t, read(`${line}\nSố: 45/UBND-VP`))
    t.same(found.map((p) => p.field), ['step'], line)
    for (const word of ['#tiepnhan', '#dangxuly', '#hoanthanh', '#tuchoi']) {
      t.match(found[0]!.vi, word)
      t.match(found[0]!.en, word)
    }
  }
})

t.test('a hashtag is read only on the first line; later it is just text and ends the field block', async (t) => {
  const value = ok(t, read('Số: 45/UBND-VP\n#hoanthanh'))
  t.equal(value.step, undefined)
})

t.test('the subject is the trích yếu once any number of reply and forward prefixes are gone', async (t) => {
  const cases: Array<[string, string]> = [
    ['Re: V/v họp', 'V/v họp'],
    ['RE: Fwd: FW: TL: V/v họp', 'V/v họp'],
    ['Trả lời: Chuyển tiếp: V/v họp', 'V/v họp'],
    ['tra loi: V/v họp', 'V/v họp'],
    ['TRẢ LỜI:V/v họp', 'V/v họp'],
    ['Re[2]: Re : V/v họp', 'V/v họp'],
    ['  \t V/v   họp  ', 'V/v họp'],
    ['Report: quý III', 'Report: quý III'],
    ['Thông báo: lịch họp', 'Thông báo: lịch họp']
  ]
  for (const [subject, expected] of cases) t.equal(ok(t, read('Số: 1/BC', subject)).subject, expected, subject)
})

t.test('a reply that keeps the mailed subject loses the gateway\u2019s label and number too', async (t) => {
  const cases: Array<[string, string]> = [
    ['Re: [Khẩn] 12/QĐ-UBND: Về việc phòng chống rét', 'Về việc phòng chống rét'],
    ['RE: 7/UBND-VP: Báo cáo tuần', 'Báo cáo tuần'],
    ['TL: [Hỏa tốc hẹn giờ] 3/CT-UBND: Chỉ thị', 'Chỉ thị'],
    ['V/v 12/QĐ-UBND: giữ nguyên', 'V/v 12/QĐ-UBND: giữ nguyên'],
    ['12/QĐ-UBND:', '12/QĐ-UBND:']
  ]
  for (const [subject, expected] of cases) t.equal(ok(t, read('Số: 1/BC', subject)).subject, expected, subject)
})

t.test('an empty subject, or one of prefixes only, is a problem', async (t) => {
  for (const subject of ['', '   ', 'Re:', 'Re: Fwd: ']) {
    t.same(problems(t, read('Số: 1/BC', subject)).map((p) => p.field), ['subject'], JSON.stringify(subject))
  }
})

t.test('CRLF, a BOM, non-breaking spaces and NFD text read the same as clean text', async (t) => {
  const clean = '#hoànthành Đã xong\nSố: 45/QĐ-UBND\nLoại: Quyết định\nĐộ khẩn: Hỏa tốc\nNgười ký: Nguyễn Văn An'
  const messy = '\uFEFF' + clean.normalize('NFD').replace(/\n/g, '\r\n').replace(/: /g, ':\u00A0')
  const a = ok(t, readMailConventions({ subject: 'Re: Về việc ứng phó bão', text: clean }))
  const b = ok(t, readMailConventions({ subject: 'Re:\u00A0Về việc ứng phó bão'.normalize('NFD'), text: messy }))
  t.same(b, a)
  t.equal(b.fields.notation, 'QĐ-UBND', 'the notation comes out NFC')
  t.equal(b.subject, 'Về việc ứng phó bão'.normalize('NFC'))
})

t.test('a reply that quotes the original below the attribution line reads only the official\'s part', async (t) => {
  const gmail = [
    '#tiepnhan',
    'Số: 45/UBND-VP',
    '',
    'Vào Th 5, 26 thg 11, 2026 vào lúc 08:00 Liên thông văn bản <vanban@lienthong.local> đã viết:',
    'Số: 12/UBND-VP',
    'Loại văn bản: Công văn'
  ].join('\n')
  t.same(ok(t, read(gmail)).fields, { number: '45', notation: 'UBND-VP' })

  // Nothing above the attribution: the number line quoted below it is the original's, not a misplaced one.
  const quotedFirst = 'On Thu, Nov 26, 2026 at 8:00 AM Lien thong <vanban@lienthong.local> wrote:\nSố: 12/UBND-VP'
  const [first] = problems(t, read(quotedFirst))
  t.equal(first!.field, 'number')
  t.match(first!.vi, 'chưa ghi số', 'told the number is missing, not that it is misplaced')

  const wrapped = 'On Thu, Nov 26, 2026 at 8:00 AM Lien thong <vanban@lienthong.local>\nwrote:\nSố: 12/UBND-VP'
  const [second] = problems(t, read(wrapped))
  t.match(second!.vi, 'chưa ghi số', 'an attribution wrapped over two lines ends the mail too')

  const outlook = 'Số: 45/UBND-VP\n\n-----Original Message-----\nSố: 12/UBND-VP'
  t.same(ok(t, read(outlook)).fields, { number: '45', notation: 'UBND-VP' })
})

t.test('quoted lines are skipped, even between field lines', async (t) => {
  const value = ok(t, read('> quoted\nSố: 45/UBND-VP\n> Loại: Công văn\nLoại: Báo cáo'))
  t.same(value.fields, { number: '45', notation: 'UBND-VP', type: 'Báo cáo' })
})

t.test('blank lines between the step line and the field block are allowed; a blank line ends the block', async (t) => {
  const value = ok(t, read('#dangxuly\n\n\nSố: 45/UBND-VP\n\nLoại: Công văn'))
  t.same(value.fields, { number: '45', notation: 'UBND-VP' })
  t.equal(value.step, 'dangxuly')
})

t.test('every problem has a Vietnamese explanation and an ASCII English one for the SMTP reply', async (t) => {
  const found = problems(t, read('#không-biết\nSố: 45 / UBND VP\nNgày: 31/02/2026\nHạn: 99/99/9999\nĐộ khẩn: gấp\nLoại:\nChức vụ: Chủ tịch', 'Re:'))
  t.ok(found.length >= 6, `${found.length} problems`)
  for (const p of found) {
    t.match(p.vi, /[àáảãạăâđêôơưạ-ỹ]/i, `vi is Vietnamese: ${p.vi}`)
    t.match(p.en, /^[\x20-\x7e]+$/, `en is ASCII: ${p.en}`)
  }
})

t.test('limits of the contracts are explained before the document is built', async (t) => {
  t.same(problems(t, read('Số: 1/BC', 'x'.repeat(2001))).map((p) => p.field), ['subject'])
  t.same(problems(t, read(`Số: 1/BC\nLoại: ${'x'.repeat(101)}`)).map((p) => p.field), ['type'])
  t.same(problems(t, read(`#tuchoi ${'x'.repeat(2001)}\nSố: 1/BC`)).map((p) => p.field), ['step'])
})
