/** What the official reads when the exchange refused the document, by the exchange's code. */
const REFUSALS_VI: Record<string, string> = {
  RTE_POLICY_REFUSED: 'Quy định gửi văn bản không cho phép cơ quan của ông/bà gửi tới nơi nhận này',
  RTE_DUPLICATE_DOCUMENT: 'Cơ quan đã gửi một văn bản khác với cùng số và ký hiệu trong năm nay; hãy dùng số, ký hiệu khác',
  RTE_UNKNOWN_RECIPIENT: 'Có nơi nhận không có trong danh bạ cơ quan',
  RTE_INACTIVE_RECIPIENT: 'Có nơi nhận đã bị tạm ngừng hoặc giải thể',
  RTE_EMPTY_GROUP: 'Nhóm nơi nhận không có cơ quan nào',
  RTE_SELF_ADDRESSED: 'Cơ quan không gửi văn bản cho chính mình',
  RTE_TOO_MANY_RECIPIENTS: 'Văn bản có quá nhiều nơi nhận',
  RTE_SIGNATURE_REQUIRED: 'Hệ thống không giữ khóa ký số của cơ quan, nên không ký thay được',
  RTE_CLASSIFIED: 'Văn bản mật không được gửi qua hệ thống liên thông',
  RTE_ATTACHMENT_TOO_LARGE: 'Tệp đính kèm lớn hơn 100 MB',
  RTE_IDEMPOTENCY_CONFLICT: 'Thư này đã được gửi trước đó với nội dung khác',
  RTE_VALIDATION_FAILED: 'Thông tin văn bản không hợp lệ',
  RTE_SENDER_INACTIVE: 'Cơ quan của ông/bà đang bị tạm ngừng trên hệ thống'
}

export function exchangeRefusalVi (code: string, detail: string): string {
  const known = REFUSALS_VI[code]
  return `${known ?? 'Hệ thống liên thông từ chối văn bản'} (mã ${code}${detail !== '' ? `: ${detail}` : ''}).`
}
