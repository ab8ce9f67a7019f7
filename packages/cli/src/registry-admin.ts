import type { AgencyInput } from '@lienthong/contracts'

/** What the CLI and the tests ask of registry, over its public HTTP API. */

async function call<T> (url: string, init: RequestInit & { token?: string }): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
  const res = await fetch(url, { ...init, headers })
  const text = await res.text()
  if (!res.ok) {
    // the problem's detail says which field or which agency; registry never puts a secret in one
    let problem: { code?: string, detail?: string } = {}
    try { problem = JSON.parse(text) as typeof problem } catch {}
    throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} → ${res.status} ${problem.code ?? ''}${problem.detail !== undefined ? `: ${problem.detail}` : ''}`.trim())
  }
  return JSON.parse(text) as T
}

export interface ClientCredentials { clientId: string, clientSecret: string }

export async function issueToken (registryUrl: string, credentials: ClientCredentials): Promise<string> {
  const answer = await call<{ accessToken: string }>(`${registryUrl}/v1/auth/token`, { method: 'POST', body: JSON.stringify(credentials) })
  return answer.accessToken
}

export async function importAgencies (registryUrl: string, adminToken: string, agencies: AgencyInput[]): Promise<{ received: number, changed: number }> {
  return await call(`${registryUrl}/v1/agencies/import`, { method: 'POST', token: adminToken, body: JSON.stringify({ agencies }) })
}

export async function createClient (registryUrl: string, adminToken: string, code: string, scopes?: string[]): Promise<ClientCredentials> {
  return await call(`${registryUrl}/v1/agencies/${code}/clients`, {
    method: 'POST', token: adminToken, body: JSON.stringify(scopes !== undefined ? { scopes } : {})
  })
}

/** Where the agency receives documents by mail: its mailbox in the directory. */
export async function setAgencyMailbox (registryUrl: string, adminToken: string, code: string, mailAddress: string): Promise<{ code: string, endpoints: { mailAddress: string | null } }> {
  return await call(`${registryUrl}/v1/agencies/${code}`, { method: 'PATCH', token: adminToken, body: JSON.stringify({ endpoints: { mailAddress } }) })
}

/** An official's login to the mail gateway, as registry issues it: the password is shown this once. */
export interface MailCredentials { username: string, password: string, clientId: string, agency: string, name: string }

export async function issueMailCredentials (registryUrl: string, adminToken: string, code: string, official: { address: string, name: string }): Promise<MailCredentials> {
  return await call(`${registryUrl}/v1/agencies/${code}/mail-credentials`, { method: 'POST', token: adminToken, body: JSON.stringify(official) })
}
