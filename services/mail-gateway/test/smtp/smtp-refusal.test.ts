import t from 'tap'
import { SERVICE_ERRORS } from '@lienthong/contracts'
import { SmtpRefusal, type MailErrorKind } from '../../src/smtp/smtp-refusal.ts'

t.test('a refusal is the SMTP reply smtp-server sends: code, enhanced status, stable code, detail', async (t) => {
  const r = new SmtpRefusal('UNKNOWN_RECIPIENT', 'no agency 000.00.88.H38')
  t.equal(r.responseCode, 550)
  t.equal(r.message, '5.1.1 MAIL_UNKNOWN_RECIPIENT: no agency 000.00.88.H38')
  t.equal(r.code, 'MAIL_UNKNOWN_RECIPIENT')
  t.notOk(r.temporary)
})

t.test('an exchange that cannot answer is a temporary failure: the client sends again', async (t) => {
  const r = new SmtpRefusal('EXCHANGE_UNAVAILABLE', 'later')
  t.equal(r.responseCode, 451)
  t.ok(r.temporary)
})

t.test('every mail error kind has a reply, and the reply line stays one line of ASCII', async (t) => {
  for (const kind of Object.keys(SERVICE_ERRORS.mail) as MailErrorKind[]) {
    const r = new SmtpRefusal(kind, 'Trích yếu: Về việc\r\nRCPT TO:<x>')
    t.ok(r.responseCode >= 400 && r.responseCode < 600, kind)
    t.match(r.message, /^[245]\.\d+\.\d+ MAIL_[A-Z_]+: [\x20-\x7e]*$/, `${kind}: ${r.message}`)
  }
  t.match(new SmtpRefusal('CONVENTION_BROKEN', 'Đồng ý').message, /Dong y$/, 'diacritics dropped, letters kept')
})
