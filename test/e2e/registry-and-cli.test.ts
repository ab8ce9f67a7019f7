import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { repoRoot } from '@lienthong/infra'
import { laocaiDirectory } from '@lienthong/seeds'
// by file, not the package's index, which loads the whole CLI (see test/harness/stack.ts)
import { importAgencies } from '../../packages/cli/src/registry-admin.ts'
import { startStack } from '../harness/stack.ts'
import { request } from '../harness/http.ts'
import { lienthong } from '../harness/cli.ts'

const run = promisify(execFile)

// One stack for both tests, its registry logging at debug: every request with its headers, the
// most a secret could leak through. The registry test stops the registry to read its whole log,
// so it comes last.
const stack = await startStack(t, { custody: [], env: { registry: { LOG_LEVEL: 'debug' } } })

/** The environment of a CLI that finds this stack and its operator, as `lienthong up` leaves them. */
function cliEnv (t: { teardown: (fn: () => void) => void }): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(repoRoot, '.data', 'test', 'cli-'))
  t.teardown(() => { rmSync(home, { recursive: true, force: true }) })
  writeFileSync(join(home, 'stack.json'), JSON.stringify({ urls: { registry: stack.registry.url, routing: stack.routing.url, inbox: stack.inbox.url }, pids: { up: 0, services: [] }, startedServers: false }))
  writeFileSync(join(home, 'operator.json'), JSON.stringify({ clientId: stack.registry.spec.env.OPERATOR_CLIENT_ID, clientSecret: stack.registry.spec.env.OPERATOR_CLIENT_SECRET }))
  return { ...process.env, LIENTHONG_HOME: home }
}

/** passwords the CLI printed, none of which may reach the registry's log */
const printedPasswords: string[] = []

t.test('lienthong token prints a working token alone on stdout', async (t) => {
  const env = cliEnv(t)

  // Through pnpm once, as the README has it; the rest run the same CLI without pnpm and tsx.
  const { stdout } = await run('pnpm', ['lienthong', 'token', '000.00.31.H38'], { cwd: repoRoot, env })
  t.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'one line, a JWT, nothing else')
  const inbox = await request('GET', `${stack.inbox.url}/v1/inbox`, { token: stdout.trim() })
  t.equal(inbox.status, 200, 'the token opens the agency inbox')

  const again = await lienthong(['token', '000.00.31.H38'], env)
  t.match(again.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/)
  const [clients] = await stack.sql`select count(*)::int as n from registry.api_clients where agency_code = '000.00.31.H38'`
  t.equal(clients!.n, 1, 'the API client is made once and reused')

  const audit = await lienthong(['token', '000.00.00.H38', '--scope', 'audit:read'], env)
  const claims = JSON.parse(Buffer.from(audit.stdout.split('.')[1]!, 'base64url').toString())
  t.equal(claims.scope, 'audit:read')

  const operator = await lienthong(['token', '--operator'], env)
  t.same(JSON.parse(Buffer.from(operator.stdout.split('.')[1]!, 'base64url').toString()).scope.split(' ').sort(), ['inbox:admin', 'registry:admin'])

  const listed = await lienthong(['inbox', '000.00.31.H38', '--state', '01'], env)
  t.equal(listed.stdout, '', 'an empty inbox lists nothing')
  const wrong = await lienthong(['inbox', 'nope'], env).catch((err: { code: number, stderr: string }) => err)
  t.match((wrong as { stderr: string }).stderr, /usage: lienthong inbox/)

  const seeded = await lienthong(['seed', 'laocai'], env)
  t.match(seeded.stderr, /seed laocai: 1745 agencies, 0 new or changed/, 'seeding again changes nothing')

  const bad = await lienthong(['token', 'not-a-code'], env).catch((err: { code: number, stdout: string, stderr: string }) => err)
  t.equal((bad as { code: number }).code, 1)
  t.equal((bad as { stdout: string }).stdout, '', 'nothing on stdout when it fails')
  t.match((bad as { stderr: string }).stderr, /usage: lienthong token/)
})

