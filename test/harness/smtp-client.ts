import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('./smtp-send.py', import.meta.url))

export interface SmtpJob {
  port: number
  username: string
  password: string
  from: string
  to: string[]
  /** a whole message, byte for byte */
  raw?: Buffer
  /** or one Python's email package builds */
  message?: { subject: string, body: string, attachments?: Array<{ name: string, type: string, content: Buffer }>, headers?: Record<string, string>, fromHeader?: string }
  starttls?: boolean
  login?: boolean
  repeat?: number
}

export interface SmtpOutcome {
  ok: boolean
  stage?: 'connect' | 'auth' | 'mail' | 'rcpt' | 'data' | 'disconnected' | 'other'
  code: number
  reply: string
  replies?: string[]
  /** what the server announced in EHLO (after STARTTLS when it was used) */
  features?: Record<string, string>
}

/** One mail sent by Python's smtplib (STARTTLS, AUTH), and what the server answered at which stage. */
export async function sendWithSmtplib (job: SmtpJob): Promise<SmtpOutcome> {
  const input = {
    host: '127.0.0.1',
    port: job.port,
    username: job.username,
    password: job.password,
    from: job.from,
    to: job.to,
    ...(job.raw !== undefined ? { raw: job.raw.toString('base64') } : {}),
    ...(job.message !== undefined
      ? { message: { ...job.message, attachments: (job.message.attachments ?? []).map((a) => ({ name: a.name, type: a.type, base64: a.content.toString('base64') })) } }
      : {}),
    starttls: job.starttls ?? true,
    login: job.login ?? true,
    repeat: job.repeat ?? 1
  }
  const child = spawn('python3', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  child.stdin.end(JSON.stringify(input))
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  if (code !== 0 || out.trim() === '') throw new Error(`smtplib exited with ${String(code)}: ${err}`)
  return JSON.parse(out.trim().split('\n').pop()!) as SmtpOutcome
}
