import { isUtf8 } from 'node:buffer'

/**
 * Is an attachment what its name and its content type say? A mail client's content type is a
 * claim anyone can write; the first bytes are not. Documents go on to other agencies' officials,
 * who open them, so a program dressed as a PDF must stop here.
 */

export type AttachmentCheck = { ok: true } | { ok: false, reason: string, vi: string }

type Kind = 'pdf' | 'zip' | 'ole' | 'png' | 'jpeg' | 'text'

const KIND_NAMES: Record<Kind, { en: string, vi: string }> = {
  pdf: { en: 'a PDF file', vi: 'tệp PDF' },
  zip: { en: 'a ZIP-based file (docx, xlsx, pptx, odt, ods, zip)', vi: 'tệp Office mới hoặc tệp nén (docx, xlsx, pptx, odt, ods, zip)' },
  ole: { en: 'an old Office file (doc, xls, ppt)', vi: 'tệp Office cũ (doc, xls, ppt)' },
  png: { en: 'a PNG image', vi: 'ảnh PNG' },
  jpeg: { en: 'a JPEG image', vi: 'ảnh JPEG' },
  text: { en: 'a UTF-8 text file (txt, csv, xml)', vi: 'tệp văn bản thuần UTF-8 (txt, csv, xml)' }
}

const EXTENSION_KINDS: Record<string, Kind> = {
  pdf: 'pdf',
  docx: 'zip',
  xlsx: 'zip',
  pptx: 'zip',
  odt: 'zip',
  ods: 'zip',
  odp: 'zip',
  zip: 'zip',
  doc: 'ole',
  xls: 'ole',
  ppt: 'ole',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  txt: 'text',
  csv: 'text',
  xml: 'text'
}

/**
 * What a content type claims. Windows names a `.csv` `application/vnd.ms-excel` (Excel opens it),
 * so that type claims either an old Excel file or text: the bytes decide which.
 */
const TYPE_KINDS: Record<string, Kind[]> = {
  'application/pdf': ['pdf'],
  'application/x-pdf': ['pdf'],
  'application/zip': ['zip'],
  'application/x-zip-compressed': ['zip'],
  'application/msword': ['ole'],
  'application/vnd.ms-excel': ['ole', 'text'],
  'application/vnd.ms-powerpoint': ['ole'],
  'image/png': ['png'],
  'image/jpeg': ['jpeg'],
  'image/jpg': ['jpeg'],
  'image/pjpeg': ['jpeg'],
  'text/plain': ['text'],
  'text/csv': ['text'],
  'text/comma-separated-values': ['text'],
  'application/csv': ['text'],
  'text/xml': ['text'],
  'application/xml': ['text']
}
const TYPE_PREFIX_KINDS: Array<[string, Kind]> = [
  ['application/vnd.openxmlformats-officedocument.', 'zip'],
  ['application/vnd.oasis.opendocument.', 'zip']
]

/** Refused whatever else they claim: each runs when opened on an official's computer. */
const EXECUTABLE_EXTENSIONS = new Set(['exe', 'bat', 'cmd', 'com', 'js', 'jse', 'vbs', 'vbe', 'wsf', 'wsh', 'hta', 'ps1', 'scr', 'pif', 'cpl', 'msi', 'msp', 'jar', 'lnk', 'reg', 'dll'])
const EXECUTABLE_TYPES = new Set(['application/x-msdownload', 'application/x-msdos-program', 'application/x-dosexec', 'application/x-executable', 'application/vnd.microsoft.portable-executable', 'application/x-msi', 'application/x-ms-installer', 'application/javascript', 'text/javascript', 'application/x-javascript', 'application/hta', 'text/vbscript', 'application/x-bat'])

/** A PDF may have a few bytes of junk before `%PDF-`; readers look that far (Acrobat: 1024). */
const PDF_HEAD = 1024

