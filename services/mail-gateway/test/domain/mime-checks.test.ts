import t, { type Test } from 'tap'
import MailComposer from 'nodemailer/lib/mail-composer'
import { checkRawMessage, MIME_DEPTH_MAX, parseContentType, type RawMessageCheck } from '../../src/domain/mime-checks.ts'

const ascii = { smtpUtf8: false }
const utf8 = { smtpUtf8: true }

async function compose (mail: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return await new MailComposer({ from: '"Lò Văn Hùng" <hung@banlau.laocai.gov.vn>', to: 'reply+tok@lienthong.local', ...mail }).compile().build()
}

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8')

function isFinding (t: Test, result: RawMessageCheck, kind: 'HEADER_NOT_ASCII' | 'MALFORMED_MIME', reason?: string | RegExp): void {
  t.equal(result.ok, false, 'refused')
  if (result.ok) return
  t.equal(result.kind, kind)
  if (reason !== undefined) t.match(result.reason, reason)
  t.match(result.reason, /^[\x20-\x7e]+$/, 'the reason is ASCII, fit for an SMTP reply')
  t.match(result.vi, /[ạ-ỹđ]/, 'the official is told in Vietnamese')
}

const answer = {
  subject: 'Trả lời: V/v báo cáo kết quả thu ngân sách quý III',
  text: '#hoanthanh\nSố: 45/UBND-VP\n\nKính gửi Quý cơ quan.',
  html: '<p>#hoanthanh<br>Số: 45/UBND-VP</p><p>Kính gửi <b>Quý cơ quan</b>.</p>',
  attachments: [
    { filename: 'Báo cáo quý III.pdf', content: Buffer.from('%PDF-1.7\n' + 'x'.repeat(5000)) },
    { filename: 'Phụ lục số liệu.xlsx', content: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(3000, 7)]) },
    { filename: 'logo.png', content: Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), cid: 'logo@x' }
  ]
}

t.test('a mail as nodemailer builds it, alternative bodies and attachments with Vietnamese names, passes', async (t) => {
  const raw = await compose(answer)
  t.match(raw.toString('latin1'), /multipart\/mixed/, 'a multipart mail indeed')
  t.same(checkRawMessage(raw, ascii), { ok: true })
  t.same(checkRawMessage(raw, utf8), { ok: true })
})

t.test('a plain text mail and a mail with only an inline image pass', async (t) => {
  t.same(checkRawMessage(await compose({ subject: 'Số liệu', text: 'Số: 1/BC' }), ascii), { ok: true })
  t.same(checkRawMessage(await compose({ subject: 'Ảnh', html: '<img src="cid:logo@x">', attachments: [answer.attachments[2]!] }), ascii), { ok: true })
})

t.test('a mail with line feeds only (as some tools write it) is read the same', async (t) => {
  const raw = Buffer.from((await compose(answer)).toString('latin1').replace(/\r\n/g, '\n'), 'latin1')
  t.same(checkRawMessage(raw, ascii), { ok: true })
})

t.test('a view into a larger buffer is checked, not the buffer around it', async (t) => {
  const raw = await compose(answer)
  const around = Buffer.concat([Buffer.from('garbage \xff\n', 'latin1'), raw, Buffer.from('\xff trailing', 'latin1')])
  t.same(checkRawMessage(new Uint8Array(around.buffer, around.byteOffset + 10, raw.length), ascii), { ok: true })
})

t.test('8-bit bytes in the top-level headers are refused without SMTPUTF8 and taken with it', async (t) => {
  const raw = crlf(['From: hung@banlau.vn', 'Subject: Trả lời công văn', '', 'Số: 45/UBND-VP'])
  isFinding(t, checkRawMessage(raw, ascii), 'HEADER_NOT_ASCII', 'the message')
  t.same(checkRawMessage(raw, utf8), { ok: true })
})

t.test('8-bit bytes in a folded header line count as the header', async (t) => {
  const raw = crlf(['From: hung@banlau.vn', 'Subject: V/v', ' trả lời', '', 'x'])
  isFinding(t, checkRawMessage(raw, ascii), 'HEADER_NOT_ASCII')
})

