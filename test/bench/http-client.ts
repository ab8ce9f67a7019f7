// The benches' HTTP client: plain node:http with kept-alive connections. The load generator
// shares the machine's two cores with what it measures, and fetch costs it several times more CPU
// per request.
import http from 'node:http'

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 })

export interface Answer { status: number, body: string }

/** One request; `token` undefined sends none. */
export async function call (method: 'GET' | 'POST', url: string, token: string | undefined, body?: string, extraHeaders: Record<string, string> = {}): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...extraHeaders }
    if (body !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = String(Buffer.byteLength(body)) }
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}
