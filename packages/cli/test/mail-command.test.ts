import t, { type Test } from 'tap'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// the CLI as the suite builds it, run by node: through tsx each call costs a second or more of CPU
import { lienthong } from '../../../test/harness/cli.ts'

const DISTRICT = '000.00.31.H38'

interface Heard { method: string, url: string, authorization: string | undefined, body: any }

/**
 * A stand-in for registry that answers as the real one does (its shapes, not its checks) and
 * remembers what it was asked; the real one is asked in test/e2e/registry-and-cli.test.ts.
 */
async function fakeRegistry (t: Test): Promise<{ url: string, heard: Heard[] }> {
  const heard: Heard[] = []
  const read = async (req: IncomingMessage): Promise<any> => {
    let text = ''
    for await (const chunk of req) text += String(chunk)
    return text === '' ? undefined : JSON.parse(text)
  }
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      heard.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body })
      const answer = (status: number, json: unknown): void => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json)) }
      if (req.url === '/v1/auth/token') return answer(200, { accessToken: 'operator-token', tokenType: 'Bearer', expiresIn: 900, scope: 'registry:admin' })
      if (req.method === 'PATCH') return answer(200, { code: DISTRICT, endpoints: { webhookUrl: null, mailAddress: body.endpoints.mailAddress } })
      if (body.address === 'taken@laocai.gov.vn') return answer(409, { code: 'REG_MAILBOX_TAKEN', detail: 'taken@laocai.gov.vn has live mail credentials of 000.00.32.H38' })
      const username = String(body.address).toLowerCase()
      answer(201, { username, password: 'pw-shown-once', clientId: `mail:${username}`, agency: DISTRICT, name: body.name })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, heard }
}

/** A LIENTHONG_HOME whose stack.json names the registry given (and the mail gateway), or no stack at all. */
function home (t: Test, registry?: string, mail?: string): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-mail-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  if (registry !== undefined) {
    writeFileSync(join(dir, 'stack.json'), JSON.stringify({ urls: { registry, routing: '', inbox: '', ...(mail !== undefined ? { mail } : {}) }, pids: { up: 0, services: [] }, startedServers: false }))
    writeFileSync(join(dir, 'operator.json'), JSON.stringify({ clientId: 'local-operator', clientSecret: 'operator-secret' }))
  }
  const env: NodeJS.ProcessEnv = { ...process.env, LIENTHONG_HOME: dir }
  delete env.MAIL_SMTP_PORT
  return env
}

const failed = async (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number, stdout: string, stderr: string }> =>
  await lienthong(args, env).then(() => { throw new Error(`lienthong ${args.join(' ')} succeeded`) }, (err: { code: number, stdout: string, stderr: string }) => err)

t.test('mail agency: the mailbox set with PATCH endpoints.mailAddress, one line saying so', async (t) => {
  const registry = await fakeRegistry(t)
  const { stdout } = await lienthong(['mail', 'agency', DISTRICT, 'vanthu@laocai.gov.vn'], home(t, registry.url))
  t.equal(stdout, `${DISTRICT} now receives documents by mail at vanthu@laocai.gov.vn\n`)
  t.match(registry.heard, [
    { method: 'POST', url: '/v1/auth/token', body: { clientId: 'local-operator', clientSecret: 'operator-secret' } },
    { method: 'PATCH', url: `/v1/agencies/${DISTRICT}`, authorization: 'Bearer operator-token', body: { endpoints: { mailAddress: 'vanthu@laocai.gov.vn' } } }
  ])
  t.same(Object.keys(registry.heard[1]!.body), ['endpoints'], 'nothing else of the agency is touched')
})

t.test('mail official: the credentials issued and printed with the mail client\u2019s settings', async (t) => {
  const registry = await fakeRegistry(t)
  const env = home(t, registry.url)
  const { stdout } = await lienthong(['mail', 'official', DISTRICT, 'Nguyen.Van.A@laocai.gov.vn', '--name', 'Nguyễn Văn A'], env)
  t.match(registry.heard[1], { method: 'POST', url: `/v1/agencies/${DISTRICT}/mail-credentials`, authorization: 'Bearer operator-token', body: { address: 'Nguyen.Van.A@laocai.gov.vn', name: 'Nguyễn Văn A' } })
  t.match(stdout, /^ {2}username +nguyen\.van\.a@laocai\.gov\.vn$/m)
  t.match(stdout, /^ {2}password +pw-shown-once$/m)
  t.match(stdout, /^ {2}server +127\.0\.0\.1$/m, 'the stack\u2019s host')
  t.match(stdout, /^ {2}port +2525$/m)
  t.match(stdout, /STARTTLS/)
  t.match(stdout, /normal password/)

  const other = await lienthong(['mail', 'official', DISTRICT, 'b@laocai.gov.vn', '--name', 'Trần Thị B'], { ...env, MAIL_SMTP_PORT: '2626' })
  t.match(other.stdout, /^ {2}port +2626$/m, 'the gateway\u2019s port from MAIL_SMTP_PORT')
  const elsewhere = await lienthong(['mail', 'official', DISTRICT, 'b@laocai.gov.vn', '--name', 'Trần Thị B'], home(t, registry.url, 'http://localhost:7106'))
  t.match(elsewhere.stdout, /^ {2}server +localhost$/m, 'the gateway\u2019s host, when the stack names it')

  const taken = await failed(['mail', 'official', DISTRICT, 'taken@laocai.gov.vn', '--name', 'Lê Văn C'], env)
  t.equal(taken.code, 1)
  t.equal(taken.stdout, '')
  t.match(taken.stderr, /→ 409 REG_MAILBOX_TAKEN: taken@laocai\.gov\.vn has live mail credentials of 000\.00\.32\.H38/, 'registry\u2019s reason, said')
})

t.test('wrong arguments: the usage, and registry is not asked', async (t) => {
  const registry = await fakeRegistry(t)
  const env = home(t, registry.url)
  for (const [args, says] of [
    [['mail'], /usage: lienthong mail agency/],
    [['mail', 'mailbox', DISTRICT, 'a@laocai.gov.vn'], /usage: lienthong mail agency/],
    [['mail', 'agency', 'H38', 'a@laocai.gov.vn'], /H38 is not an agency code/],
    [['mail', 'agency', DISTRICT], /the address is not a mail address/],
    [['mail', 'agency', 'a@laocai.gov.vn', DISTRICT], /a@laocai\.gov\.vn is not an agency code/],
    [['mail', 'agency', DISTRICT, 'a@laocai.gov.vn', 'extra'], /usage: lienthong mail/],
    [['mail', 'agency', DISTRICT, 'a@laocai.gov.vn', '--name', 'X'], /--name goes with mail official/],
    [['mail', 'official', DISTRICT, 'a@laocai.gov.vn'], /the official's full name is required/],
    [['mail', 'official', DISTRICT, 'a@laocai.gov.vn', '--name', '  '], /the official's full name is required/],
    [['mail', 'official', DISTRICT, 'Nguyễn Văn A', '--name', 'a@laocai.gov.vn'], /is not a mail address/]
  ] as Array<[string[], RegExp]>) {
    const answer = await failed(args, env)
    t.equal(answer.code, 1, args.join(' '))
    t.match(answer.stderr, says, args.join(' '))
  }
  t.same(registry.heard, [], 'nothing reached registry')
  const noStack = await failed(['mail', 'official', DISTRICT, 'a@laocai.gov.vn', '--name', 'Nguyễn Văn A'], home(t))
  t.match(noStack.stderr, /no local stack is running here/)
})