t.test('lienthong mail: an agency\u2019s mailbox, and an official\u2019s login that gets a token naming them', async (t) => {
  // the gateway's default port, whatever the environment running the tests says
  const env = { ...cliEnv(t), MAIL_SMTP_PORT: '' }
  const mailbox = await lienthong(['mail', 'agency', '000.00.32.H38', 'vanthu.batxat@laocai.gov.vn'], env)
  t.equal(mailbox.stdout, '000.00.32.H38 now receives documents by mail at vanthu.batxat@laocai.gov.vn\n')
  t.equal((await request('GET', `${stack.registry.url}/v1/agencies/000.00.32.H38`)).body.endpoints.mailAddress, 'vanthu.batxat@laocai.gov.vn', 'in the directory')

  const official = await lienthong(['mail', 'official', '000.00.32.H38', 'Nguyen.Van.A@LaoCai.gov.vn', '--name', 'Nguyễn Văn A'], env)
  const setting = (label: string): string | undefined => new RegExp(`^ {2}${label} +(.+)$`, 'm').exec(official.stdout)?.[1]
  t.equal(setting('username'), 'nguyen.van.a@laocai.gov.vn')
  t.equal(setting('server'), '127.0.0.1')
  t.equal(setting('port'), '2525')
  const password = setting('password')!
  printedPasswords.push(password)
  // what the mail gateway does with an SMTP login
  const token = await request('POST', `${stack.registry.url}/v1/auth/token`, { json: { clientId: 'mail:nguyen.van.a@laocai.gov.vn', clientSecret: password } })
  t.equal(token.status, 200)
  t.match(JSON.parse(Buffer.from(token.body.accessToken.split('.')[1], 'base64url').toString()), { sub: '000.00.32.H38', name: 'Nguyễn Văn A' })
  const inbox = await request('GET', `${stack.inbox.url}/v1/inbox`, { token: token.body.accessToken })
  t.equal(inbox.status, 200, 'the official\u2019s token opens the agency\u2019s inbox')

  const again = await lienthong(['mail', 'official', '000.00.32.H38', 'nguyen.van.a@laocai.gov.vn', '--name', 'Nguyễn Văn A'], env)
  printedPasswords.push(/^ {2}password +(.+)$/m.exec(again.stdout)![1]!)
  t.equal((await request('POST', `${stack.registry.url}/v1/auth/token`, { json: { clientId: 'mail:nguyen.van.a@laocai.gov.vn', clientSecret: password } })).status, 401, 'issued again, the old password is refused')
  const taken = await lienthong(['mail', 'official', '000.00.31.H38', 'nguyen.van.a@laocai.gov.vn', '--name', 'Nguyễn Văn A'], env)
    .catch((err: { code: number, stdout: string, stderr: string }) => err)
  t.equal((taken as { code: number }).code, 1)
  t.match((taken as { stderr: string }).stderr, /409 REG_MAILBOX_TAKEN: .*000\.00\.32\.H38/)
})