export function checkAttachmentKind (a: { filename: string, contentType: string, content: Uint8Array }): AttachmentCheck {
  const ext = extensionOf(a.filename)
  const type = mediaType(a.contentType)
  const shownType = type.replace(/[^\x21-\x7e]/g, '?').slice(0, 100)
  const bytes = Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength)
  const name = a.filename

  if (EXECUTABLE_EXTENSIONS.has(ext) || EXECUTABLE_TYPES.has(type)) {
    return refuse(`executable files are not accepted (${ext !== '' && EXECUTABLE_EXTENSIONS.has(ext) ? `.${ext}` : shownType})`,
      `Tệp "${name}" là chương trình chạy được, không được gửi qua hệ thống. Hãy gửi văn bản dưới dạng PDF đã ký.`)
  }
  const byExtension = EXTENSION_KINDS[ext]
  const byType = typeKinds(type)
  const expected = byExtension !== undefined ? [byExtension] : byType
  // A CSV row may begin `MZ,…`: only a file that claims to be text and is text escapes this.
  const claimsText = expected?.includes('text') === true && isKind(bytes, 'text')
  if (startsLikeProgram(bytes) && !claimsText) {
    return refuse('the content is an executable program',
      `Tệp "${name}" thực chất là một chương trình chạy được, dù tên và kiểu tệp nói khác; tệp không được nhận.`)
  }
  if (byExtension !== undefined && byType !== undefined && !byType.includes(byExtension)) {
    return refuse(`the declared content type ${shownType} does not match the extension .${ext}`,
      `Tệp "${name}" có đuôi .${ext} nhưng được khai là loại khác (${shownType}). Hãy đính kèm lại đúng tệp.`)
  }
  if (expected === undefined || expected.some((kind) => isKind(bytes, kind))) return { ok: true }
  const claimed = KIND_NAMES[expected[0]!]
  return refuse(`the content is not ${claimed.en} as its ${byExtension !== undefined ? `extension .${ext}` : `content type ${shownType}`} says`,
    `Tệp "${name}" không phải là ${claimed.vi} như tên hoặc kiểu tệp cho biết (nội dung bị hỏng hoặc đã bị đổi tên). Hãy đính kèm lại đúng tệp.`)
}

function refuse (reason: string, vi: string): AttachmentCheck {
  return { ok: false, reason, vi }
}

/** The last extension, lower case; Windows drops trailing dots and spaces, so `a.exe. ` is an `.exe`. */
export function extensionOf (filename: string): string {
  const trimmed = filename.replace(/[. ]+$/, '')
  const dot = trimmed.lastIndexOf('.')
  return dot < 0 ? '' : trimmed.slice(dot + 1).toLowerCase()
}

/** `Application/PDF; name="x.pdf"` → `application/pdf`; nothing, or plain bytes, claims nothing. */
function mediaType (contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase()
}

function typeKinds (type: string): Kind[] | undefined {
  if (type === '' || type === 'application/octet-stream') return undefined
  const exact = TYPE_KINDS[type]
  if (exact !== undefined) return exact
  const prefixed = TYPE_PREFIX_KINDS.find(([prefix]) => type.startsWith(prefix))
  return prefixed === undefined ? undefined : [prefixed[1]]
}

const MAGIC = {
  zip: [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')],
  ole: Buffer.from([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
  png: Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
  jpeg: Buffer.from([0xFF, 0xD8, 0xFF]),
  pdf: Buffer.from('%PDF-', 'latin1'),
  mz: Buffer.from('MZ', 'latin1'),
  elf: Buffer.from('\x7FELF', 'latin1')
}

/** Windows programs (`MZ`) and Linux ones (ELF). */
function startsLikeProgram (bytes: Buffer): boolean {
  return startsWith(bytes, MAGIC.mz) || startsWith(bytes, MAGIC.elf)
}

function isKind (bytes: Buffer, kind: Kind): boolean {
  switch (kind) {
    case 'pdf': return bytes.subarray(0, PDF_HEAD).includes(MAGIC.pdf)
    case 'zip': return MAGIC.zip.some((m) => startsWith(bytes, m))
    case 'ole': return startsWith(bytes, MAGIC.ole)
    case 'png': return startsWith(bytes, MAGIC.png)
    case 'jpeg': return startsWith(bytes, MAGIC.jpeg)
    case 'text': return !bytes.includes(0) && isUtf8(bytes)
  }
}

function startsWith (bytes: Buffer, magic: Buffer): boolean {
  return bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic)
}
