/** A call to a lienthong service's public API that failed with an answer (not a network error). */
export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string) { super(message) }
}

const RETRIES = 5

/**
 * JSON over HTTP with a bearer token. A busy or restarting service (429, 502–504, a refused
 * connection) is tried again a few times with growing pauses; everything the DMS asked for here is
 * safe to repeat (sends carry their idempotency key, a step already recorded answers 409 which the
 * caller reads).
 */
export async function apiCall<T> (method: string, url: string, token: string, body?: unknown): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let res: Response
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined
      })
    } catch (err) {
      if (attempt >= RETRIES) throw new Error(`${method} ${new URL(url).pathname}: ${(err as Error).message}`)
      await pause(attempt)
      continue
    }
    const text = await res.text()
    if (res.ok) return (text === '' ? undefined : JSON.parse(text)) as T
    if ([429, 502, 503, 504].includes(res.status) && attempt < RETRIES) {
      await pause(attempt)
      continue
    }
    let problem: { code?: string, detail?: string } = {}
    try { problem = JSON.parse(text) as typeof problem } catch {}
    throw new ApiError(res.status, problem.code ?? '', `${method} ${new URL(url).pathname} → ${res.status} ${problem.code ?? ''} ${problem.detail ?? ''}`.trim())
  }
}

async function pause (attempt: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt))
}
