import t from 'tap'
import { readMailConventions } from '../../src/domain/mail-conventions.ts'
import { guideHtml, guideText, replyGuide, writingGuide } from '../../src/domain/writing-guide.ts'

t.test('the example the guide gives is a mail the gateway reads, with the fields it shows', async (t) => {
  const read = readMailConventions({ subject: 'Re: V/v báo cáo quý III', text: writingGuide().example.join('\n') })
  t.ok(read.ok)
  if (read.ok) t.same(read.value.fields, { number: '45', notation: 'UBND-VP', type: 'Công văn', issuedAt: '2026-11-26', signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' } })
})

t.test('the example records no step, so an official who copies it records nothing by mistake', async (t) => {
  const read = readMailConventions({ subject: 'V/v', text: writingGuide().example.join('\n') })
  t.ok(read.ok && read.value.step === undefined)
})

t.test('the guide names every convention the reader knows', async (t) => {
  const text = guideText(writingGuide()).join('\n')
  for (const word of ['Số: 45/UBND-VP', 'Loại', 'Ngày', 'Hạn', 'Độ khẩn', 'Người ký', 'Chức vụ', 'Tiêu đề thư là trích yếu', '#tiepnhan', '#dangxuly', '#hoanthanh', '#tuchoi']) t.match(text, word)
})

t.test('replying to a document adds one first step to the writing guide', async (t) => {
  const reply = replyGuide()
  t.match(reply.steps[0], 'Trả lời')
  t.same(reply.steps.slice(1), writingGuide().steps)
  t.same(reply.example, writingGuide().example)
})

t.test('as text the steps are numbered and the example indented; as HTML it is escaped', async (t) => {
  const lines = guideText({ steps: ['một', 'hai'], example: ['Số: 1/A'] })
  t.same(lines, ['1. một', '2. hai', 'Ví dụ phần đầu thư:', '    Số: 1/A'])
  const html = guideHtml({ steps: ['<b>"x"</b>'], example: ['Số: 1/A & <B>'] })
  t.match(html, '<li>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</li>')
  t.match(html, 'Số: 1/A &amp; &lt;B&gt;</pre>')
})
