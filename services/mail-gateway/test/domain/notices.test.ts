import t from 'tap'
import { refusalNotice, sentNotice, type SentNoticeInput } from '../../src/domain/notices.ts'

const agencies = (n: number) => Array.from({ length: n }, (_, i) => ({ code: `000.${String(i + 1).padStart(2, '0')}.31.H38`, name: `UBND xã số ${i + 1}` }))

const sent = (more: Partial<SentNoticeInput> = {}): SentNoticeInput => ({
  officialName: 'Lò Văn Hùng',
  documentId: '000.05.31.H38,2026/11/27,45/UBND-VP',
  number: '45',
  notation: 'UBND-VP',
  subject: 'V/v báo cáo kết quả thu ngân sách quý III',
  recipients: [{ code: '000.00.31.H38', name: 'UBND huyện Bát Xát' }],
  ...more
})

t.test('the sent notice names the document in its subject', async (t) => {
  t.equal(sentNotice(sent()).subject, 'Đã gửi: 45/UBND-VP V/v báo cáo kết quả thu ngân sách quý III')
})

t.test('a long trích yếu is cut in the subject between words, and kept whole in the body', async (t) => {
  const subject = 'Về việc triển khai kế hoạch chuyển đổi số năm 2026 '.repeat(10).trim()
  const notice = sentNotice(sent({ subject }))
  t.ok(notice.subject.length <= 250)
  t.match(notice.subject, /^Đã gửi: 45\/UBND-VP Về việc .*\S…$/)
  t.match(notice.text, `Trích yếu: ${subject}`)
})

t.test('the sent notice says it was sent, to whom, and under which id', async (t) => {
  const notice = sentNotice(sent({ recipients: [{ code: '000.00.31.H38', name: 'UBND huyện Bát Xát' }, { code: '000.00.01.H38', name: 'Sở Tài chính' }] }))
  const lines = notice.text.split('\n')
  t.equal(lines[0], 'Kính gửi Lò Văn Hùng,')
  t.match(notice.text, 'đã được gửi')
  t.ok(lines.includes('- Số/ký hiệu: 45/UBND-VP'))
  t.ok(lines.includes('- Mã văn bản: 000.05.31.H38,2026/11/27,45/UBND-VP'))
  t.ok(lines.includes('Nơi nhận (2 cơ quan):'))
  t.ok(lines.includes('- UBND huyện Bát Xát (000.00.31.H38)'))
  t.ok(lines.includes('- Sở Tài chính (000.00.01.H38)'))
  t.notMatch(notice.text, /trả lời cho|Tình trạng xử lý/, 'no answer, no step: not mentioned')
})

t.test('up to 30 recipients are all named', async (t) => {
  const notice = sentNotice(sent({ recipients: agencies(30) }))
  t.match(notice.text, 'Nơi nhận (30 cơ quan):')
  t.match(notice.text, '- UBND xã số 30 (000.30.31.H38)')
  t.notMatch(notice.text, 'cơ quan khác')
})

t.test('more than 30 recipients: the count, the first 30, then how many others', async (t) => {
  const notice = sentNotice(sent({ recipients: agencies(152) }))
  t.match(notice.text, 'Nơi nhận (152 cơ quan):')
  t.match(notice.text, '- UBND xã số 30 (000.30.31.H38)')
  t.notMatch(notice.text, 'UBND xã số 31 ')
  t.match(notice.text, /^- và 122 cơ quan khác$/m)
  t.equal((notice.html.match(/<li>UBND xã số/g) ?? []).length, 30)
  t.match(notice.html, '<li>và 122 cơ quan khác</li>')
})

t.test('an answer says which document it answers', async (t) => {
  const notice = sentNotice(sent({ answerTo: { documentId: '000.00.31.H38,2026/11/20,7/UBND-VP' } }))
  t.match(notice.text, 'Là văn bản trả lời cho: 000.00.31.H38,2026/11/20,7/UBND-VP')
})

t.test('each recorded step is named as an official knows it', async (t) => {
  const answerTo = { documentId: '000.00.31.H38,2026/11/20,7/UBND-VP' }
  for (const [code, label] of [['03', 'Đã tiếp nhận'], ['05', 'Đang xử lý'], ['06', 'Hoàn thành'], ['02', 'Từ chối']] as const) {
    const notice = sentNotice(sent({ answerTo, step: { code, recorded: true } }))
    t.match(notice.text, `Tình trạng xử lý: đã ghi nhận "${label}" (${code}) cho văn bản ${answerTo.documentId}.`, code)
  }
})

