import t from 'tap'
import MailComposer from 'nodemailer/lib/mail-composer'
import { simpleParser } from 'mailparser'
import { buildEnvelope, type DeliveryMessage } from '@lienthong/contracts'
import { attachmentContentType, documentMail, mailbox, type DocumentMailInput } from '../../src/domain/document-mail.ts'

type DocumentInput = Parameters<typeof buildEnvelope>[0]['document']

function input (document: Partial<DocumentInput> = {}, more: { attachments?: Array<{ name: string, size: number }>, recipientName?: string } = {}): DocumentMailInput {
  const envelope = buildEnvelope({
    sender: '000.00.00.H38',
    to: ['000.05.31.H38'],
    document: { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: 'V/v báo cáo kết quả thu ngân sách quý III', issuedAt: '2026-11-26', ...document },
    attachments: (more.attachments ?? []).map((a) => ({ ...a, sha256: 'a'.repeat(64) })),
    signedAt: '2026-11-26T08:00:00.000Z'
  })
  const delivery: DeliveryMessage = { documentId: envelope.id, recipient: '000.05.31.H38', recipients: ['000.05.31.H38'], recipientCount: 1, sentAt: envelope.signedAt, envelope, signatures: { signer: 'a..b', agency: 'c..d' } }
  return {
    delivery,
    senderName: 'Ủy ban nhân dân tỉnh Lào Cai',
    recipientName: more.recipientName ?? 'UBND xã Bản Lầu',
    toAddress: 'banlau@laocai.gov.vn',
    from: '"Liên thông văn bản" <vanban@lienthong.local>',
    messageId: '<d1@lienthong.local>',
    replyTo: 'reply+tok123@lienthong.local'
  }
}

/** What a mail client shows after nodemailer has built the mail and a parser has read it back. */
async function overTheWire (mail: ReturnType<typeof documentMail>) {
  const raw = await new MailComposer(mail).compile().build()
  const head = raw.toString('latin1').split('\r\n\r\n')[0]!
  return { raw, head, parsed: await simpleParser(raw) }
}

t.test('the subject is number/notation and trích yếu, with no label for an ordinary document', async (t) => {
  const mail = documentMail(input())
  t.equal(mail.subject, '12/UBND-VP: V/v báo cáo kết quả thu ngân sách quý III')
  t.equal(mail.priority, 'normal')
  t.equal(mail.headers['X-Priority'], '3 (Normal)')
  t.equal(mail.headers.Importance, 'Normal')
})

t.test('each of the four priorities puts its Vietnamese label in the subject and marks the mail high', async (t) => {
  const labels = { 1: 'Khẩn', 2: 'Thượng khẩn', 3: 'Hỏa tốc', 4: 'Hỏa tốc hẹn giờ' } as const
  for (const p of [1, 2, 3, 4] as const) {
    const mail = documentMail(input({ priority: p }))
    t.equal(mail.subject, `[${labels[p]}] 12/UBND-VP: V/v báo cáo kết quả thu ngân sách quý III`, `priority ${p}`)
    t.equal(mail.priority, 'high')
    t.equal(mail.headers['X-Priority'], '1 (Highest)')
    t.equal(mail.headers.Importance, 'High')
    t.match(mail.text, new RegExp(`^Độ khẩn: ${labels[p]}$`, 'm'))
  }
})

t.test('a long trích yếu is cut between words to at most 250 characters, with an ellipsis', async (t) => {
  const words = 'Về việc triển khai thực hiện kế hoạch chuyển đổi số và phát triển chính quyền điện tử'
  const subject = Array.from({ length: 8 }, () => words).join(' ')
  const mail = documentMail(input({ subject, priority: 4 }))
  t.ok(mail.subject.length <= 250, `${mail.subject.length} characters`)
  t.ok(mail.subject.length > 200, 'not cut needlessly short')
  t.ok(mail.subject.endsWith('…'))
  const kept = mail.subject.replace(/^\[Hỏa tốc hẹn giờ\] 12\/UBND-VP: /, '').slice(0, -1)
  t.ok(subject.startsWith(kept), 'what is kept is the start of the trích yếu')
  t.ok(subject[kept.length] === ' ', 'the cut falls on a space between words')
})

t.test('an NFD trích yếu is cut without separating a letter from its tone mark', async (t) => {
  const subject = ('Hướng dẫn '.repeat(40)).normalize('NFD') + 'x'
  const mail = documentMail(input({ subject }))
  t.ok(mail.subject.length <= 250)
  t.equal(mail.subject, mail.subject.normalize('NFC'), 'the subject is NFC')
  t.notMatch(mail.subject, /\s\p{M}/u, 'no mark stranded after a space')
  const kept = mail.subject.slice('12/UBND-VP: '.length, -1)
  t.ok(subject.normalize('NFC').startsWith(kept + ' '), 'whole words of the NFC trích yếu are kept')
})

t.test('one endless word is cut between graphemes, never inside one', async (t) => {
  const subject = 'Đ'.repeat(100) + 'ệ'.normalize('NFD').repeat(300)
  const mail = documentMail(input({ subject }))
  t.ok(mail.subject.length <= 250)
  const body = mail.subject.slice('12/UBND-VP: '.length, -1)
  t.match(body, /^Đ+ệ+$/u, 'only whole letters: ệ stays ệ')
})

