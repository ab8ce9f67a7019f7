// The mail gateway's door: its rules and bad input, each refused with its SMTP reply and nothing
// sent. Not a test file of its own: mail-gateway.test.ts runs these on its stack, which saves the
// suite a stack (see docs/performance.md on the suite's time).
import type { Test } from 'tap'
import type { TestStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import type { MailReceiver } from '../harness/mail-receiver.ts'
import { sendWithSmtplib, type SmtpJob, type SmtpOutcome } from '../harness/smtp-client.ts'
import { issueOfficialLogin, registerAgencyMailbox, settle } from '../harness/mailboxes.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const OTHER_DISTRICT = '000.00.32.H38'
const RETIRED = '000.00.21.H38'
const DOMAIN = 'lienthong.local'
const OFFICIAL = 'tran.thi.binh@laocai.example'
const OTHER_OFFICIAL = 'le.van.cuong@laocai.example'
/** what mail-gateway.test.ts sets the gateway's SMTP_ATTACHMENT_MAX and SMTP_MESSAGE_MAX to */
export const ATTACHMENT_MAX = 1024 * 1024
export const MESSAGE_MAX = 3 * 1024 * 1024

/** A whole message, line by line, with CRLF: what a broken or hostile client would put after DATA. */
function rawMail (headers: string[], body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(headers.join('\r\n') + '\r\n\r\n', 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body)])
}

async function documentCount (stack: TestStack): Promise<{ documents: number, items: number }> {
  const [d] = await stack.sql`select count(*)::int as n from routing.documents where sender = ${DISTRICT}`
  const [i] = await stack.sql`select count(*)::int as n from inbox.items where sender = ${DISTRICT}`
  return { documents: d!.n, items: i!.n }
}

