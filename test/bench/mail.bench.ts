// Issue 9's targets for the mail gateway, on a stack of this bench's own with the whole Lào Cai
// directory:
// - inbound: officials' mail clients send 100 mails a second, each with its own 1 MB PDF, to the
//   SMTP door (STARTTLS, AUTH, a few connections each, as nodemailer pools them); every mail is a
//   document through routing before its 250. Reported: mails/s taken, the time from DATA to 250.
// - outbound: a directive from the province to every other agency, each of which has a mailbox
//   (1,744), delivered as mail to a local SMTP receiver within 60 s of the 202.
// Not a test: a missed target shows as "NO". Writes bench-results/mail-*.json.
// Options: --rate 100 --seconds 10 --attachment-kb 1024 --connections 16 --parts inbound,broadcast
import os from 'node:os'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import nodemailer from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { freePort } from '@lienthong/infra'
import { laocaiDirectory } from '@lienthong/seeds'
import { startStack, type TestStack } from '../harness/stack.ts'
import { request } from '../harness/http.ts'
import { issueOfficialLogin, registerAgencyMailbox, settle } from '../harness/mailboxes.ts'
import { loadLine, machineFacts, printTable, writeResult } from './bench-report.ts'
import { summary } from './latency.ts'
import { cpuSeconds, memory, resetPeak } from './process-usage.ts'

const PROVINCE = '000.00.00.H38'
const DOMAIN = 'lienthong.local'
const INBOUND_TARGET = 100
const BROADCAST_TARGET_MS = 60_000
const loadAtStart = os.loadavg()

const { values: opts } = parseArgs({
  options: {
    rate: { type: 'string', default: String(INBOUND_TARGET) },
    seconds: { type: 'string', default: '10' },
    'attachment-kb': { type: 'string', default: '1024' },
    connections: { type: 'string', default: '16' },
    parts: { type: 'string', default: 'inbound,broadcast' }
  }
})
const parts = new Set(opts.parts.split(','))

/** The agencies' mail server: counts what arrives for each document, and when the last came. */
class CountingReceiver {
  readonly byDocument = new Map<string, { count: number, lastAt: number }>()
  readonly messageIds = new Set<string>()
  repeats = 0
  server: SMTPServer | undefined

  async start (port: number): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      size: 200 * 1024 * 1024,
      logger: false,
      onData: (stream, _session, callback) => {
        let head = ''
        stream.on('data', (chunk: Buffer) => { if (head.length < 16_384) head += chunk.toString('latin1') })
        stream.on('end', () => {
          const header = /^X-Lienthong-Document: (.+)$/mi.exec(head)?.[1]?.trim()
          const doc = header === undefined ? undefined : decodeURI(header)
          const id = /^Message-ID: (.+)$/mi.exec(head)?.[1]?.trim() ?? ''
          if (this.messageIds.has(id)) this.repeats++
          this.messageIds.add(id)
          if (doc !== undefined) {
            const entry = this.byDocument.get(doc) ?? { count: 0, lastAt: 0 }
            entry.count++
            entry.lastAt = performance.now()
            this.byDocument.set(doc, entry)
          }
          callback()
        })
      }
    })
    this.server.listen(port, '127.0.0.1')
    await once(this.server.server, 'listening')
  }
}

let profiled: number[] = []
const toggleProfiles = (): void => { for (const pid of profiled) process.kill(pid, 'SIGWINCH') }

interface InboundFigures { offeredPerSecond: number, mails: number, accepted: number, refused: number, acceptedPerSecond: number, seconds: number, dataToReplyMs: ReturnType<typeof summary>, cpuSeconds: Record<string, number>, peakResidentMb: Record<string, number>, refusals: string[] }

