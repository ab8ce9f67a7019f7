import t from 'tap'
import { mailClientSettings, smtpPort } from '../src/mail-client-settings.ts'

const ISSUED = { username: 'nguyen.van.a@laocai.gov.vn', password: 'pw-shown-once', clientId: 'mail:nguyen.van.a@laocai.gov.vn', agency: '000.00.31.H38', name: 'Nguyễn Văn A' }

t.test('the settings name the login and the outgoing server as a mail client asks for them', async (t) => {
  const text = mailClientSettings(ISSUED, { host: '127.0.0.1', port: 2525 })
  t.match(text, /^Mail credentials of Nguyễn Văn A \(000\.00\.31\.H38\); the password is shown this once:\n/)
  t.match(text, /^ {2}username +nguyen\.van\.a@laocai\.gov\.vn$/m)
  t.match(text, /^ {2}password +pw-shown-once$/m)
  t.match(text, /^ {2}server +127\.0\.0\.1$/m)
  t.match(text, /^ {2}port +2525$/m)
  t.match(text, /^ {2}security +STARTTLS$/m)
  t.match(text, /^ {2}authentication +normal password$/m)
  t.equal(text.match(/^ {2}username +nguyen\.van\.a@laocai\.gov\.vn$/gm)?.length, 2, 'the user name is the address, under the login and under the server')
  t.ok(text.endsWith('\n'))
  const valueColumns = text.split('\n').filter((l) => l.startsWith('  ')).map((l) => /^ {2}\S+ +/.exec(l)![0].length)
  t.equal(valueColumns.length, 7)
  t.equal(new Set(valueColumns).size, 1, 'the values line up')
  t.match(mailClientSettings(ISSUED, { host: 'mail.laocai.gov.vn', port: 587 }), /server +mail\.laocai\.gov\.vn\n {2}port +587\n/)
})

t.test('the SMTP port: MAIL_SMTP_PORT, or 2525', async (t) => {
  t.equal(smtpPort({}), 2525)
  t.equal(smtpPort({ MAIL_SMTP_PORT: '' }), 2525)
  t.equal(smtpPort({ MAIL_SMTP_PORT: '2626' }), 2626)
  for (const bad of ['0', '70000', 'smtp', '25.5']) t.throws(() => smtpPort({ MAIL_SMTP_PORT: bad }), /MAIL_SMTP_PORT is not a port/)
})