t.test('a step that was not recorded says why, and that the document went anyway', async (t) => {
  const notice = sentNotice(sent({ answerTo: { documentId: 'X' }, step: { code: '06', recorded: false, reason: 'văn bản đã hoàn thành từ trước.' } }))
  t.match(notice.text, 'chưa ghi nhận được "Hoàn thành" (06) cho văn bản X, vì: văn bản đã hoàn thành từ trước.')
  t.match(notice.text, 'vẫn được gửi')
  const noReason = sentNotice(sent({ step: { code: '05', recorded: false } }))
  t.match(noReason.text, 'vì: không rõ lý do')
})

t.test('the sent notice HTML shows names and the trích yếu as text', async (t) => {
  const notice = sentNotice(sent({ officialName: '<b>Hùng</b>', subject: '<script>alert(1)</script> & "x"', recipients: [{ code: '000.00.31.H38', name: 'UBND <i>huyện</i>' }] }))
  t.notMatch(notice.html, /<script|<b>|<i>/)
  t.match(notice.html, '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;')
  t.match(notice.html, 'UBND &lt;i&gt;huyện&lt;/i&gt; (000.00.31.H38)')
  t.match(notice.html, 'Kính gửi &lt;b&gt;Hùng&lt;/b&gt;,')
  t.match(notice.html, '<html lang="vi">')
})

t.test('line breaks in names and subjects cannot break the notice subject', async (t) => {
  t.equal(sentNotice(sent({ subject: 'a\r\nBcc: x@y.vn' })).subject, 'Đã gửi: 45/UBND-VP a Bcc: x@y.vn')
  t.equal(refusalNotice({ officialName: '', mailSubject: 'Re: a\nb', code: 'X', problems: [] }).subject, 'Không gửi được: Re: a b')
})

t.test('the refusal says nothing was sent, lists every problem, the code, and how to fix it', async (t) => {
  const notice = refusalNotice({
    officialName: 'Lò Văn Hùng',
    mailSubject: 'Re: [Khẩn] 12/UBND-VP: V/v họp',
    code: 'MAIL_CONVENTIONS',
    problems: ['Thư chưa ghi số và ký hiệu của văn bản.', 'Độ khẩn "gấp" không được hiểu.']
  })
  t.equal(notice.subject, 'Không gửi được: Re: [Khẩn] 12/UBND-VP: V/v họp')
  const lines = notice.text.split('\n')
  t.equal(lines[0], 'Kính gửi Lò Văn Hùng,')
  t.match(notice.text, 'không có văn bản nào được gửi đi')
  t.ok(lines.includes('Lý do (2 điểm cần sửa):'))
  t.ok(lines.includes('- Thư chưa ghi số và ký hiệu của văn bản.'))
  t.ok(lines.includes('- Độ khẩn "gấp" không được hiểu.'))
  t.ok(lines.includes('Mã lỗi: MAIL_CONVENTIONS'))
  t.match(notice.text, 'Cách khắc phục')
  t.match(notice.text, /^1\. Ở dòng đầu tiên của thư, ghi số và ký hiệu/m, 'the conventions, without "reply to this mail"')
  t.notMatch(notice.text, 'Bấm "Trả lời"', 'replying to the refusal would not send anything')
  t.match(notice.text, /^    Số: 45\/UBND-VP$/m)
  t.match(notice.html, '<li>Độ khẩn &quot;gấp&quot; không được hiểu.</li>')
  t.match(notice.html, 'Mã lỗi: MAIL_CONVENTIONS')
})

t.test('a refusal with one problem, or a mail without subject or sender name, still reads well', async (t) => {
  const notice = refusalNotice({ officialName: '  ', mailSubject: '', code: 'MAIL_MALFORMED_MIME', problems: ['Thư không đúng cấu trúc.'] })
  t.equal(notice.subject, 'Không gửi được: (thư không có tiêu đề)')
  t.match(notice.text, /^Kính gửi anh\/chị,$/m)
  t.match(notice.text, /^Lý do:$/m)
})

t.test('the refusal HTML shows the problems and the mail subject as text', async (t) => {
  const notice = refusalNotice({ officialName: 'A', mailSubject: '<img src=x onerror=alert(1)>', code: 'RTE_POLICY_REFUSED', problems: ['Tệp "<script>.pdf" không phải là tệp PDF'] })
  t.notMatch(notice.html, /<img|<script/)
  t.match(notice.html, '&lt;img src=x onerror=alert(1)&gt;')
  t.match(notice.html, 'Tệp &quot;&lt;script&gt;.pdf&quot;')
})