t.test('line breaks in a trích yếu cannot reach the header as line breaks', async (t) => {
  const mail = documentMail(input({ subject: 'Dòng một\r\nBcc: evil@x.vn\nDòng ba' }))
  t.equal(mail.subject, '12/UBND-VP: Dòng một Bcc: evil@x.vn Dòng ba')
})

t.test('headers name the document and the sender', async (t) => {
  const mail = documentMail(input({ notation: 'QĐ-UBND' }))
  t.same(decodeURI(mail.headers['X-Lienthong-Document']!), '000.00.00.H38,2026/11/26,12/QĐ-UBND')
  t.same(mail.headers['X-Lienthong-Sender'], '000.00.00.H38')
  t.equal(mail.from, '"Liên thông văn bản" <vanban@lienthong.local>')
  t.equal(mail.replyTo, 'reply+tok123@lienthong.local')
  t.equal(mail.messageId, '<d1@lienthong.local>')
})

t.test('the body lists every field with its Vietnamese label', async (t) => {
  const mail = documentMail(input({
    notation: 'QĐ-UBND',
    type: 'Quyết định',
    place: 'Lào Cai',
    priority: 2,
    dueDate: '2026-12-05',
    signer: { competence: 'KT. Chủ tịch', position: 'Phó Chủ tịch', fullName: 'Nguyễn Văn An' },
    responseFor: '000.00.31.H38,2026/11/20,7/UBND-VP'
  }))
  const lines = mail.text.split('\n')
  for (const line of [
    'Cơ quan gửi: Ủy ban nhân dân tỉnh Lào Cai (000.00.00.H38)',
    'Số/ký hiệu: 12/QĐ-UBND',
    'Loại văn bản: Quyết định',
    'Ngày ban hành: 26/11/2026',
    'Nơi ban hành: Lào Cai',
    'Trích yếu: V/v báo cáo kết quả thu ngân sách quý III',
    'Người ký: Phó Chủ tịch, Nguyễn Văn An (thẩm quyền: KT. Chủ tịch)',
    'Độ khẩn: Thượng khẩn',
    'Hạn xử lý: 05/12/2026',
    'Văn bản trả lời cho: 000.00.31.H38,2026/11/20,7/UBND-VP',
    'Mã văn bản: 000.00.00.H38,2026/11/26,12/QĐ-UBND'
  ]) t.ok(lines.includes(line), line)
  t.equal(lines[0], 'Kính gửi: UBND xã Bản Lầu')
})

t.test('fields a document does not have are left out, and an ordinary one says Thường', async (t) => {
  const mail = documentMail(input())
  const fields = mail.text.slice(0, mail.text.indexOf('Cách trả lời'))
  t.notMatch(fields, /Nơi ban hành|Người ký|Hạn xử lý|Văn bản trả lời cho|Văn bản này/)
  t.match(mail.text, /^Độ khẩn: Thường$/m)
  t.match(mail.text, /^Tệp đính kèm: không có$/m)
})

t.test('a signer without position or competence is just the name', async (t) => {
  const mail = documentMail(input({ signer: { fullName: 'Lò Thị Mai' } }))
  t.match(mail.text, /^Người ký: Lò Thị Mai$/m)
})

t.test('an update and a replacement say so and name the original', async (t) => {
  const original = '000.00.00.H38,2026/11/20,10/UBND-VP'
  const update = documentMail(input({ business: { type: 2, original, reason: 'Sai ngày họp' } }))
  t.match(update.text, `Văn bản này: Đính chính, cập nhật văn bản đã gửi: ${original} — lý do: Sai ngày họp`)
  const replacement = documentMail(input({ business: { type: 3, original } }))
  t.match(replacement.text, `Văn bản này: Thay thế văn bản đã gửi: ${original}`)
  t.match(replacement.html, 'Thay thế văn bản đã gửi')
})

t.test('attachments are listed with sizes written the Vietnamese way', async (t) => {
  const mail = documentMail(input({}, { attachments: [{ name: 'Quyết định 12.pdf', size: 1536 * 1024 }, { name: 'Phụ lục.xlsx', size: 320 * 1024 }, { name: 'ghi-chu.txt', size: 400 }, { name: 'Bản đồ.zip', size: 12_345_678 }] }))
  t.match(mail.text, /^Tệp đính kèm \(4, kèm theo thư này\):$/m)
  t.match(mail.text, /^- Quyết định 12\.pdf \(1,5 MB\)$/m)
  t.match(mail.text, /^- Phụ lục\.xlsx \(320 KB\)$/m)
  t.match(mail.text, /^- ghi-chu\.txt \(0,4 KB\)$/m)
  t.match(mail.text, /^- Bản đồ\.zip \(11,8 MB\)$/m)
  t.match(mail.html, '<li>Quyết định 12.pdf (1,5 MB)</li>')
})

