import { guideHtml, guideText, writingGuide } from './writing-guide.ts'
import { cutAtWord, escapeHtml, singleLine } from './vietnamese-text.ts'

/**
 * The mail back to an official after a mail of theirs: what was sent and to whom, or that nothing
 * was sent and why. An official reads it at once and acts on it, so it says first what happened.
 */

export interface SentNoticeInput {
  officialName: string
  documentId: string
  number: string
  notation: string
  subject: string
  recipients: Array<{ code: string, name: string }>
  answerTo?: { documentId: string }
  step?: { code: string, recorded: boolean, reason?: string }
}

export interface RefusalNoticeInput {
  officialName: string
  mailSubject: string
  /** e.g. MAIL_MALFORMED_MIME or RTE_POLICY_REFUSED */
  code: string
  /** Vietnamese lines */
  problems: string[]
}

export interface Notice { subject: string, text: string, html: string }

/** Beyond this many, the notice counts the recipients instead of naming them all. */
export const LISTED_RECIPIENTS = 30

const SUBJECT_MAX = 250

/** edXML statuses as an official names them. */
export const STATUS_LABELS: Record<string, string> = {
  '01': 'Đã đến',
  '02': 'Từ chối',
  '03': 'Đã tiếp nhận',
  '04': 'Đã phân công',
  '05': 'Đang xử lý',
  '06': 'Hoàn thành',
  '13': 'Đề nghị thu hồi',
  '15': 'Đồng ý thu hồi/cập nhật',
  '16': 'Từ chối thu hồi/cập nhật'
}

const SIGNATURE = ['Trân trọng,', 'Hệ thống liên thông văn bản điện tử']

/** A notice as blocks: a paragraph, a list (under its heading), or ready-made text and HTML. */
type Block = { p: string } | { heading?: string, list: string[] } | { html: string, text: string[] }

export function sentNotice (input: SentNoticeInput): Notice {
  const head = `Đã gửi: ${input.number}/${input.notation} `
  const subject = head + cutAtWord(singleLine(input.subject), SUBJECT_MAX - head.length)
  const listed = input.recipients.slice(0, LISTED_RECIPIENTS).map((r) => `${singleLine(r.name)} (${r.code})`)
  const more = input.recipients.length - listed.length
  const blocks: Block[] = [
    { p: greeting(input.officialName) },
    { p: 'Văn bản của anh/chị đã được gửi qua hệ thống liên thông văn bản điện tử.' },
    {
      list: [
        `Số/ký hiệu: ${input.number}/${input.notation}`,
        `Trích yếu: ${singleLine(input.subject)}`,
        `Mã văn bản: ${input.documentId}`,
        ...(input.answerTo !== undefined ? [`Là văn bản trả lời cho: ${input.answerTo.documentId}`] : [])
      ]
    },
    listed.length === 0
      ? { p: 'Nơi nhận: không có cơ quan nào.' }
      : { heading: `Nơi nhận (${input.recipients.length} cơ quan):`, list: more > 0 ? [...listed, `và ${more} cơ quan khác`] : listed }
  ]
  if (input.step !== undefined) blocks.push({ p: stepSentence(input.step, input.answerTo) })
  return render(subject, blocks)
}

export function refusalNotice (input: RefusalNoticeInput): Notice {
  const mailSubject = singleLine(input.mailSubject)
  const shown = mailSubject === '' ? '(thư không có tiêu đề)' : mailSubject
  const head = 'Không gửi được: '
  const guide = writingGuide()
  const blocks: Block[] = [
    { p: greeting(input.officialName) },
    { p: `Thư "${cutAtWord(shown, 500)}" của anh/chị chưa được xử lý: không có văn bản nào được gửi đi.` },
    {
      heading: input.problems.length === 1 ? 'Lý do:' : `Lý do (${input.problems.length} điểm cần sửa):`,
      list: input.problems.length === 0 ? ['Không rõ lý do.'] : input.problems.map(singleLine)
    },
    { p: `Mã lỗi: ${input.code}` },
    { p: 'Cách khắc phục: sửa các điểm trên rồi gửi lại thư. Nhắc lại cách viết thư để gửi văn bản:' },
    { html: guideHtml(guide), text: guideText(guide) },
    { p: 'Nếu cần hỗ trợ, xin liên hệ bộ phận văn thư hoặc bộ phận công nghệ thông tin của cơ quan và cho biết mã lỗi ở trên.' }
  ]
  return render(head + cutAtWord(shown, SUBJECT_MAX - head.length), blocks)
}

function greeting (name: string): string {
  const clean = singleLine(name)
  return clean === '' ? 'Kính gửi anh/chị,' : `Kính gửi ${clean},`
}

function stepSentence (step: NonNullable<SentNoticeInput['step']>, answerTo: SentNoticeInput['answerTo']): string {
  const label = STATUS_LABELS[step.code]
  const what = label === undefined ? `bước mã ${step.code}` : `"${label}" (${step.code})`
  const on = answerTo === undefined ? 'văn bản được trả lời' : `văn bản ${answerTo.documentId}`
  if (step.recorded) return `Tình trạng xử lý: đã ghi nhận ${what} cho ${on}.`
  const reason = step.reason !== undefined && step.reason.trim() !== '' ? singleLine(step.reason).replace(/\.$/, '') : 'không rõ lý do'
  return `Tình trạng xử lý: chưa ghi nhận được ${what} cho ${on}, vì: ${reason}. Văn bản của anh/chị vẫn được gửi bình thường; có thể báo lại tình trạng xử lý trong một thư sau.`
}

function render (subject: string, blocks: Block[]): Notice {
  const text: string[] = []
  const html: string[] = []
  for (const b of [...blocks, { p: SIGNATURE.join('\n') }]) {
    if ('p' in b) {
      text.push(b.p, '')
      html.push(`<p>${escapeHtml(b.p).replace(/\n/g, '<br>')}</p>`)
    } else if ('list' in b) {
      if (b.heading !== undefined) {
        text.push(b.heading)
        html.push(`<p style="margin-bottom:0">${escapeHtml(b.heading)}</p>`)
      }
      text.push(...b.list.map((l) => `- ${l}`), '')
      html.push(`<ul>\n${b.list.map((l) => `<li>${escapeHtml(l)}</li>`).join('\n')}\n</ul>`)
    } else {
      text.push(...b.text, '')
      html.push(b.html)
    }
  }
  return {
    subject,
    text: text.join('\n'),
    html: [
      '<!DOCTYPE html>',
      `<html lang="vi"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
      '<body style="font-family:Arial,sans-serif;font-size:14px">',
      ...html,
      '</body></html>',
      ''
    ].join('\n')
  }
}