t.test('registry: tokens, refusals, the directory, and no secret in its log', async (t) => {
  const registry = stack.registry.url
  const admin = await stack.adminToken()

  const issued = await request('POST', `${registry}/v1/agencies/000.00.31.H38/clients`, { token: admin, json: {} })
  t.equal(issued.status, 201)
  const { clientId, clientSecret } = issued.body
  const token = await request('POST', `${registry}/v1/auth/token`, { json: { clientId, clientSecret } })
  t.equal(token.status, 200)
  t.equal(token.body.tokenType, 'Bearer')
  t.equal(token.body.expiresIn, 900)
  const claims = JSON.parse(Buffer.from(token.body.accessToken.split('.')[1], 'base64url').toString())
  t.equal(claims.sub, '000.00.31.H38')
  t.same(claims.scope.split(' ').sort(), ['documents:read', 'documents:send', 'inbox:read', 'inbox:write'])
  t.equal(claims.exp - claims.iat, 900)

  const wrong = await request('POST', `${registry}/v1/auth/token`, { json: { clientId, clientSecret: 'not-the-secret' } })
  t.equal(wrong.status, 401)
  t.equal(wrong.body.code, 'REG_INVALID_CLIENT')
  const unknown = await request('POST', `${registry}/v1/auth/token`, { json: { clientId: 'ltc_nobody', clientSecret } })
  t.equal(unknown.status, 401)
  t.equal(unknown.body.code, 'REG_INVALID_CLIENT')
  t.equal(unknown.body.detail, wrong.body.detail, 'an unknown id and a wrong secret look alike')

  // A revoked client gets no more tokens, with the same answer as a wrong secret.
  const spare = (await request('POST', `${registry}/v1/agencies/000.00.31.H38/clients`, { token: admin, json: {} })).body
  const revoked = await request('POST', `${registry}/v1/clients/${spare.clientId}/revoke`, { token: admin })
  t.equal(revoked.status, 200)
  t.equal(revoked.body.agency, '000.00.31.H38')
  const afterRevoke = await request('POST', `${registry}/v1/auth/token`, { json: { clientId: spare.clientId, clientSecret: spare.clientSecret } })
  t.equal(afterRevoke.body.code, 'REG_INVALID_CLIENT')
  t.equal((await request('POST', `${registry}/v1/clients/ltc_nobody/revoke`, { token: admin })).body.code, 'REG_CLIENT_NOT_FOUND')

  // An agency's token cannot administer the directory.
  const forbidden = await request('POST', `${registry}/v1/agencies/import`, { token: token.body.accessToken, json: { agencies: laocaiDirectory().slice(0, 1) } })
  t.equal(forbidden.status, 403)
  t.equal(forbidden.body.code, 'REG_FORBIDDEN')

  // Importing the seed again changes nothing; the directory answers by code, level and name.
  t.same(await importAgencies(registry, admin, laocaiDirectory()), { received: 1745, changed: 0 })
  const one = await request('GET', `${registry}/v1/agencies/000.00.31.H38`)
  t.match(one.body, { code: '000.00.31.H38', level: 'district', parent: '000.00.00.H38', status: 'active' })
  t.equal(one.body.name, 'Ủy ban nhân dân thành phố Lào Cai')
  const missing = await request('GET', `${registry}/v1/agencies/000.00.99.H38`)
  t.equal(missing.body.code, 'REG_AGENCY_NOT_FOUND')
  const districts = await request('GET', `${registry}/v1/agencies?level=district&limit=100`)
  t.equal(districts.body.items.length, 9)
  const found = await request('GET', `${registry}/v1/agencies?q=${encodeURIComponent('bat xat')}`)
  t.ok(found.body.items.some((a: { name: string }) => a.name === 'Ủy ban nhân dân huyện Bát Xát'), 'found without diacritics')
  const page1 = await request('GET', `${registry}/v1/agencies?limit=1000`)
  const page2 = await request('GET', `${registry}/v1/agencies?limit=1000&cursor=${page1.body.next}`)
  t.equal(page1.body.items.length + page2.body.items.length, 1745)
  t.equal(page2.body.next, null)

  await stack.registry.stop()
  const log = readFileSync(stack.registry.spec.logFile, 'utf8')
  t.notOk(log.includes(clientSecret), 'the client secret is not in the log')
  t.equal(printedPasswords.length, 2)
  t.notOk(printedPasswords.some((p) => log.includes(p)), 'nor an official\u2019s mail password')
  t.notOk(log.includes(token.body.accessToken), 'the token is not in the log')
  t.match(log, /refused token request/, 'the refusal itself is logged')
  t.match(log, /"url":"\/v1\/agencies\/import"/, 'requests are logged at debug, yet carry no token')
})
