import t from 'tap'
import { Classification, DocumentFields, DocumentId, Priority, documentId } from '../src/document.ts'

const MINIMAL = { number: '12', notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc triển khai', issuedAt: '2026-11-26' }

t.test('documentId is {sender},{yyyy/MM/dd},{number}/{notation}', async (t) => {
  t.equal(documentId('000.00.31.H38', MINIMAL), '000.00.31.H38,2026/11/26,12/UBND-VP')
  t.equal(documentId('000.00.00.H38', { issuedAt: '2026-01-05', number: '123', notation: 'QĐ-UBND' }), '000.00.00.H38,2026/01/05,123/QĐ-UBND')
  t.not(documentId('000.00.31.H38', MINIMAL), documentId('000.00.32.H38', MINIMAL), 'senders give distinct ids')
  t.not(documentId('000.00.31.H38', MINIMAL), documentId('000.00.31.H38', { ...MINIMAL, issuedAt: '2027-11-26' }), 'a new year gives a distinct id')
  t.ok(DocumentId.safeParse(documentId('000.00.31.H38', MINIMAL)).success)
})

t.test('DocumentFields accepts the minimal document, priority defaulting to 0', async (t) => {
  const r = DocumentFields.safeParse(MINIMAL)
  t.ok(r.success, r.success ? 'parsed' : r.error.message)
  t.equal(r.data?.priority, 0)
  t.equal(r.data?.subject, MINIMAL.subject)
  t.equal(r.data?.classification, undefined)
})

t.test('DocumentFields accepts every optional field', async (t) => {
  const full = {
    ...MINIMAL,
    place: 'Lào Cai',
    signer: { competence: 'TM', position: 'Chủ tịch', fullName: 'Nguyễn Văn A' },
    dueDate: '2026-12-31',
    priority: 3,
    steeringType: 'Chỉ đạo',
    responseFor: '000.00.00.H38,2026/11/01,5/UBND-TH'
  }
  const r = DocumentFields.safeParse(full)
  t.ok(r.success)
  t.same(r.data, full)
})

t.test('DocumentFields refuses bad dates', async (t) => {
  for (const issuedAt of ['2026-02-30', '2026-13-01', '26/11/2026', '2026-11-26T10:00:00Z', '', '2026-1-5']) {
    t.equal(DocumentFields.safeParse({ ...MINIMAL, issuedAt }).success, false, `issuedAt ${issuedAt}`)
  }
  t.equal(DocumentFields.safeParse({ ...MINIMAL, dueDate: '2026-02-30' }).success, false, 'dueDate checked too')
  const missing: Record<string, unknown> = { ...MINIMAL }
  delete missing.issuedAt
  t.equal(DocumentFields.safeParse(missing).success, false, 'issuedAt is required')
})

t.test('priority is 0..4', async (t) => {
  for (const p of [0, 1, 2, 3, 4]) t.equal(DocumentFields.safeParse({ ...MINIMAL, priority: p }).data?.priority, p)
  for (const p of [5, -1, 1.5, '1']) t.equal(DocumentFields.safeParse({ ...MINIMAL, priority: p }).success, false, `priority ${String(p)}`)
  t.equal(Priority.safeParse(5).success, false)
})

t.test('subject, type and number must be present and sane', async (t) => {
  t.equal(DocumentFields.safeParse({ ...MINIMAL, subject: '' }).success, false, 'empty subject')
  t.equal(DocumentFields.safeParse({ ...MINIMAL, subject: 'x'.repeat(2001) }).success, false, 'subject too long')
  t.equal(DocumentFields.safeParse({ ...MINIMAL, type: '' }).success, false, 'empty type')
  t.equal(DocumentFields.safeParse({ ...MINIMAL, number: '' }).success, false, 'empty number')
  t.equal(DocumentFields.safeParse({ ...MINIMAL, number: '12/UBND' }).success, false, 'number with a slash')
  t.equal(DocumentFields.safeParse({ ...MINIMAL, number: '1'.repeat(21) }).success, false, 'number too long')
})

t.test('notation: letters (incl. Vietnamese), digits, dot, dash, slash; starts with a letter or digit', async (t) => {
  for (const notation of ['UBND-VP', 'QĐ-UBND', 'CV/STC.KH', 'A']) t.ok(DocumentFields.safeParse({ ...MINIMAL, notation }).success, notation)
  for (const notation of ['', '-UBND', 'UBND VP', 'UBND,VP', 'X'.repeat(61)]) {
    t.equal(DocumentFields.safeParse({ ...MINIMAL, notation }).success, false, JSON.stringify(notation))
  }
})

t.test('classification enum', async (t) => {
  t.same(Classification.options, ['mat', 'toi_mat', 'tuyet_mat'])
  for (const c of ['mat', 'toi_mat', 'tuyet_mat']) t.equal(DocumentFields.safeParse({ ...MINIMAL, classification: c }).data?.classification, c)
  t.equal(DocumentFields.safeParse({ ...MINIMAL, classification: 'mật' }).success, false)
  t.equal(DocumentFields.safeParse({ ...MINIMAL, classification: 'public' }).success, false)
})
