import t from 'tap'
import { SendDocumentRequest, SendDocumentResponse } from '../src/send-document.ts'

const document = { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: '…', issuedAt: '2026-11-26' }

t.test('the smallest request of the design brief parses', async (t) => {
  const r = SendDocumentRequest.safeParse({ to: ['000.00.31.H38'], document })
  t.ok(r.success)
  t.same(r.data, { to: ['000.00.31.H38'], document: { ...document, priority: 0 } })
  t.equal(r.data?.from, undefined)
})

t.test('to may be a group', async (t) => {
  const r = SendDocumentRequest.safeParse({ to: { group: 'subtree', of: '000.00.31.H38', level: 'commune' }, document })
  t.ok(r.success)
  t.same(r.data?.to, { group: 'subtree', of: '000.00.31.H38', level: 'commune' })
})

t.test('from is optional but must be a code when given', async (t) => {
  t.equal(SendDocumentRequest.safeParse({ from: '000.00.00.H38', to: ['000.00.31.H38'], document }).data?.from, '000.00.00.H38')
  t.equal(SendDocumentRequest.safeParse({ from: 'H38', to: ['000.00.31.H38'], document }).success, false)
})

t.test('to and document are required and checked', async (t) => {
  t.equal(SendDocumentRequest.safeParse({ document }).success, false, 'no to')
  t.equal(SendDocumentRequest.safeParse({ to: ['000.00.31.H38'] }).success, false, 'no document')
  t.equal(SendDocumentRequest.safeParse({ to: [], document }).success, false, 'empty to')
  t.equal(SendDocumentRequest.safeParse({ to: ['000.00.31.H38'], document: { ...document, subject: '' } }).success, false, 'bad document')
  const r = SendDocumentRequest.safeParse({ to: ['000.00.31.H38'], document: { ...document, priority: 5 } })
  t.equal(r.success, false)
  t.same(r.error?.issues[0]?.path, ['document', 'priority'], 'the issue names where it is')
})

t.test('a classified document still parses (routing refuses it with its own error)', async (t) => {
  const r = SendDocumentRequest.safeParse({ to: ['000.00.31.H38'], document: { ...document, classification: 'mat' } })
  t.equal(r.data?.document.classification, 'mat')
})

t.test('SendDocumentResponse', async (t) => {
  const ok = { id: '000.00.00.H38,2026/11/26,12/UBND-VP', sender: '000.00.00.H38', recipients: ['000.00.31.H38'], acceptedAt: '2026-11-26T01:02:03Z' }
  t.same(SendDocumentResponse.parse(ok), ok)
  t.equal(SendDocumentResponse.safeParse({ ...ok, sender: 'x' }).success, false)
  t.equal(SendDocumentResponse.safeParse({ ...ok, recipients: ['x'] }).success, false)
  const noId: Record<string, unknown> = { ...ok }
  delete noId.id
  t.equal(SendDocumentResponse.safeParse(noId).success, false)
})
