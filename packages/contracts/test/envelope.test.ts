import t from 'tap'
import { Envelope, EnvelopeSignatures, buildEnvelope } from '../src/envelope.ts'

const document = { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc…', issuedAt: '2026-11-26' }

t.test('the envelope is built the same way by sender and verifier', async (t) => {
  const envelope = buildEnvelope({ sender: '000.00.00.H38', to: ['000.00.31.H38'], document, signedAt: '2026-11-26T01:00:00Z' })
  t.same(envelope, {
    type: 'lienthong.envelope',
    v: 1,
    id: '000.00.00.H38,2026/11/26,12/UBND-VP',
    sender: '000.00.00.H38',
    to: ['000.00.31.H38'],
    document: { ...document, priority: 0 },
    attachments: [],
    signedAt: '2026-11-26T01:00:00Z'
  }, 'priority defaults to 0 and the id comes from the fields')
  t.ok(Envelope.safeParse(envelope).success)
  const again = buildEnvelope({ sender: '000.00.00.H38', to: ['000.00.31.H38'], document: { ...document, unknown: 'dropped' } as typeof document, signedAt: '2026-11-26T01:00:00Z' })
  t.same(again, envelope, 'unknown document members are dropped')
})

t.test('a group is kept as the sender wrote it', async (t) => {
  const to = { group: 'subtree' as const, of: '000.00.31.H38', level: 'commune' as const }
  const envelope = buildEnvelope({ sender: '000.00.00.H38', to, document, signedAt: '2026-11-26T01:00:00Z' })
  t.same(envelope.to, to)
})

t.test('invalid envelopes', async (t) => {
  const envelope = buildEnvelope({ sender: '000.00.00.H38', to: ['000.00.31.H38'], document, signedAt: '2026-11-26T01:00:00Z' })
  t.equal(Envelope.safeParse({ ...envelope, type: 'lienthong.receipt' }).success, false)
  t.equal(Envelope.safeParse({ ...envelope, v: 2 }).success, false)
  t.equal(Envelope.safeParse({ ...envelope, signedAt: '2026-11-26' }).success, false)
  t.equal(Envelope.safeParse({ ...envelope, attachments: [{ name: 'a.pdf', size: 1, sha256: 'zz' }] }).success, false)
  t.ok(Envelope.safeParse({ ...envelope, attachments: [{ name: 'a.pdf', size: 1, sha256: 'a'.repeat(64) }] }).success)
  t.throws(() => buildEnvelope({ sender: '000.00.00.H38', to: [], document, signedAt: '2026-11-26T01:00:00Z' }), 'an empty list is refused')
})

t.test('signatures a DMS sends', async (t) => {
  const sigs = { signedAt: '2026-11-26T01:00:00Z', signer: 'a..b', agency: 'c..d' }
  t.ok(EnvelopeSignatures.safeParse(sigs).success)
  t.equal(EnvelopeSignatures.safeParse({ ...sigs, agency: undefined }).success, false, 'both signatures are needed')
  t.equal(EnvelopeSignatures.safeParse({ ...sigs, extra: 'x' }).success, false)
})
