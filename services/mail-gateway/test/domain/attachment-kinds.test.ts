import t from 'tap'
import { checkAttachmentKind, extensionOf } from '../../src/domain/attachment-kinds.ts'

const bytes = {
  pdf: Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n', 'latin1'),
  zip: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(26), Buffer.from('[Content_Types].xml')]),
  emptyZip: Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]),
  ole: Buffer.concat([Buffer.from([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]), Buffer.alloc(504)]),
  png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), Buffer.from('\x00\x00\x00\x0DIHDR', 'latin1')]),
  jpeg: Buffer.from([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46]),
  text: Buffer.from('\uFEFFSTT,Họ và tên,Xã\n1,Lò Văn Hùng,Bản Lầu\n', 'utf8'),
  exe: Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(56), Buffer.from('This program cannot be run in DOS mode')]),
  elf: Buffer.concat([Buffer.from('\x7FELF\x02\x01\x01', 'latin1'), Buffer.alloc(57)])
}

const check = (filename: string, contentType: string, content: Uint8Array) => checkAttachmentKind({ filename, contentType, content })

t.test('each known kind passes when name, type and bytes agree', async (t) => {
  const cases: Array<[string, string, Buffer]> = [
    ['Quyết định 12.pdf', 'application/pdf', bytes.pdf],
    ['Báo cáo.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes.zip],
    ['Số liệu.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes.zip],
    ['Trình chiếu.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', bytes.zip],
    ['Văn bản.odt', 'application/vnd.oasis.opendocument.text', bytes.zip],
    ['Bảng.ods', 'application/vnd.oasis.opendocument.spreadsheet', bytes.zip],
    ['Hồ sơ.zip', 'application/zip', bytes.zip],
    ['Rỗng.zip', 'application/x-zip-compressed', bytes.emptyZip],
    ['Công văn cũ.doc', 'application/msword', bytes.ole],
    ['Bảng cũ.xls', 'application/vnd.ms-excel', bytes.ole],
    ['Slide cũ.ppt', 'application/vnd.ms-powerpoint', bytes.ole],
    ['Ảnh.png', 'image/png', bytes.png],
    ['Ảnh.jpg', 'image/jpeg', bytes.jpeg],
    ['Ảnh.JPEG', 'image/pjpeg', bytes.jpeg],
    ['Ghi chú.txt', 'text/plain; charset=utf-8', bytes.text],
    ['Danh sách.csv', 'text/csv', bytes.text],
    ['edxml.xml', 'application/xml', Buffer.from('<?xml version="1.0" encoding="UTF-8"?><a>Lào Cai</a>')]
  ]
  for (const [name, type, content] of cases) t.same(check(name, type, content), { ok: true }, name)
})

t.test('a PDF with a few bytes before its %PDF- header still passes, as readers accept it', async (t) => {
  t.same(check('a.pdf', 'application/pdf', Buffer.concat([Buffer.from('\r\n\r\n'), bytes.pdf])), { ok: true })
  t.equal(check('a.pdf', 'application/pdf', Buffer.concat([Buffer.alloc(2000, 0x20), bytes.pdf])).ok, false, 'but not 2000 bytes before it')
})

t.test('application/octet-stream claims nothing: the extension decides', async (t) => {
  t.same(check('Báo cáo.docx', 'application/octet-stream', bytes.zip), { ok: true })
  const lie = check('Báo cáo.pdf', 'application/octet-stream', bytes.zip)
  t.equal(lie.ok, false)
  if (!lie.ok) t.match(lie.reason, 'not a PDF file')
  t.same(check('Báo cáo.pdf', '', bytes.pdf), { ok: true }, 'no type at all is the same')
})

t.test('a type that claims a known kind is held to it when the extension says nothing', async (t) => {
  t.same(check('scan', 'application/pdf', bytes.pdf), { ok: true })
  const r = check('scan', 'application/pdf', bytes.png)
  t.equal(r.ok, false)
  if (!r.ok) {
    t.match(r.reason, 'content type application/pdf')
    t.match(r.vi, 'không phải là tệp PDF')
  }
})

t.test('an extension that names a known kind is held to it when the type says nothing', async (t) => {
  for (const [name, content] of [['a.docx', bytes.pdf], ['a.doc', bytes.zip], ['a.png', bytes.jpeg], ['a.jpg', bytes.png], ['a.txt', bytes.ole]] as const) {
    const r = check(name, 'application/octet-stream', content)
    t.equal(r.ok, false, name)
    if (!r.ok) t.match(r.reason, `extension .${extensionOf(name)}`)
  }
})

t.test('type and extension naming two different known kinds is a lie, whatever the bytes', async (t) => {
  const cases: Array<[string, string, Buffer]> = [
    ['Báo cáo.pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes.pdf],
    ['Báo cáo.docx', 'application/pdf', bytes.zip],
    ['Ảnh.png', 'image/jpeg', bytes.png],
    ['Ghi chú.txt', 'application/pdf', bytes.pdf],
    ['Công văn.doc', 'application/zip', bytes.ole]
  ]
  for (const [name, type, content] of cases) {
    const r = check(name, type, content)
    t.equal(r.ok, false, `${name} as ${type}`)
    if (!r.ok) {
      t.match(r.reason, `declared content type ${type} does not match the extension`)
      t.match(r.vi, name)
    }
  }
})

t.test('bytes that are not what the name and type agree on are refused, each way round', async (t) => {
  const cases: Array<[string, string, Buffer, string]> = [
    ['a.pdf', 'application/pdf', bytes.zip, 'PDF'],
    ['a.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes.pdf, 'ZIP-based'],
    ['a.doc', 'application/msword', bytes.zip, 'old Office'],
    ['a.png', 'image/png', bytes.jpeg, 'PNG'],
    ['a.jpg', 'image/jpeg', bytes.png, 'JPEG'],
    ['a.txt', 'text/plain', bytes.png, 'UTF-8 text'],
    ['a.pdf', 'application/pdf', Buffer.alloc(0), 'PDF']
  ]
  for (const [name, type, content, kind] of cases) {
    const r = check(name, type, content)
    t.equal(r.ok, false, `${name} holding other bytes`)
    if (!r.ok) t.match(r.reason, kind)
  }
})

t.test('a text file must be UTF-8 without NUL bytes', async (t) => {
  t.equal(check('a.csv', 'text/csv', Buffer.from('Ha Noi,1\n', 'latin1')).ok, true, 'ASCII is UTF-8')
  t.equal(check('a.csv', 'text/csv', Buffer.from([0x48, 0xE0, 0x20, 0x4E])).ok, false, 'Windows-1258 bytes are not')
  t.equal(check('a.txt', 'text/plain', Buffer.from('ab\x00cd', 'latin1')).ok, false, 'a NUL is not text')
  t.equal(check('a.txt', 'text/plain', Buffer.from('\xFF\xFEa\x00', 'latin1')).ok, false, 'UTF-16 is not UTF-8')
  t.equal(check('a.txt', 'text/plain', Buffer.alloc(0)).ok, true, 'an empty text is text')
})

t.test('Windows sends a .csv as application/vnd.ms-excel: text or an old Excel file, never something else', async (t) => {
  t.same(check('Danh sách.csv', 'application/vnd.ms-excel', bytes.text), { ok: true })
  t.same(check('Bảng.xls', 'application/vnd.ms-excel', bytes.ole), { ok: true })
  t.equal(check('Bảng.xls', 'application/vnd.ms-excel', bytes.text).ok, false, 'an .xls is held to the old Office format')
  t.equal(check('Danh sách.csv', 'application/vnd.ms-excel', bytes.pdf).ok, false)
})

t.test('content types are compared without case and parameters', async (t) => {
  t.same(check('a.pdf', 'Application/PDF; name="a.pdf"', bytes.pdf), { ok: true })
  t.equal(check('a.docx', 'APPLICATION/PDF', bytes.zip).ok, false)
})

t.test('executables are refused by name whatever they claim and whatever they hold', async (t) => {
  for (const name of ['setup.exe', 'run.BAT', 'x.cmd', 'hoadon.js', 'a.vbs', 'screensaver.scr', 'install.msi', 'Quyết định.pdf.exe', 'a.exe.', 'a.exe  ']) {
    const r = check(name, 'application/pdf', bytes.pdf)
    t.equal(r.ok, false, name)
    if (!r.ok) {
      t.match(r.reason, 'executable')
      t.match(r.vi, 'chương trình chạy được')
    }
  }
})

t.test('an executable content type is refused whatever the name', async (t) => {
  const r = check('Báo cáo', 'application/x-msdownload', bytes.pdf)
  t.equal(r.ok, false)
  if (!r.ok) t.match(r.reason, 'application/x-msdownload')
})

t.test('a program is refused by its bytes, dressed as any kind or none', async (t) => {
  const cases: Array<[string, string, Buffer]> = [
    ['Quyết định.pdf', 'application/pdf', bytes.exe],
    ['Báo cáo.docx', 'application/octet-stream', bytes.exe],
    ['data.bin', 'application/octet-stream', bytes.exe],
    ['noname', '', bytes.elf],
    ['Ghi chú.txt', 'text/plain', bytes.exe]
  ]
  for (const [name, type, content] of cases) {
    const r = check(name, type, content)
    t.equal(r.ok, false, name)
    if (!r.ok) t.equal(r.reason, 'the content is an executable program')
  }
})

t.test('a text that happens to start with MZ, named as text, is still text', async (t) => {
  t.same(check('quoc-gia.csv', 'text/csv', Buffer.from('MZ,Mozambique\nVN,Việt Nam\n')), { ok: true })
  t.equal(check('quoc-gia.dat', 'application/octet-stream', Buffer.from('MZ,Mozambique\n')).ok, false, 'not when it does not claim to be text')
})

t.test('an unknown extension with an unknown type passes when the bytes are not a program', async (t) => {
  t.same(check('Quyết định.pdf.p7s', 'application/pkcs7-signature', Buffer.from([0x30, 0x82, 0x05, 0x10])), { ok: true })
  t.same(check('bản vẽ.dwg', 'application/octet-stream', Buffer.from('AC1032')), { ok: true })
  t.same(check('README', '', Buffer.from('hello')), { ok: true })
})

t.test('refusal reasons are ASCII for the SMTP reply, even when the claimed type is not', async (t) => {
  const r = check('a.pdf', 'application/pdfé', bytes.zip)
  t.equal(r.ok, false)
  if (!r.ok) t.match(r.reason, /^[\x20-\x7e]+$/)
})

t.test('the extension is the last one, lower case, without trailing dots or spaces', async (t) => {
  t.equal(extensionOf('Quyết định.PDF'), 'pdf')
  t.equal(extensionOf('a.tar.gz'), 'gz')
  t.equal(extensionOf('a.exe. . '), 'exe')
  t.equal(extensionOf('README'), '')
  t.equal(extensionOf('.bashrc'), 'bashrc')
})