t.test('8-bit bytes in a part header (a raw UTF-8 file name) are refused without SMTPUTF8', async (t) => {
  const raw = crlf([
    'From: hung@banlau.vn', 'Subject: V/v', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'Số: 45/UBND-VP',
    '--b1', 'Content-Type: application/pdf; name="Quyết định.pdf"', 'Content-Transfer-Encoding: base64', '', 'JVBERi0xLjQ=',
    '--b1--', ''
  ])
  isFinding(t, checkRawMessage(raw, ascii), 'HEADER_NOT_ASCII', 'MIME part 2')
  t.same(checkRawMessage(raw, utf8), { ok: true })
})

t.test('8-bit bytes in a body, a preamble or an epilogue are not headers', async (t) => {
  const raw = crlf([
    'From: hung@banlau.vn', 'Subject: V/v', 'Content-Type: multipart/mixed; boundary=b1', '',
    'Đây là phần mở đầu.', '--b1', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', 'Số: 45/UBND-VP, trân trọng.',
    '--b1--', 'Phần kết.'
  ])
  t.same(checkRawMessage(raw, ascii), { ok: true })
})

t.test('headers not ended by a blank line are malformed', async (t) => {
  isFinding(t, checkRawMessage(crlf(['From: a@b.vn', 'Subject: x', '']), ascii), 'MALFORMED_MIME', 'no blank line ends the headers')
  isFinding(t, checkRawMessage(Buffer.from('From: a@b.vn'), ascii), 'MALFORMED_MIME', 'no blank line')
  isFinding(t, checkRawMessage(Buffer.alloc(0), ascii), 'MALFORMED_MIME', 'no blank line')
})

t.test('a header line that is neither Name: value nor a continuation is malformed', async (t) => {
  isFinding(t, checkRawMessage(crlf(['From: a@b.vn', 'this line is not a header', '', 'body']), ascii), 'MALFORMED_MIME', 'neither "Name: value" nor a folded continuation')
  isFinding(t, checkRawMessage(crlf(['From: a@b.vn', ': no name', '', 'body']), ascii), 'MALFORMED_MIME')
  isFinding(t, checkRawMessage(crlf(['From a@b.vn', '', 'body']), ascii), 'MALFORMED_MIME')
  isFinding(t, checkRawMessage(crlf([' folded first', 'From: a@b.vn', '', 'body']), ascii), 'MALFORMED_MIME', 'starts with a folded line')
  t.same(checkRawMessage(crlf(['From : a@b.vn', 'X-Empty:', 'Subject: a', '\tfolded', '', 'body']), ascii), { ok: true }, 'space before the colon, an empty value, a tab fold are fine')
})

t.test('a multipart without a boundary parameter is malformed', async (t) => {
  isFinding(t, checkRawMessage(crlf(['From: a@b.vn', 'Content-Type: multipart/mixed', '', '--b1', '', 'x', '--b1--']), ascii), 'MALFORMED_MIME', 'no boundary parameter')
  isFinding(t, checkRawMessage(crlf(['From: a@b.vn', 'Content-Type: multipart/mixed; boundary=""', '', 'x']), ascii), 'MALFORMED_MIME', 'no boundary parameter')
})

t.test('a multipart whose closing delimiter never comes (a cut message) is malformed', async (t) => {
  const raw = await compose(answer)
  const text = raw.toString('latin1')
  const cut = text.slice(0, text.lastIndexOf('--_NmP'))
  t.ok(cut.length > 1000)
  isFinding(t, checkRawMessage(Buffer.from(cut, 'latin1'), ascii), 'MALFORMED_MIME', 'closing delimiter')
})

t.test('a multipart with no part at all is malformed, whether or not it is closed', async (t) => {
  isFinding(t, checkRawMessage(crlf(['From: a@b.vn', 'Content-Type: multipart/mixed; boundary=b1', '', 'preamble only', '--b1--', '']), ascii), 'MALFORMED_MIME', 'has no part')
  isFinding(t, checkRawMessage(crlf(['From: a@b.vn', 'Content-Type: multipart/mixed; boundary=b1', '', 'no delimiters at all']), ascii), 'MALFORMED_MIME', 'no part uses it')
})