export async function doorCases (t: Test, stack: TestStack, receiver: MailReceiver): Promise<void> {
  await registerAgencyMailbox(stack, DISTRICT, 'vanthu.h31@laocai.example')
  await registerAgencyMailbox(stack, OTHER_DISTRICT, 'vanthu.h32@laocai.example')
  const login = await issueOfficialLogin(stack, DISTRICT, OFFICIAL, 'Trần Thị Bình')
  const other = await issueOfficialLogin(stack, OTHER_DISTRICT, OTHER_OFFICIAL, 'Lê Văn Cường')
  const retired = await request('POST', `${stack.registry.url}/v1/agencies/${RETIRED}/retire`, { token: await stack.adminToken() })
  t.equal(retired.status, 200, 'a department is retired')
  await settle()

  const job = (over: Partial<SmtpJob>): SmtpJob => ({ port: stack.smtpPort, username: login.username, password: login.password, from: OFFICIAL, to: [`${PROVINCE}@${DOMAIN}`], ...over })
  /** The mail is refused with this reply, at this stage, and the exchange holds nothing more than before. */
  const refused = async (t: Test, over: Partial<SmtpJob>, stage: SmtpOutcome['stage'], code: number, text: RegExp): Promise<SmtpOutcome> => {
    const before = await documentCount(stack)
    const out = await sendWithSmtplib(job(over))
    t.equal(out.stage, stage, `refused at ${String(stage)}`)
    t.equal(out.code, code, out.reply)
    t.match(out.reply, text)
    t.same(await documentCount(stack), before, 'nothing was sent')
    return out
  }

  await t.test('no relay, no login without TLS, no mail without login, a wrong password, another sender', async (t) => {
    await refused(t, { to: ['someone@gmail.com'] }, 'rcpt', 550, /5\.7\.1 MAIL_RELAY_DENIED/)
    const clear = await sendWithSmtplib(job({ starttls: false }))
    t.equal(clear.stage, 'auth', 'AUTH is not offered in the clear')
    const anonymous = await sendWithSmtplib(job({ login: false, message: { subject: 'x', body: 'Số: 1/UBND-VP' } }))
    t.equal(anonymous.stage, 'mail')
    t.equal(anonymous.code, 530, anonymous.reply)
    const wrong = await sendWithSmtplib(job({ password: 'not-the-password' }))
    t.equal(wrong.stage, 'auth')
    t.equal(wrong.code, 535, wrong.reply)
    await refused(t, { from: OTHER_OFFICIAL, message: { subject: 'x', body: 'Số: 1/UBND-VP' } }, 'mail', 553, /MAIL_SENDER_MISMATCH/)
    await refused(t, { message: { subject: 'Giả mạo', body: 'Số: 2/UBND-VP', fromHeader: OTHER_OFFICIAL } }, 'data', 553, /MAIL_SENDER_MISMATCH/)
  })

  await t.test('more recipients than one mail may have: the rest are refused at RCPT TO, for another mail', async (t) => {
    const agencies = (await stack.sql`select code from registry.agencies where status = 'active' and code <> ${DISTRICT} order by code limit 101`).map((r) => `${String(r.code)}@${DOMAIN}`)
    t.equal(agencies.length, 101)
    await refused(t, { to: agencies, message: { subject: 'Quá nhiều nơi nhận', body: 'Số: 2/UBND-VP' } }, 'rcpt', 452, /4\.5\.3 MAIL_TOO_MANY_RECIPIENTS: at most 100 recipients/)
  })

  await t.test('unknown and retired recipients are refused at RCPT TO', async (t) => {
    await refused(t, { to: [`000.00.88.H38@${DOMAIN}`], message: { subject: 'x', body: 'Số: 3/UBND-VP' } }, 'rcpt', 550, /5\.1\.1 MAIL_UNKNOWN_RECIPIENT: no agency 000\.00\.88\.H38/)
    await refused(t, { to: [`nobody@${DOMAIN}`], message: { subject: 'x', body: 'Số: 3/UBND-VP' } }, 'rcpt', 550, /MAIL_UNKNOWN_RECIPIENT/)
    await refused(t, { to: [`${RETIRED}@${DOMAIN}`], message: { subject: 'x', body: 'Số: 4/UBND-VP' } }, 'rcpt', 550, /5\.1\.6 MAIL_INACTIVE_RECIPIENT: 000\.00\.21\.H38 is retired/)
  })

  await t.test('malformed MIME', async (t) => {
    const raw = rawMail([`From: ${OFFICIAL}`, `To: ${PROVINCE}@${DOMAIN}`, 'Subject: Thieu ranh gioi', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="abc"'],
      '--abc\r\nContent-Type: text/plain\r\n\r\nSo: 5/UBND-VP\r\n--abc\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 never closed\r\n')
    await refused(t, { raw }, 'data', 550, /5\.6\.0 MAIL_MALFORMED_MIME/)
  })

  await t.test('raw 8-bit bytes in a header', async (t) => {
    const raw = rawMail([`From: ${OFFICIAL}`, `To: ${PROVINCE}@${DOMAIN}`, `Subject: ${Buffer.from('Báo cáo', 'utf8').toString('latin1')}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8'], 'Số: 6/UBND-VP\r\n')
    await refused(t, { raw }, 'data', 550, /5\.6\.7 MAIL_HEADER_NOT_ASCII/)
  })

  await t.test('an attachment whose content type lies', async (t) => {
    await refused(t, { message: { subject: 'Quyết định', body: 'Số: 7/UBND-VP', attachments: [{ name: 'quyet-dinh.pdf', type: 'application/pdf', content: Buffer.from('MZ\x90\x00 this is a program') }] } }, 'data', 550, /5\.6\.1 MAIL_ATTACHMENT_TYPE_MISMATCH/)
    await refused(t, { message: { subject: 'Quyết định', body: 'Số: 8/UBND-VP', attachments: [{ name: 'bang-tinh.xlsx', type: 'application/pdf', content: Buffer.from('%PDF-1.4\nx') }] } }, 'data', 550, /MAIL_ATTACHMENT_TYPE_MISMATCH/)
  })

  await t.test('an attachment over the limit, and a mail over SIZE', async (t) => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(ATTACHMENT_MAX + 10, 0x41)])
    await refused(t, { message: { subject: 'Tệp lớn', body: 'Số: 9/UBND-VP', attachments: [{ name: 'lon.pdf', type: 'application/pdf', content: big }] } }, 'data', 552, /5\.3\.4 MAIL_ATTACHMENT_TOO_LARGE/)
    const huge = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(MESSAGE_MAX, 0x41)])
    const out = await refused(t, { message: { subject: 'Thư quá lớn', body: 'Số: 10/UBND-VP', attachments: [{ name: 'rat-lon.pdf', type: 'application/pdf', content: huge }] } }, 'data', 552, /size|SIZE/)
    t.equal(out.features?.size, String(MESSAGE_MAX), 'the limit is announced in EHLO')
  })

  await t.test('a mail without the number line is refused, and the official is told in Vietnamese', async (t) => {
    await refused(t, { message: { subject: 'Thiếu số văn bản', body: 'Kính gửi UBND tỉnh' } }, 'data', 550, /MAIL_CONVENTION_BROKEN/)
    const notice = await eventually(async () => receiver.mails.find((m) => m.subject?.startsWith('Không gửi được: Thiếu số văn bản')), 15_000, 'the refusal notice')
    t.equal(notice.to !== undefined && 'value' in notice.to ? notice.to.value[0]!.address : undefined, OFFICIAL, 'a refusal notice went to the official')
    t.match(notice.text, /Số:/, 'it shows the convention')
  })

  await t.test('a step word in a mail that answers nothing', async (t) => {
    await refused(t, { message: { subject: 'Không phải trả lời', body: '#hoanthanh\nSố: 30/UBND-VP' } }, 'data', 550, /MAIL_CONVENTION_BROKEN: #hoanthanh records a step/)
  })

  await t.test('a reply token used twice, or by another agency', async (t) => {
    const sent = await request('POST', `${stack.routing.url}/v1/documents`, {
      token: await stack.tokenFor(PROVINCE),
      json: { to: [DISTRICT, OTHER_DISTRICT], document: { number: '501', notation: 'UBND-VP', type: 'Công văn', subject: 'Đề nghị báo cáo', issuedAt: '2026-11-27' } }
    })
    t.equal(sent.status, 202)
    const replyOf = async (address: string): Promise<string> => {
      const m = await eventually(async () => receiver.mails.find((x) => decodeURI(String(x.headers.get('x-lienthong-document'))) === sent.body.id && x.to !== undefined && 'value' in x.to && x.to.value[0]!.address === address), 20_000, `the mail to ${address}`)
      return m.replyTo !== undefined && 'value' in m.replyTo ? m.replyTo.value[0]!.address! : ''
    }
    const mine = await replyOf('vanthu.h31@laocai.example')
    const theirs = await replyOf('vanthu.h32@laocai.example')
    t.not(mine, theirs, 'each copy has its own reply address')
    await refused(t, { to: [theirs], message: { subject: 'Re: Đề nghị báo cáo', body: 'Số: 11/UBND-VP' } }, 'rcpt', 550, /MAIL_REPLY_TOKEN_NOT_YOURS/)
    const first = await sendWithSmtplib(job({ to: [mine], message: { subject: 'Re: Đề nghị báo cáo', body: 'Số: 12/UBND-VP' } }))
    t.equal(first.code, 250, first.reply)
    await refused(t, { to: [mine], message: { subject: 'Re: Đề nghị báo cáo', body: 'Số: 13/UBND-VP' } }, 'rcpt', 550, /MAIL_REPLY_TOKEN_USED/)
    await refused(t, { to: [mine, `${PROVINCE}@${DOMAIN}`], message: { subject: 'x', body: 'Số: 14/UBND-VP' } }, 'rcpt', 550, /MAIL_ADDRESS_NOT_ALONE|MAIL_REPLY_TOKEN_USED/)
    const otherDistrictAnswer = await sendWithSmtplib({ ...job({ to: [theirs], message: { subject: 'Re: Đề nghị báo cáo', body: 'Số: 15/UBND-VP' } }), username: other.username, password: other.password, from: OTHER_OFFICIAL })
    t.equal(otherDistrictAnswer.code, 250, 'the other district answers its own copy')
  })

  await t.test('the exchange\u2019s own refusal comes back at the end of DATA with its code', async (t) => {
    const first = await sendWithSmtplib(job({ message: { subject: 'Lần đầu', body: 'Số: 20/UBND-VP' } }))
    t.equal(first.code, 250, first.reply)
    await refused(t, { message: { subject: 'Cùng số, văn bản khác', body: 'Số: 20/UBND-VP' } }, 'data', 550, /5\.7\.0 MAIL_REFUSED_BY_EXCHANGE: RTE_DUPLICATE_DOCUMENT/)
    // the sending policy is routing's: a district does not write to another district's commune
    await refused(t, { to: [`000.01.32.H38@${DOMAIN}`], message: { subject: 'Sai tuyến', body: 'Số: 21/UBND-VP' } }, 'data', 550, /MAIL_REFUSED_BY_EXCHANGE: RTE_POLICY_REFUSED/)
    const notice = await eventually(async () => receiver.mails.find((m) => m.subject?.startsWith('Không gửi được: Sai tuyến')), 15_000, 'the refusal notice')
    t.match(notice.text, /RTE_POLICY_REFUSED/, 'the notice names the exchange\u2019s code')
  })
}
