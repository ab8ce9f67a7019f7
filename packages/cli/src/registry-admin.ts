import type { AgencyInput } from '@lienthong/contracts'

/** What the CLI and the tests ask of registry, over its public HTTP API. */

async function call<T> (url: string, init: RequestInit & { token?: string }): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
  const res = await fetch(url, { ...init, headers })
  const text = await res.text()
  if (!res.ok) {
    let code = ''
    try { code = (JSON.parse(text) as { code?: string }).code ?? '' } catch {}
    throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} → ${res.status} ${code}`.trim())
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