t.test('text that only starts like the boundary, or sits mid-line, is not a delimiter', async (t) => {
  const raw = crlf([
    'From: a@b.vn', 'Content-Type: multipart/mixed; boundary=b1', '',
    '--b1', 'Content-Type: text/plain', '', 'a line --b1-- in the middle', '--b1X is not it either', '--b1--more',
    '--b1--   ', ''
  ])
  t.same(checkRawMessage(raw, ascii), { ok: true }, 'closed by the padded delimiter at the end')
  const open = crlf(['From: a@b.vn', 'Content-Type: multipart/mixed; boundary=b1', '', '--b1', 'Content-Type: text/plain', '', 'x --b1--', '--b1--X'])
  isFinding(t, checkRawMessage(open, ascii), 'MALFORMED_MIME', 'closing delimiter')
})

t.test('a base64 body with characters outside the alphabet is malformed; line breaks and spaces are not', async (t) => {
  const part = (body: string) => crlf(['From: a@b.vn', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: Base64', '', body])
  t.same(checkRawMessage(part('JVBE\r\nRi0x Lj\tQ=\r\n'), ascii), { ok: true })
  isFinding(t, checkRawMessage(part('JVBERi0xLjQ=!'), ascii), 'MALFORMED_MIME', 'base64')
  isFinding(t, checkRawMessage(part('JVBER-i0x_LjQ='), ascii), 'MALFORMED_MIME', 'base64')
  t.same(checkRawMessage(crlf(['From: a@b.vn', 'Content-Transfer-Encoding: quoted-printable', '', 'S=E1=BB=91: 45!']), ascii), { ok: true }, 'other encodings are not held to base64')
})

t.test('a bad base64 attachment inside a real nodemailer mail is found in its part', async (t) => {
  const text = (await compose(answer)).toString('latin1')
  const start = text.indexOf('JVBER')
  const broken = text.slice(0, start + 10) + '*' + text.slice(start + 11)
  isFinding(t, checkRawMessage(Buffer.from(broken, 'latin1'), ascii), 'MALFORMED_MIME', /MIME part \d+: a base64 body/)
})

t.test('nested multiparts are checked all the way down', async (t) => {
  const nested = (inner: string[]) => crlf([
    'From: a@b.vn', 'Content-Type: multipart/mixed; boundary="outer"', '',
    '--outer', 'Content-Type: multipart/alternative; boundary="mid"', '',
    '--mid', 'Content-Type: text/plain', '', 'Số: 45/UBND-VP',
    '--mid', ...inner,
    '--mid--',
    '--outer', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', 'JVBERi0xLjQ=',
    '--outer--', ''
  ])
  const good = ['Content-Type: multipart/related; boundary="in"', '', '--in', 'Content-Type: text/html', '', '<p>x</p>', '--in', 'Content-Type: image/png', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgo=', '--in--']
  t.same(checkRawMessage(nested(good), ascii), { ok: true })

  const unclosed = good.slice(0, -1)
  isFinding(t, checkRawMessage(nested(unclosed), ascii), 'MALFORMED_MIME', 'MIME part 1.2: the closing delimiter --in-- never appears')

  const noBoundary = ['Content-Type: multipart/related', '', 'x']
  isFinding(t, checkRawMessage(nested(noBoundary), ascii), 'MALFORMED_MIME', 'MIME part 1.2: a multipart Content-Type has no boundary')

  const badBase64 = [...good.slice(0, -2), 'iVBORw0KGgo=%%', '--in--']
  isFinding(t, checkRawMessage(nested(badBase64), ascii), 'MALFORMED_MIME', 'MIME part 1.2.2: a base64 body')

  const badHeader = ['Content-Type: text/html', 'not a header', '', '<p>x</p>']
  isFinding(t, checkRawMessage(nested(badHeader), ascii), 'MALFORMED_MIME', 'MIME part 1.2: a header line')
})

t.test('a part may have no headers, or end within its headers', async (t) => {
  const raw = crlf([
    'From: a@b.vn', 'Content-Type: multipart/mixed; boundary=b1', '',
    '--b1', '', 'no headers, default text/plain',
    '--b1', 'Content-Type: text/plain', '',
    '--b1', '',
    '--b1--'
  ])
  t.same(checkRawMessage(raw, ascii), { ok: true })
})

t.test('nesting deeper than the limit is refused; real depths pass', async (t) => {
  const deep = (levels: number) => {
    const lines = ['From: a@b.vn', `Content-Type: multipart/mixed; boundary=b0`, '']
    for (let i = 0; i < levels; i++) lines.push(`--b${i}`, `Content-Type: multipart/mixed; boundary=b${i + 1}`, '')
    lines.push(`--b${levels}`, 'Content-Type: text/plain', '', 'x')
    for (let i = levels; i >= 0; i--) lines.push(`--b${i}--`)
    return crlf(lines)
  }
  t.same(checkRawMessage(deep(5), ascii), { ok: true })
  isFinding(t, checkRawMessage(deep(MIME_DEPTH_MAX + 2), ascii), 'MALFORMED_MIME', 'nested deeper')
})

t.test('a 20 MB mail with a big attachment is checked to the end (no quadratic walk)', async (t) => {
  const big = Buffer.alloc(15 * 1024 * 1024, 0x41)
  big.write('%PDF-1.7\n')
  const raw = await compose({ ...answer, attachments: [{ filename: 'Hồ sơ lớn.pdf', content: big }, ...answer.attachments] })
  t.ok(raw.length > 20 * 1000 * 1000, `${(raw.length / 1e6).toFixed(1)} MB`)
  t.same(checkRawMessage(raw, ascii), { ok: true })
  const at = raw.lastIndexOf('QUFBQUFB')
  t.ok(at > 19_000_000, 'the last stretch of the big attachment')
  const broken = Buffer.from(raw)
  broken[at] = 0x21
  isFinding(t, checkRawMessage(broken, ascii), 'MALFORMED_MIME', /MIME part 2: a base64 body/)
})

t.test('20 MB of lines that only look like delimiters, or of headers without an end, are walked once', async (t) => {
  const fakes = Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n' + 'x--b --bb\r\n--bX\r\n'.repeat(1_200_000) + '--b--\r\n', 'latin1')
  t.ok(fakes.length > 20_000_000)
  t.same(checkRawMessage(fakes, ascii), { ok: true })
  const endless = Buffer.from('X-A: 1\r\n'.repeat(2_600_000), 'latin1')
  isFinding(t, checkRawMessage(endless, ascii), 'MALFORMED_MIME', 'no blank line')
})

t.test('10,000 small parts in one mail: each part is searched only within itself', async (t) => {
  const body = Buffer.alloc(1500, 0x61).toString('base64').replace(/.{76}/g, '$&\r\n')
  const part = (i: number) => `--b1\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="phu-luc-${i}.txt"\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`
  const raw = Buffer.from(['From: a@b.vn\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n', ...Array.from({ length: 10_000 }, (_, i) => part(i)), '--b1--\r\n'].join(''), 'latin1')
  t.ok(raw.length > 20_000_000)
  t.same(checkRawMessage(raw, ascii), { ok: true })
  const broken = Buffer.from(raw)
  broken[raw.lastIndexOf('phu-luc-9999')] = 0xE1
  isFinding(t, checkRawMessage(broken, ascii), 'HEADER_NOT_ASCII', 'MIME part 10000')
})

t.test('Content-Type parameters: quoted, escaped, unquoted, any case', async (t) => {
  t.equal(parseContentType('multipart/mixed; boundary="--_NmP-1;2 \\"x\\""')?.params.get('boundary'), '--_NmP-1;2 "x"')
  t.equal(parseContentType('Multipart/Mixed;\r\n BOUNDARY=abc123; charset=utf-8')?.params.get('boundary'), 'abc123')
  t.equal(parseContentType('multipart/mixed;boundary=abc')?.type, 'multipart')
  t.equal(parseContentType('garbage'), undefined)
})
