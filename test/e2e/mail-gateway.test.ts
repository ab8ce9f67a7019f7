import t from 'tap'
import { createHash } from 'node:crypto'
import { freePort } from '@lienthong/infra'
import { laocaiAboveVillages, startStack, type TestStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { MailReceiver } from '../harness/mail-receiver.ts'
import { sendWithSmtplib } from '../harness/smtp-client.ts'
import { issueOfficialLogin, registerAgencyMailbox, settle } from '../harness/mailboxes.ts'
import { ATTACHMENT_MAX, MESSAGE_MAX, doorCases } from './mail-door-cases.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'
const DOMAIN = 'lienthong.local'
const DISTRICT_MAILBOX = 'vanthu.bat-xat@laocai.example'
const OFFICIAL = 'nguyen.van.an@laocai.example'
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('Quyết định số 12 về phòng chống thiên tai\n'.repeat(200)), Buffer.from('%%EOF\n')])
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

let numbers = 1
const nextNumber = (): string => String(numbers++)

async function send (stack: TestStack, from: string, to: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const token = await stack.tokenFor(from)
  const answer = await request('POST', `${stack.routing.url}/v1/documents`, {
    token,
    json: { to, document: { number: nextNumber(), notation: 'UBND-VP', type: 'Công văn', subject: 'Về việc phòng chống rét đậm, rét hại cho gia súc', issuedAt: '2026-11-27', ...extra } }
  })
  if (answer.status !== 202) throw new Error(`send: ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer.body.id as string
}

async function statusOf (stack: TestStack, sender: string, id: string, recipient: string): Promise<string | undefined> {
  const answer = await request('GET', `${stack.routing.url}/v1/documents/${encodeURIComponent(id)}`, { token: await stack.tokenFor(sender) })
  return (answer.body.recipients as Array<{ recipient: string, status: string }> | undefined)?.find((r) => r.recipient === recipient)?.status
}

t.test('the mail gateway', async (t) => {
  const receiver = new MailReceiver(await freePort())
  await receiver.start()
  t.teardown(async () => { await receiver.stop() })
  const stack = await startStack(t, {
    agencies: laocaiAboveVillages(),
    mail: {
      MAIL_RELAY_URL: `smtp://127.0.0.1:${receiver.port}`, OUTBOUND_RETRY_MS: '300', OUTBOUND_RETRY_MAX_MS: '1000', OUTBOUND_POLL_MS: '100',
      SMTP_ATTACHMENT_MAX: String(ATTACHMENT_MAX), SMTP_MESSAGE_MAX: String(MESSAGE_MAX)
    }
  })
  await registerAgencyMailbox(stack, DISTRICT, DISTRICT_MAILBOX)
  const login = await issueOfficialLogin(stack, DISTRICT, OFFICIAL, 'Nguyễn Văn An')
  await settle()

  let mailed: { id: string, replyTo: string } | undefined
  await t.test('an arrival goes to the agency\u2019s mailbox as MIME mail, with its attachment and its priority', async (t) => {
    const token = await stack.tokenFor(PROVINCE)
    const put = await fetch(`${stack.routing.url}/v1/attachments/${sha256(PDF)}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: PDF })
    t.ok(put.status === 201 || put.status === 200, 'the attachment is uploaded')
    const answer = await request('POST', `${stack.routing.url}/v1/documents`, {
      token,
      json: {
        to: [DISTRICT],
        document: { number: '12', notation: 'QĐ-UBND', type: 'Quyết định', subject: 'Về việc phòng chống rét đậm, rét hại', issuedAt: '2026-11-27', priority: 1, signer: { position: 'Chủ tịch', fullName: 'Trịnh Xuân Trường' } },
        attachments: [{ name: 'quyet-dinh-12.pdf', size: PDF.length, sha256: sha256(PDF) }]
      }
    })
    t.equal(answer.status, 202)
    const docId = answer.body.id as string
    const [mail] = await receiver.waitFor(1)
    t.equal(mail!.to && 'value' in mail!.to ? mail!.to.value[0]!.address : undefined, DISTRICT_MAILBOX)
    t.match(mail!.subject, /^\[Khẩn\] 12\/QĐ-UBND: Về việc phòng chống rét đậm, rét hại/)
    const line = (key: string): string | undefined => mail!.headerLines.find((h) => h.key === key)?.line
    t.match(line('importance'), /^Importance: high$/i)
    t.match(line('x-priority'), /^X-Priority: 1\b/i)
    t.equal(mail!.headers.get('priority'), 'high', 'a mail client reads it as important')
    t.equal(decodeURI(String(mail!.headers.get('x-lienthong-document'))), docId)
    t.match(mail!.messageId, new RegExp(`^<d\\.[0-9a-f]{40}@${DOMAIN}>$`))
    const replyTo = mail!.replyTo && 'value' in mail!.replyTo ? mail!.replyTo.value[0]!.address! : ''
    t.match(replyTo, new RegExp(`^reply\\+[0-9a-f]{32}@${DOMAIN}$`))
    t.match(mail!.text, /Trịnh Xuân Trường/)
    t.match(mail!.html, /Trịnh Xuân Trường/)
    t.equal(mail!.attachments.length, 1)
    t.equal(mail!.attachments[0]!.filename, 'quyet-dinh-12.pdf')
    t.equal(mail!.attachments[0]!.contentType, 'application/pdf')
    t.same(sha256(mail!.attachments[0]!.content), sha256(PDF), 'the attachment arrives byte for byte')
    mailed = { id: docId, replyTo }
  })

  await t.test('with the receiver down, 01 still flows back, and each mail arrives exactly once when it is up again', async (t) => {
    const before = receiver.mails.length
    await receiver.stop()
    const ids = [await send(stack, PROVINCE, [DISTRICT]), await send(stack, PROVINCE, [DISTRICT]), await send(stack, PROVINCE, [DISTRICT])]
    for (const id of ids) {
      await eventually(async () => (await statusOf(stack, PROVINCE, id, DISTRICT)) === '01' ? true : undefined, 20_000, `01 for ${id}`)
    }
    t.pass('status 01 reached the sender of every document while no mail could go')
    await eventually(async () => {
      const [row] = await stack.sql`select count(*)::int as n from mail.outbound_mails where kind = 'document' and sent_at is null and attempts >= 2`
      return row!.n >= 3 ? true : undefined
    }, 20_000, 'the gateway to try each mail more than once')
    await receiver.start()
    await receiver.waitFor(before + 3, 30_000)
    await settle(2_000)
    const documents = receiver.mails.slice(before).map((m) => m.headers.get('x-lienthong-document'))
    t.same(documents.sort(), [...ids].sort(), 'each document mailed once, none twice')
    t.ok([...receiver.counts().values()].every((n) => n === 1), 'no Message-ID arrived twice')
  })

  await t.test('an official answers by replying: the answer goes to the sender, and #hoanthanh completes the file', async (t) => {
    t.ok(mailed, 'the first test mailed a document')
    const answerPdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('Báo cáo kết quả\n'.repeat(50))])
    const out = await sendWithSmtplib({
      port: stack.smtpPort,
      username: login.username,
      password: login.password,
      from: OFFICIAL,
      to: [mailed!.replyTo],
      message: {
        subject: 'Re: [Khẩn] 12/QĐ-UBND: Về việc phòng chống rét đậm, rét hại',
        body: '#hoanthanh Đã triển khai tới các xã\nSố: 45/UBND-VP\nLoại: Báo cáo\n\nKính gửi UBND tỉnh,\n> trích dẫn thư cũ\n',
        attachments: [{ name: 'bao-cao-45.pdf', type: 'application/pdf', content: answerPdf }]
      }
    })
    t.equal(out.code, 250, out.reply)
    t.ok(out.features?.size !== undefined, 'SIZE is announced')
    const [answer] = await stack.sql`select id, sender, fields from routing.documents where sender = ${DISTRICT} and number = '45'`
    t.ok(answer, 'routing holds the answer')
    t.equal(answer!.fields.responseFor, mailed!.id, 'it answers the mailed document')
    t.equal(answer!.fields.type, 'Báo cáo')
    const item = await eventually(async () => {
      const [row] = await stack.sql`select state from inbox.items where document_id = ${mailed!.id} and recipient = ${DISTRICT}`
      return row?.state === '06' ? row : undefined
    }, 15_000, 'the district\u2019s file completed')
    t.equal(item.state, '06')
    const province = await request('GET', `${stack.inbox.url}/v1/inbox?sender=${DISTRICT}`, { token: await stack.tokenFor(PROVINCE) })
    t.ok((province.body.items as Array<{ documentId: string }>).some((i) => i.documentId === answer!.id), 'the province received the answer')
    const notice = await eventually(async () => receiver.mails.find((m) => m.subject?.startsWith('Đã gửi: 45/UBND-VP')), 15_000, 'the confirmation mail')
    t.match(notice.text, /UBND|Ủy ban/, 'it names where the answer went')
    t.match(notice.text, /06|Hoàn thành/i, 'and the step recorded')
  })

  await t.test('a mail to an agency address becomes a custody-signed document of the official\u2019s agency', async (t) => {
    const out = await sendWithSmtplib({
      port: stack.smtpPort, username: login.username, password: login.password, from: OFFICIAL,
      to: [`${PROVINCE}@${DOMAIN}`],
      message: { subject: 'Báo cáo tình hình rét đậm trên địa bàn huyện', body: 'Số: 46/UBND-VP\nHạn xử lý: 2026-12-10\n\nKính gửi UBND tỉnh.', headers: { Importance: 'high' } }
    })
    t.equal(out.code, 250, out.reply)
    const [doc] = await stack.sql`select id, signed_by, fields from routing.documents where sender = ${DISTRICT} and number = '46'`
    t.equal(doc!.signed_by, 'custody', 'signed by the agency\u2019s custody keys')
    t.equal(doc!.fields.priority, 1, 'Importance: high is khẩn')
    t.equal(doc!.fields.dueDate, '2026-12-10')
    const arrived = await eventually(async () => {
      const [row] = await stack.sql`select signatures_valid from inbox.items where document_id = ${doc!.id} and recipient = ${PROVINCE}`
      return row
    }, 15_000, 'the arrival at the province')
    t.equal(arrived.signatures_valid, true, 'both signatures verify on arrival')
  })

  await t.test('a mail to a group address goes to every agency of the group', async (t) => {
    const out = await sendWithSmtplib({
      port: stack.smtpPort, username: login.username, password: login.password, from: OFFICIAL,
      to: [`commune.${DISTRICT}@${DOMAIN}`],
      message: { subject: 'Thông báo lịch tiêm phòng cho gia súc', body: 'Số: 47/UBND-VP\n' }
    })
    t.equal(out.code, 250, out.reply)
    const communes = laocaiAboveVillages().filter((a) => a.level === 'commune' && a.code.endsWith('.31.H38')).map((a) => a.code)
    const [doc] = await stack.sql`select recipients from routing.documents where sender = ${DISTRICT} and number = '47'`
    t.same([...doc!.recipients].sort(), communes.sort(), 'every commune of the district')
  })

  await t.test('the operator sees the outbound queue; an agency\u2019s token does not', async (t) => {
    const operator = await request('GET', `${stack.mail.url}/v1/outbound`, { token: await stack.adminToken() })
    t.equal(operator.status, 200)
    t.ok(operator.body.sent >= 4, `${String(operator.body.sent)} mails sent`)
    t.equal(operator.body.failed, 0)
    const agency = await request('GET', `${stack.mail.url}/v1/outbound`, { token: await stack.tokenFor(DISTRICT) })
    t.equal(agency.status, 403)
    t.equal(agency.body.code, 'MAIL_FORBIDDEN')
    const metrics = await (await fetch(`${stack.mail.url}/metrics`)).text()
    t.match(metrics, /lienthong_mail_outbound_total\{outcome="sent"[^}]*\} \d+/)
    t.match(metrics, /lienthong_mail_inbound_total\{outcome="sent"[^}]*\} \d+/)
  })

  await t.test('the same mail sent twice makes one document', async (t) => {
    const raw = Buffer.from([
      `From: ${OFFICIAL}`, `To: ${PROVINCE}@${DOMAIN}`, 'Subject: =?utf-8?B?' + Buffer.from('Báo cáo lần hai').toString('base64') + '?=',
      'Message-ID: <twice@laocai.example>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '',
      'Số: 48/UBND-VP', ''
    ].join('\r\n'))
    const out = await sendWithSmtplib({ port: stack.smtpPort, username: login.username, password: login.password, from: OFFICIAL, to: [`${PROVINCE}@${DOMAIN}`], raw, repeat: 2 })
    t.equal(out.code, 250, out.reply)
    t.equal(out.replies?.length, 2)
    const [row] = await stack.sql`select count(*)::int as n from routing.documents where sender = ${DISTRICT} and number = '48'`
    t.equal(row!.n, 1)
  })

  // last: they register mailboxes and logins of their own, and retire a department
  await t.test('the door\u2019s rules and bad input', async (t) => { await doorCases(t, stack, receiver) })
})
