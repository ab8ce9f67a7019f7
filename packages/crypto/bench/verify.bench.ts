// Detached-JWS verification throughput for one envelope-sized value, against Ed25519 alone.
// Not a test. One core means one core: run it pinned, otherwise jose's WebCrypto line borrows the
// libuv thread pool's other cores.
//   taskset -c 0 node --import tsx packages/crypto/bench/verify.bench.ts
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { flattenedVerify } from 'jose'
import { canonicalJsonBytes } from '../src/canonical-json.ts'
import { signDetached, verifyDetached, verifyDetachedBytes, type KeyResolver } from '../src/detached-jws.ts'
import { PublicKeyCache } from '../src/key-cache.ts'

const ROUNDS = 5
const ROUND_MS = 1500

function typicalEnvelope (): Record<string, unknown> {
  const communes = Array.from({ length: 24 }, (_, i) => `000.${String(i + 1).padStart(2, '0')}.31.H38`)
  return {
    id: '000.00.00.H38,2026/11/26,1234/UBND-VP',
    from: '000.00.00.H38',
    to: communes,
    issuedAt: '2026-11-26T08:30:00+07:00',
    document: {
      number: '1234',
      notation: 'UBND-VP',
      type: 'Công văn',
      subject: 'Về việc triển khai thực hiện Kế hoạch chuyển đổi số năm 2027 trên địa bàn tỉnh Lào Cai, ' +
        'bảo đảm tỷ lệ hồ sơ công việc được xử lý hoàn toàn trên môi trường mạng theo chỉ tiêu được giao',
      place: 'Lào Cai',
      dueDate: '2026-12-15',
      priority: 1,
      steeringType: 0,
      signer: { competence: 'TM. Ủy ban nhân dân', position: 'Phó Chủ tịch', fullName: 'Nguyễn Văn An' },
      responseFor: null
    },
    attachments: Array.from({ length: 6 }, (_, i) => ({
      name: `phu-luc-${i + 1}.pdf`,
      mediaType: 'application/pdf',
      size: 184_320 + i * 4096,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    })),
    trace: { sentAt: '2026-11-26T08:31:12.345+07:00', client: 'dms.laocai.gov.vn', idempotencyKey: '0193a1f2-7c4e-7b1a-9f3e-5d2c8a6b4e10' }
  }
}

interface Line { name: string, perSecond: number[] }

async function measure (line: Line, op: () => unknown): Promise<void> {
  const end = performance.now() + ROUND_MS
  let n = 0
  let now = performance.now()
  while (now < end) {
    for (let i = 0; i < 100; i++) await op()
    n += 100
    now = performance.now()
  }
  line.perSecond.push(n / (now - (end - ROUND_MS)) * 1000)
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const envelope = typicalEnvelope()
const bytes = canonicalJsonBytes(envelope)
const { publicKey, privateKey } = generateKeyPairSync('ed25519')
const jwk = publicKey.export({ format: 'jwk' })
const cache = new PublicKeyCache()
const resolveKey: KeyResolver = () => cache.fromJwk(jwk)
const jws = await signDetached(envelope, { kid: 'H38-agency-1', alg: 'EdDSA', privateKey })
const [protectedPart = '', , signaturePart = ''] = jws.split('.')
const rawSignature = sign(null, bytes, privateKey)
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const p256Jwk = p256.publicKey.export({ format: 'jwk' })
const personJws = await signDetached(envelope, { kid: 'H38-signer-7', alg: 'EdDSA', privateKey })
const es256Jws = await signDetached(envelope, { kid: 'H38-agency-2', alg: 'ES256', privateKey: p256.privateKey })

const lines: Array<[Line, () => unknown]> = [
  [{ name: 'raw crypto.verify Ed25519, same bytes', perSecond: [] }, () => verify(null, bytes, publicKey, rawSignature)],
  [{ name: 'verifyDetached EdDSA (canonicalize + verify)', perSecond: [] }, async () => await verifyDetached(jws, envelope, resolveKey)],
  [{ name: 'verifyDetachedBytes EdDSA (bytes given)', perSecond: [] }, async () => await verifyDetachedBytes(jws, bytes, resolveKey)],
  [{ name: 'envelope, 2 signatures (canonicalize once)', perSecond: [] }, async () => {
    const once = canonicalJsonBytes(envelope)
    await verifyDetachedBytes(personJws, once, resolveKey)
    await verifyDetachedBytes(jws, once, resolveKey)
  }],
  [{ name: 'jose flattenedVerify EdDSA (bytes given)', perSecond: [] }, async () => await flattenedVerify(
    { protected: protectedPart, payload: bytes, signature: signaturePart }, cache.fromJwk(jwk), { algorithms: ['EdDSA'] })],
  [{ name: 'canonicalJsonBytes alone', perSecond: [] }, () => canonicalJsonBytes(envelope)],
  [{ name: 'verifyDetached ES256 (canonicalize + verify)', perSecond: [] }, async () => await verifyDetached(es256Jws, envelope, () => cache.fromJwk(p256Jwk))],
  [{ name: 'raw crypto.sign Ed25519, same bytes', perSecond: [] }, () => sign(null, bytes, privateKey)],
  [{ name: 'signDetached EdDSA (canonicalize + jose sign)', perSecond: [] }, async () => await signDetached(envelope, { kid: 'k', alg: 'EdDSA', privateKey })]
]

console.log(`envelope: ${bytes.length} bytes canonical; ${ROUNDS} interleaved rounds of ${ROUND_MS} ms, median shown`)
for (const [line, op] of lines) await measure(line, op) // warm-up, discarded
for (const [line] of lines) line.perSecond.length = 0
for (let round = 0; round < ROUNDS; round++) {
  for (const [line, op] of lines) await measure(line, op)
}
const rawMedian = median(lines[0]?.[0].perSecond ?? [])
for (const [line] of lines) {
  const m = median(line.perSecond)
  console.log(`${line.name.padEnd(48)} ${Math.round(m).toString().padStart(7)} /s  (${(m / rawMedian * 100).toFixed(0)} % of raw verify)`)
}