async function inbound (stack: TestStack, logins: Array<{ address: string, password: string }>): Promise<InboundFigures> {
  const rate = Number(opts.rate)
  const total = rate * Number(opts.seconds)
  const size = Number(opts['attachment-kb']) * 1024
  const perLogin = Math.max(1, Math.floor(Number(opts.connections) / logins.length))
  const transports = logins.map((l) => nodemailer.createTransport({
    host: '127.0.0.1', port: stack.smtpPort, secure: false, requireTLS: true, tls: { rejectUnauthorized: false },
    auth: { user: l.address, pass: l.password }, pool: true, maxConnections: perLogin, maxMessages: Infinity
  }))
  const pids = { 'mail-gateway': stack.mail.pid!, routing: stack.routing.pid!, inbox: stack.inbox.pid!, registry: stack.registry.pid!, signatures: stack.signatures.pid! }
  for (const pid of Object.values(pids)) resetPeak(pid)
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([s, pid]) => [s, cpuSeconds(pid)]))
  const times: number[] = []
  const refusals: string[] = []
  let accepted = 0
  toggleProfiles()
  const started = performance.now()
  const sends: Array<Promise<void>> = []
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const login = logins[i % logins.length]!
    sends.push(transports[i % logins.length]!.sendMail({
      envelope: { from: login.address, to: [`${PROVINCE}@${DOMAIN}`] },
      raw: reportMail(login.address, i, size)
    }).then(() => { accepted++; times.push(performance.now() - due) }, (err: Error) => { refusals.push(err.message.slice(0, 200)) }))
  }
  await Promise.all(sends)
  const seconds = (performance.now() - started) / 1000
  toggleProfiles()
  // the profiles are written by the services' signal handlers, before anything stops them
  if (profiled.length > 0) await settle(3_000)
  for (const t of transports) t.close()
  return {
    offeredPerSecond: rate,
    mails: total,
    accepted,
    refused: refusals.length,
    acceptedPerSecond: accepted / seconds,
    seconds,
    dataToReplyMs: summary(times),
    cpuSeconds: Object.fromEntries(Object.entries(pids).map(([s, pid]) => [s, cpuSeconds(pid) - cpuBefore[s]!])),
    peakResidentMb: Object.fromEntries(Object.entries(pids).map(([s, pid]) => [s, memory(pid).peakMb])),
    refusals: [...new Set(refusals)].slice(0, 5)
  }
}

let attachmentBase64: string | undefined

/**
 * The i-th report, as a mail client would send it: a text part with its number line and a PDF of
 * `size` bytes, different in its first bytes from every other (so no two mails are one document
 * and no attachment is stored once for two). Built from one base64 text made once: making 1 MB of
 * MIME per mail would cost this process more CPU than the gateway gets.
 */
function reportMail (from: string, i: number, size: number): string {
  attachmentBase64 ??= randomBytes(size - 57).toString('base64').replace(/.{76}/g, '$&\r\n')
  const head = Buffer.from(`%PDF-1.7\n% bao cao ${String(i).padStart(12, '0')} ${randomBytes(12).toString('hex')}\n`).toString('base64')
  return [
    `From: ${from}`, `To: ${PROVINCE}@${DOMAIN}`, `Subject: =?UTF-8?B?${Buffer.from(`Báo cáo số liệu tuần, bản ${i}`).toString('base64')}?=`,
    `Message-ID: <bench-${i}-${randomBytes(6).toString('hex')}@bench.example>`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '',
    Buffer.from(`Số: ${i + 1}/BC-UBND\n\nKính gửi UBND tỉnh.\n`).toString('base64'), '--b1',
    `Content-Type: application/pdf; name="bao-cao-${i}.pdf"`, `Content-Disposition: attachment; filename="bao-cao-${i}.pdf"`, 'Content-Transfer-Encoding: base64', '',
    head, attachmentBase64, '--b1--', ''
  ].join('\r\n')
}

interface BroadcastFigures { mailboxes: number, acceptMs: number, lastMailMs: number, mailsArrived: number, repeats: number }

