import { NUMBER_LINE_EXAMPLE } from './mail-conventions.ts'
import { escapeHtml } from './vietnamese-text.ts'

/**
 * How to write a mail the gateway can read, in the words an official reads: steps, and an example
 * of the top of a mail. The tests read the example back with `readMailConventions`.
 */
export function writingGuide (): { steps: string[], example: string[] } {
  return {
    steps: [
      `Ở dòng đầu tiên của thư, ghi số và ký hiệu của văn bản, ví dụ: ${NUMBER_LINE_EXAMPLE}. Ngay dưới có thể ghi thêm, mỗi mục một dòng: Loại, Ngày, Hạn, Độ khẩn (Thường, Khẩn, Thượng khẩn, Hỏa tốc), Người ký, Chức vụ.`,
      'Tiêu đề thư là trích yếu của văn bản; nên sửa lại cho đúng nội dung văn bản.',
      'Nếu muốn báo tình trạng xử lý văn bản được trả lời, viết thêm một dòng trên cùng (trên dòng "Số:") với một trong các từ khóa: #tiepnhan (đã tiếp nhận), #dangxuly (đang xử lý), #hoanthanh (hoàn thành), #tuchoi (từ chối, ghi lý do ngay sau trên cùng dòng).'
    ],
    example: [
      NUMBER_LINE_EXAMPLE,
      'Loại: Công văn',
      'Ngày: 26/11/2026',
      'Người ký: Nguyễn Văn An',
      'Chức vụ: Chủ tịch'
    ]
  }
}

/** The guide under a delivered document: reply to it, then write as `writingGuide` says. */
export function replyGuide (): { steps: string[], example: string[] } {
  const writing = writingGuide()
  return {
    steps: ['Bấm "Trả lời" (Reply) thư này và đính kèm văn bản trả lời (tệp PDF đã ký).', ...writing.steps],
    example: writing.example
  }
}

/** A guide as plain text lines: numbered steps, then the example indented. */
export function guideText ({ steps, example }: { steps: string[], example: string[] }): string[] {
  return [
    ...steps.map((s, i) => `${i + 1}. ${s}`),
    'Ví dụ phần đầu thư:',
    ...example.map((e) => `    ${e}`)
  ]
}

/** A guide as HTML: the same as `guideText`. */
export function guideHtml ({ steps, example }: { steps: string[], example: string[] }): string {
  return [
    `<ol>\n${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('\n')}\n</ol>`,
    '<p>Ví dụ phần đầu thư:</p>',
    `<pre style="background:#f4f4f4;padding:8px">${escapeHtml(example.join('\n'))}</pre>`
  ].join('\n')
}
