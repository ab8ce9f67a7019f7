/** A small JSON client for tests: the status, the content type and the parsed body of an answer. */
export interface Answer<T = any> { status: number, type: string, body: T, headers: Headers }

export async function request<T = any> (method: string, url: string, opts: { token?: string, json?: unknown, raw?: string, headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`
  let body: string | undefined
  if (opts.json !== undefined) body = JSON.stringify(opts.json)
  if (opts.raw !== undefined) body = opts.raw
  if (body !== undefined) headers['content-type'] ??= 'application/json'
  const res = await fetch(url, { method, headers, body })
  const text = await res.text()
  let parsed: unknown = text
  try { parsed = JSON.parse(text) } catch {}
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: parsed as T, headers: res.headers }
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T> (probe: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