async function broadcast (stack: TestStack, receiver: CountingReceiver, mailboxes: number): Promise<BroadcastFigures> {
  const token = await stack.tokenFor(PROVINCE)
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(100 * 1024)])
  const { createHash } = await import('node:crypto')
  const sha256 = createHash('sha256').update(pdf).digest('hex')
  await fetch(`${stack.routing.url}/v1/attachments/${sha256}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: pdf })
  const sentAt = performance.now()
  const answer = await request('POST', `${stack.routing.url}/v1/documents`, {
    token,
    json: {
      to: { group: 'subtree', of: PROVINCE },
      document: { number: '9001', notation: 'CT-UBND', type: 'Chỉ thị', subject: 'Chỉ thị về tăng cường phòng, chống rét đậm, rét hại', issuedAt: '2026-11-27', priority: 2 },
      attachments: [{ name: 'chi-thi-9001.pdf', size: pdf.length, sha256 }]
    }
  })
  if (answer.status !== 202) throw new Error(`broadcast → ${answer.status} ${JSON.stringify(answer.body)}`)
  const acceptedAt = performance.now()
  const id = answer.body.id as string
  const deadline = acceptedAt + 180_000
  while ((receiver.byDocument.get(id)?.count ?? 0) < mailboxes && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  const got = receiver.byDocument.get(id)
  await settle(2_000)
  return { mailboxes, acceptMs: acceptedAt - sentAt, lastMailMs: (got?.lastAt ?? NaN) - acceptedAt, mailsArrived: receiver.byDocument.get(id)?.count ?? 0, repeats: receiver.repeats }
}

async function main (): Promise<void> {
  const teardowns: Array<() => Promise<void> | void> = []
  try {
    const receiver = new CountingReceiver()
    const receiverPort = await freePort()
    await receiver.start(receiverPort)
    teardowns.push(async () => { await new Promise<void>((resolve) => { receiver.server!.close(() => { resolve() }) }) })
    process.stdout.write('starting a stack with the whole Lào Cai directory and the mail gateway…\n')
    // BENCH_SERVICE_NODE_OPTIONS (`--import test/bench/cpu-profile-preload.mjs`) profiles the
    // gateway, routing and the inbox during the inbound load (SIGWINCH starts and stops it)
    const nodeOptions = process.env.BENCH_SERVICE_NODE_OPTIONS
    const extra: Record<string, string> = nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }
    const stack = await startStack({ name: 'bench', teardown: (fn) => { teardowns.push(fn) } }, {
      mail: { MAIL_RELAY_URL: `smtp://127.0.0.1:${receiverPort}`, OUTBOUND_CONCURRENCY: '32', SMTP_MESSAGE_MAX: String(40 * 1024 * 1024), ...extra },
      env: { routing: extra, inbox: extra }
    })
    profiled = nodeOptions === undefined ? [] : [stack.mail.pid!, stack.routing.pid!, stack.inbox.pid!]
    const agencies = laocaiDirectory().filter((a) => a.code !== PROVINCE)
    const result: Record<string, unknown> = {}
    if (parts.has('inbound')) {
      const districts = agencies.filter((a) => a.level === 'district')
      const logins = await Promise.all(districts.map(async (d, i) => {
        const address = `vanthu${i}@bench.example`
        const issued = await issueOfficialLogin(stack, d.code, address, `Văn thư ${d.name}`)
        return { address, password: issued.password }
      }))
      process.stdout.write(`inbound: ${opts.rate} mails/s for ${opts.seconds} s, ${opts['attachment-kb']} KB each, from ${logins.length} officials…\n`)
      result.inbound = await inbound(stack, logins)
    }
    if (parts.has('broadcast')) {
      process.stdout.write(`registering ${agencies.length} mailboxes…\n`)
      for (let i = 0; i < agencies.length; i += 32) {
        await Promise.all(agencies.slice(i, i + 32).map(async (a) => { await registerAgencyMailbox(stack, a.code, `hopthu.${a.code}@agencies.example`) }))
      }
      await settle(3_000)
      process.stdout.write('broadcast to every mailbox…\n')
      result.broadcast = await broadcast(stack, receiver, agencies.length)
    }

    const machine = machineFacts(loadAtStart)
    console.log(`\nmail gateway — ${machine.cpus} × ${machine.cpu ?? 'cpu'}, Node ${machine.node}; ${loadLine(machine)}\n`)
    const rows: string[][] = []
    const inb = result.inbound as InboundFigures | undefined
    if (inb !== undefined) {
      rows.push(['inbound mails/s taken (1 MB each)', inb.acceptedPerSecond.toFixed(1), `≥ ${INBOUND_TARGET}`, inb.acceptedPerSecond >= INBOUND_TARGET * 0.97 && inb.refused === 0 ? 'yes' : 'NO'])
      rows.push(['  accepted / refused', `${inb.accepted} / ${inb.refused}`, '', ''])
      rows.push(['  due → 250, p50 / p99 (ms)', `${inb.dataToReplyMs.p50.toFixed(0)} / ${inb.dataToReplyMs.p99.toFixed(0)}`, '', ''])
      rows.push(['  CPU s: gateway / routing / inbox', `${inb.cpuSeconds['mail-gateway']!.toFixed(1)} / ${inb.cpuSeconds.routing!.toFixed(1)} / ${inb.cpuSeconds.inbox!.toFixed(1)}`, '', ''])
      rows.push(['  peak MB: gateway / routing / inbox', `${inb.peakResidentMb['mail-gateway']!.toFixed(0)} / ${inb.peakResidentMb.routing!.toFixed(0)} / ${inb.peakResidentMb.inbox!.toFixed(0)}`, '', ''])
    }
    const bc = result.broadcast as BroadcastFigures | undefined
    if (bc !== undefined) {
      rows.push([`broadcast: last of ${bc.mailboxes} mails after the 202 (ms)`, bc.lastMailMs.toFixed(0), String(BROADCAST_TARGET_MS), bc.mailsArrived === bc.mailboxes && bc.lastMailMs <= BROADCAST_TARGET_MS ? 'yes' : 'NO'])
      rows.push(['  mails arrived / repeats', `${bc.mailsArrived} / ${bc.repeats}`, '', ''])
    }
    printTable(['measure', 'result', 'target', 'met'], rows)
    if (inb !== undefined && inb.refusals.length > 0) console.log(`refusals: ${inb.refusals.join(' | ')}`)
    writeResult('mail', { machine, options: opts, ...result })
  } finally {
    for (const fn of teardowns.reverse()) await fn()
  }
}

await main()
