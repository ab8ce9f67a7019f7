import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { KeyRole, isAgencyCode } from '@lienthong/contracts'
import { ensureDevCa, issueAgencyCertificate } from '../dev-ca.ts'
import { readStack, stackDir } from '../local-stack.ts'

const USAGE = `usage: lienthong ca init
       lienthong ca issue <agency code> --jwk '<public JWK>' [--role agency|signer] [--holder "Name, position"] [--days n]
  init    make the local stack's development CA once (.data/dev/ca) and print the path of its certificate
  issue   print a certificate for the public key (--jwk '{...}' or --jwk @file.json), signed by that CA;
          a signer certificate names its --holder. For development only: the CA key is an unprotected file.`

/** The development CA of the local stack, in its state folder. */
export const devCaDir = join(stackDir, 'ca')

/** `lienthong ca init | issue`: the development CA of the local stack. */
export async function caCommand (args: string[]): Promise<void> {
  const [sub, ...rest] = args
  if (sub === 'init') {
    const ca = await ensureDevCa(devCaDir)
    process.stdout.write(ca.certificatePath + '\n')
    return
  }
  if (sub === 'issue') {
    process.stdout.write(await issue(rest))
    return
  }
  throw new Error(USAGE)
}

async function issue (args: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { jwk: { type: 'string' }, role: { type: 'string', default: 'agency' }, holder: { type: 'string' }, days: { type: 'string' } }
  })
  const code = positionals[0]
  if (code === undefined || !isAgencyCode(code) || positionals.length > 1) throw new Error(USAGE)
  if (values.jwk === undefined) throw new Error(`--jwk is required\n${USAGE}`)
  const role = KeyRole.safeParse(values.role)
  if (!role.success) throw new Error(`--role is agency or signer, not ${values.role}`)
  if (role.data === 'signer' && values.holder === undefined) throw new Error('a signer certificate needs --holder "Name, position"')
  if (role.data === 'agency' && values.holder !== undefined) throw new Error('--holder goes with --role signer')
  const validDays = values.days === undefined ? undefined : Number(values.days)

  const ca = await ensureDevCa(devCaDir)
  return await issueAgencyCertificate(ca, {
    publicJwk: readJwk(values.jwk),
    agencyCode: code,
    agencyName: await agencyName(code),
    role: role.data,
    ...(values.holder !== undefined ? { holder: values.holder } : {}),
    ...(validDays !== undefined ? { validDays } : {})
  })
}

function readJwk (value: string): Record<string, unknown> {
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value
  let jwk: unknown
  try {
    jwk = JSON.parse(text)
  } catch (err) {
    throw new Error(`--jwk is not JSON (${(err as Error).message})`, { cause: err })
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new Error('--jwk must be a JSON object (a public JWK)')
  return jwk as Record<string, unknown>
}

/**
 * The agency's name from the running local stack's directory; without a stack, the code stands
 * in for it. A stack that runs but does not know the code is a mistake worth saying.
 */
async function agencyName (code: string): Promise<string> {
  const registry = readStack()?.urls?.registry
  if (registry === undefined || registry === '') return code
  let res: Response
  try {
    res = await fetch(`${registry}/v1/agencies/${code}`, { signal: AbortSignal.timeout(3_000) })
  } catch {
    // stack.json is left from a stack that is gone
    return code
  }
  if (res.status === 404) throw new Error(`the running stack has no agency ${code}`)
  if (!res.ok) throw new Error(`GET /v1/agencies/${code} → ${res.status}`)
  const agency = await res.json() as { name?: unknown }
  return typeof agency.name === 'string' && agency.name !== '' ? agency.name : code
}
