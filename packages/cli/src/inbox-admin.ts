import type { DeadLetterView } from '@lienthong/contracts'

/** What the CLI asks of the inbox as the operator (scope inbox:admin), over its HTTP API. */

export type DeadLetter = DeadLetterView

async function call<T> (url: string, token: string, init: { method?: string, body?: unknown } = {}): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {})
  })
  const text = await res.text()
  if (!res.ok) {
    let problem: { code?: string, detail?: string } = {}
    try { problem = JSON.parse(text) as typeof problem } catch {}
    throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} → ${res.status} ${problem.code ?? ''}${problem.detail !== undefined ? `: ${problem.detail}` : ''}`.trim())
  }
  return JSON.parse(text) as T
}

/** Every webhook call given up, of one agency or all, oldest first (all pages). */
export async function listDeadLetters (inboxUrl: string, token: string, agency?: string): Promise<DeadLetter[]> {
  const all: DeadLetter[] = []
  let cursor: string | null = null
  do {
    const query = new URLSearchParams({ limit: '500' })
    if (agency !== undefined) query.set('agency', agency)
    if (cursor !== null) query.set('cursor', cursor)
    const page: { items: DeadLetter[], next: string | null } = await call(`${inboxUrl}/v1/webhooks/dead-letters?${query.toString()}`, token)
    all.push(...page.items)
    cursor = page.next
  } while (cursor !== null)
  return all
}

/** Puts dead letters back to be tried at once: those ids, that agency's, or those ids of that agency. */
export async function replayDeadLetters (inboxUrl: string, token: string, which: { ids?: number[], agency?: string }): Promise<number> {
  const answer = await call<{ replayed: number }>(`${inboxUrl}/v1/webhooks/dead-letters/replay`, token, { method: 'POST', body: which })
  return answer.replayed
}