t.test('the HTML body shows a hostile trích yếu, names and file names as text', async (t) => {
  const mail = documentMail({
    ...input({ subject: '<script>alert("x")</script> & <b>đậm</b>' }, { attachments: [{ name: '<img src=x onerror=alert(1)>.pdf', size: 10 }] }),
    senderName: 'UBND <i>tỉnh</i>'
  })
  t.notMatch(mail.html, /<script|<b>|<img|<i>/)
  t.match(mail.html, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;đậm&lt;/b&gt;')
  t.match(mail.html, '&lt;img src=x onerror=alert(1)&gt;.pdf')
  t.match(mail.html, 'UBND &lt;i&gt;tỉnh&lt;/i&gt;')
  t.match(mail.text, '<script>alert("x")</script>', 'the text body keeps the words as they are')
})

t.test('the body explains how to answer: reply, the number line, the step words', async (t) => {
  const mail = documentMail(input())
  t.match(mail.text, /^Cách trả lời$/m)
  t.match(mail.text, /^1\. Bấm "Trả lời" \(Reply\) thư này/m)
  t.match(mail.text, /^    Số: 45\/UBND-VP$/m, 'the example, indented')
  t.match(mail.html, '<pre style="background:#f4f4f4;padding:8px">Số: 45/UBND-VP')
  for (const word of ['#tiepnhan', '#dangxuly', '#hoanthanh', '#tuchoi']) {
    t.match(mail.text, word)
    t.match(mail.html, word)
  }
})

t.test('the recipient mailbox keeps a name with quotes and commas as one name', async (t) => {
  t.equal(mailbox('UBND xã "Bản Lầu", huyện Mường Khương', 'a@b.vn'), '"UBND xã \\"Bản Lầu\\", huyện Mường Khương" <a@b.vn>')
  t.equal(mailbox('', 'a@b.vn'), 'a@b.vn')
  const { parsed } = await overTheWire(documentMail(input({}, { recipientName: 'UBND xã "Bản Lầu", huyện Mường Khương' })))
  const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to
  t.same(to?.value, [{ name: 'UBND xã "Bản Lầu", huyện Mường Khương', address: 'banlau@laocai.gov.vn' }])
})

t.test('built by nodemailer, an urgent mail carries one X-Priority and one Importance, and reads back whole', async (t) => {
  const mail = documentMail(input({ priority: 3, subject: 'Về việc ứng phó bão số 3 & mưa lũ <khẩn>' }))
  const { head, parsed } = await overTheWire(mail)
  t.equal(head.match(/^X-Priority: 1 \(Highest\)$/gim)?.length, 1)
  t.equal(head.match(/^Importance: High$/gim)?.length, 1)
  t.notMatch(head, /[^\x00-\x7f]/, 'the header block is ASCII')
  t.equal(parsed.subject, mail.subject)
  t.equal(parsed.headers.get('x-lienthong-document'), '000.00.00.H38,2026/11/26,12/UBND-VP')
  t.equal(parsed.headers.get('x-lienthong-sender'), '000.00.00.H38')
  t.equal(parsed.headers.get('priority'), 'high', 'a mail client sees it as urgent')
  t.equal(parsed.replyTo?.value[0]?.address, 'reply+tok123@lienthong.local')
  t.equal(parsed.text?.trim(), mail.text.trim())
})

t.test('an ordinary document reads back as normal priority', async (t) => {
  const { parsed } = await overTheWire(documentMail(input()))
  t.equal(parsed.headers.get('priority'), 'normal')
})

t.test('a notation with Vietnamese letters travels in an ASCII header block, percent-encoded like a URI', async (t) => {
  const { head, parsed } = await overTheWire(documentMail(input({ notation: 'QĐ-UBND' })))
  t.notMatch(head, /[^\x00-\x7f]/)
  t.equal(parsed.headers.get('x-lienthong-document'), '000.00.00.H38,2026/11/26,12/Q%C4%90-UBND')
  t.equal(decodeURI(String(parsed.headers.get('x-lienthong-document'))), '000.00.00.H38,2026/11/26,12/QĐ-UBND')
})

t.test('attachment content types follow the extension, whatever its case', async (t) => {
  const expected: Record<string, string> = {
    'a.pdf': 'application/pdf',
    'a.DOC': 'application/msword',
    'a.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'a.xls': 'application/vnd.ms-excel',
    'a.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'a.odt': 'application/vnd.oasis.opendocument.text',
    'a.ods': 'application/vnd.oasis.opendocument.spreadsheet',
    'a.ppt': 'application/vnd.ms-powerpoint',
    'a.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'a.txt': 'text/plain',
    'a.csv': 'text/csv',
    'a.jpg': 'image/jpeg',
    'a.JPEG': 'image/jpeg',
    'a.png': 'image/png',
    'a.zip': 'application/zip',
    'a.xml': 'application/xml',
    'Quyết định.pdf.p7s': 'application/pkcs7-signature',
    'a.sig': 'application/pkcs7-signature',
    'a.exe': 'application/octet-stream',
    README: 'application/octet-stream',
    'a.': 'application/octet-stream'
  }
  for (const [name, type] of Object.entries(expected)) t.equal(attachmentContentType(name), type, name)
})
