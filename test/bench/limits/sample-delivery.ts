// Deliveries of the size and shape routing publishes and the inbox stores: a provincial document
// to a handful of communes, its envelope signed twice with real Ed25519 keys. What the machine's
// limits are measured with, so that a byte count or a verify is a real one's.
import { buildEnvelope, deliverSubject, deliveryMessageId, type DeliveryMessage, type Envelope } from '@lienthong/contracts'
import { canonicalJsonBytes, newKeyPair, signDetachedBytesSync } from '@lienthong/crypto'
import { laocaiDirectory } from '@lienthong/seeds'

const SENDER = '000.00.00.H38'
const SIGNED_AT = '2026-11-26T08:30:00.000+07:00'
const communes = laocaiDirectory().filter((a) => a.level === 'commune').map((a) => a.code)

/** The n-th document of the sender: a different number (and id) for each n, to ten communes. */
export function sampleEnvelope (n: number): Envelope {
  return buildEnvelope({
    sender: SENDER,
    to: Array.from({ length: 10 }, (_, k) => communes[(n * 10 + k) % communes.length]!),
    document: {
      number: String(1000 + n),
      notation: 'UBND-VP',
      type: 'Công văn',
      subject: 'Về việc triển khai thực hiện Kế hoạch chuyển đổi số năm 2027 trên địa bàn tỉnh Lào Cai, bảo đảm tỷ lệ hồ sơ công việc được xử lý hoàn toàn trên môi trường mạng',
      issuedAt: '2026-11-26',
      place: 'Lào Cai',
      dueDate: '2026-12-15',
      priority: 1,
      steeringType: 'Chỉ đạo',
      signer: { competence: 'TM. Ủy ban nhân dân', position: 'Phó Chủ tịch', fullName: 'Nguyễn Văn An' }
    },
    attachments: [
      { name: 'cong-van-chuyen-doi-so.pdf', size: 284_113, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      { name: 'phu-luc-ke-hoach.pdf', size: 96_530, sha256: '5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef' },
      { name: 'danh-muc-thu-tuc-hanh-chinh.xlsx', size: 41_207, sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }
    ],
    signedAt: SIGNED_AT
  })
}

export interface SampleDelivery {
  subject: string
  msgID: string
  message: DeliveryMessage
}

/**
 * `count` distinct deliveries, each one recipient's copy of its own document, with the subject and
 * message id routing would publish it under.
 */
export function sampleDeliveries (count: number): SampleDelivery[] {
  const signer = { kid: 'signer-000-00-00-H38', alg: 'EdDSA' as const, privateKey: newKeyPair('ed25519').privateKey }
  const agency = { kid: 'agency-000-00-00-H38', alg: 'EdDSA' as const, privateKey: newKeyPair('ed25519').privateKey }
  return Array.from({ length: count }, (_, n) => {
    const envelope = sampleEnvelope(n)
    const payload = canonicalJsonBytes(envelope)
    const recipients = envelope.to as string[]
    const recipient = recipients[n % recipients.length]!
    const message: DeliveryMessage = {
      documentId: envelope.id,
      recipient,
      recipients,
      recipientCount: recipients.length,
      sentAt: SIGNED_AT,
      envelope,
      signatures: { signer: signDetachedBytesSync(payload, signer), agency: signDetachedBytesSync(payload, agency) }
    }
    return { subject: deliverSubject(recipient, envelope.document.priority), msgID: deliveryMessageId(envelope.id, recipient), message }
  })
}
