import { parseArgs } from 'node:util'
import { DMS_SCOPES, isAgencyCode } from '@lienthong/contracts'
import { cacheClient, cachedClient, operatorCredentials, requireStack } from '../local-stack.ts'
import { createClient, issueToken } from '../registry-admin.ts'

/**
 * Prints, alone on stdout, an access token for an agency of the local stack (DMS scopes unless
 * `--scope` says otherwise), or with `--operator` the local operator's (`registry:admin`). The API
 * client behind it is made once and reused.
 */
export async function tokenCommand (args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { scope: { type: 'string', multiple: true }, operator: { type: 'boolean' } } })
  if (values.operator === true) {
    process.stdout.write(await issueToken(requireStack().urls.registry, operatorCredentials()) + '\n')
    return
  }
  const code = positionals[0]
  if (code === undefined || !isAgencyCode(code)) throw new Error('usage: lienthong token <agency code> [--scope <scope>]… | --operator   e.g. lienthong token 000.00.31.H38')
  const scopes = values.scope?.flatMap((s) => s.split(/[ ,]+/)).filter((s) => s !== '') ?? DMS_SCOPES
  process.stdout.write(await agencyToken(code, scopes) + '\n')
}

let operator: { registry: string, at: number, token: Promise<string> } | undefined

/**
 * The operator's token, reused for a few minutes within one process: `simulate` makes API clients
 * for hundreds of agencies, and each token costs the registry a scrypt check.
 */
async function operatorToken (registry: string): Promise<string> {
  if (operator === undefined || operator.registry !== registry || Date.now() - operator.at > 5 * 60_000) {
    const made = { registry, at: Date.now(), token: issueToken(registry, operatorCredentials()) }
    made.token.catch(() => { if (operator === made) operator = undefined })
    operator = made
  }
  return await operator.token
}

/** A token for an agency of the local stack; the API client behind it is made once and reused. */
export async function agencyToken (code: string, scopes: string[] = DMS_SCOPES): Promise<string> {
  const registry = requireStack().urls.registry
  const key = `${code} ${[...scopes].sort().join(' ')}`
  const cached = cachedClient(key)
  if (cached !== undefined) {
    try {
      return await issueToken(registry, cached)
    } catch {
      // The database was reset since: issue a new client below.
    }
  }
  const admin = await operatorToken(registry)
  const client = await createClient(registry, admin, code, scopes)
  cacheClient(key, client)
  return await issueToken(registry, client)
}
