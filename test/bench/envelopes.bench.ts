// Envelope verification as routing and inbox do it: the canonical form, then the signer's and the
// agency's signature against keys mirrored from the registry. Issue 4's target: 8,000 envelopes/s
// on one core. Everything here is synchronous on one thread, so the figure is one core's; run it
// pinned (`taskset -c 0 pnpm lienthong bench envelopes`) to be sure. Not a test: a missed target
// shows as "no". Writes bench-results/envelopes-*.json.
import { sign, verify, type KeyObject } from 'node:crypto'
import os from 'node:os'
import { agencyKeyBucketKey, buildEnvelope, type AgencyKeyEntry, type Envelope, type KeyRole, type SignaturePair } from '@lienthong/contracts'
import { TrustStore, canonicalJsonBytes, newKeyPair, signDetachedBytesSync } from '@lienthong/crypto'
import { AgencyKeysMirror, SignatureChecker } from '@lienthong/platform'
import { laocaiDirectory } from '@lienthong/seeds'
import { loadLine, machineFacts, printTable, writeResult } from './bench-report.ts'

const loadAtStart = os.loadavg()
const ROUND_MS = 2_000
const ROUNDS = 5
const SENDERS = 200
const ENVELOPES = 2_000

interface Figure { what: string, measured: number, unit: string, target?: number }

function keyEntry (agency: string, role: KeyRole, kid: string, publicKey: KeyObject): AgencyKeyEntry {
  return {
    agency, kid, alg: 'EdDSA', role, holder: null,
    jwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
    certificate: null, notBefore: new Date(Date.now() - 86_400_000).toISOString(), notAfter: null, revokedAt: null
  }
}

/** A province's worth of senders, each with a signer and a seal, and envelopes like real ones. */
function fixtures (): { mirror: AgencyKeysMirror, envelopes: Array<{ envelope: Envelope, signatures: SignaturePair }> } {
  const mirror = new AgencyKeysMirror()
  const codes = laocaiDirectory().map((a) => a.code)
  const senders = codes.slice(0, SENDERS)
  const keys = new Map<string, Record<KeyRole, { kid: string, alg: 'EdDSA', privateKey: KeyObject }>>()
  for (const agency of senders) {
    const pair = {} as Record<KeyRole, { kid: string, alg: 'EdDSA', privateKey: KeyObject }>
    for (const role of ['signer', 'agency'] as const) {
      const { privateKey, publicKey } = newKeyPair('ed25519')
      const kid = `${role}-${agency.replaceAll('.', '-')}`
      mirror.set(agencyKeyBucketKey(agency, kid), keyEntry(agency, role, kid, publicKey))
      pair[role] = { kid, alg: 'EdDSA', privateKey }
    }
    keys.set(agency, pair)
  }
  const signedAt = new Date().toISOString()
  const envelopes = Array.from({ length: ENVELOPES }, (_, i) => {
    const sender = senders[i % senders.length]!
    const envelope = buildEnvelope({
      sender,
      to: codes.slice(SENDERS + (i % 50), SENDERS + (i % 50) + 1 + (i % 20)),
      document: {
        number: String(1000 + i),
        notation: 'UBND-VP',
        type: 'Công văn',
        subject: 'Về việc triển khai thực hiện Kế hoạch chuyển đổi số năm 2027 trên địa bàn tỉnh Lào Cai, bảo đảm tỷ lệ hồ sơ công việc được xử lý hoàn toàn trên môi trường mạng',
        issuedAt: '2026-11-26',
        place: 'Lào Cai',
        priority: 1,
        signer: { competence: 'TM. Ủy ban nhân dân', position: 'Phó Chủ tịch', fullName: 'Nguyễn Văn An' }
      },
      attachments: Array.from({ length: i % 4 }, (_, n) => ({ name: `phu-luc-${n + 1}.pdf`, size: 184_320 + n, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })),
      signedAt
    })
    const payload = canonicalJsonBytes(envelope)
    const k = keys.get(sender)!
    return { envelope, signatures: { signer: signDetachedBytesSync(payload, k.signer), agency: signDetachedBytesSync(payload, k.agency) } }
  })
  return { mirror, envelopes }
}

/** The best of several rounds of `work` per second: the machine is shared, the best round is the code's. */
function rate (work: (i: number) => void): number {
  let best = 0
  for (let round = 0; round < ROUNDS; round++) {
    let n = 0
    const started = process.hrtime.bigint()
    const until = started + BigInt(ROUND_MS) * 1_000_000n
    while (process.hrtime.bigint() < until) for (let k = 0; k < 100; k++) work(n++)
    best = Math.max(best, n / (Number(process.hrtime.bigint() - started) / 1e9))
  }
  return Math.round(best)
}

const { mirror, envelopes } = fixtures()
// Distinct envelopes: every one costs its two verifies. A fan-out: one envelope reaches many
// inboxes, and after the first the verified-signature cache answers.
const checker = new SignatureChecker(mirror, { trust: TrustStore.empty(), verifiedCache: false })
const fanOut = new SignatureChecker(mirror, { trust: TrustStore.empty() })
for (const e of envelopes) if (!checker.checkEnvelope(e.envelope, e.signatures).valid) throw new Error('a fixture does not verify')

const { privateKey, publicKey } = newKeyPair('ed25519')
const message = canonicalJsonBytes(envelopes[0]!.envelope)
const rawSignature = sign(null, message, privateKey)

const figures: Figure[] = [
  { what: 'envelopes verified (canonical form + 2 signatures)', measured: rate((i) => { checker.checkEnvelope(envelopes[i % ENVELOPES]!.envelope, envelopes[i % ENVELOPES]!.signatures) }), unit: '/s', target: 8_000 },
  { what: 'envelopes verified, fan-out (one envelope, many recipients)', measured: rate(() => { fanOut.checkEnvelope(envelopes[0]!.envelope, envelopes[0]!.signatures) }), unit: '/s', target: 8_000 },
  { what: 'signatures verified (one detached JWS, bytes ready)', measured: rate((i) => { checker.checkOne(envelopes[i % ENVELOPES]!.signatures.agency, canonicalJsonBytes(envelopes[i % ENVELOPES]!.envelope), { agency: envelopes[i % ENVELOPES]!.envelope.sender, role: 'agency', signedAt: new Date(envelopes[i % ENVELOPES]!.envelope.signedAt) }) }), unit: '/s' },
  { what: 'raw Ed25519 verify (node:crypto), for comparison', measured: rate(() => { verify(null, message, publicKey, rawSignature) }), unit: '/s' },
  { what: 'canonical form of an envelope (RFC 8785)', measured: rate((i) => { canonicalJsonBytes(envelopes[i % ENVELOPES]!.envelope) }), unit: '/s' }
]

const machine = machineFacts(loadAtStart)
console.log(`\nenvelope verification on one core — ${machine.cpus} × ${machine.cpu ?? 'cpu'}, Node ${machine.node}; ${loadLine(machine)}\n`)
printTable(['what', 'measured', 'target ≥', 'ok?'], figures.map((f) => [
  f.what, `${f.measured} ${f.unit}`, f.target === undefined ? '' : String(f.target), f.target === undefined ? '' : f.measured >= f.target ? 'yes' : 'NO'
]))
writeResult('envelopes', { machine, figures })
