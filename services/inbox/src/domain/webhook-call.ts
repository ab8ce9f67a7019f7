import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { signedHeaders } from './webhook-signature.ts'
import { TargetGuard, TargetRefused, hostOf, parseTargetUrl } from './webhook-target.ts'

/** How one call went: `status` is the receiver's answer, if it answered; `error` says why it failed. */
export type CallOutcome = { ok: true, status: number } | { ok: false, status: number | null, error: string }

export interface CallOptions {
  guard: TargetGuard
  timeoutMs: number
  /** aborts the call when the inbox stops (the outcome is then not recorded) */
  signal?: AbortSignal
  /** unix seconds of the call, for `webhook-timestamp` */
  now?: () => number
}

/**
 * One signed POST of an event to a webhook. The address connected to is checked by the guard as it
 * is resolved, so a host whose DNS now points inside is refused at this call. Redirects are not
 * followed (a 3xx is a failed attempt): following one would send the event, and reach an address,
 * that nobody checked. Only the status is read; the receiver's body is not kept.
 */
export async function callWebhook (target: { url: string, secret: string }, event: { id: string, body: string }, opts: CallOptions): Promise<CallOutcome> {
  let url: URL
  try {
    url = parseTargetUrl(target.url)
    const host = hostOf(url)
    // An address literal is connected to without a lookup: check it here.
    if (isIP(host) !== 0) opts.guard.checkAddresses(host, [host])
  } catch (err) {
    return { ok: false, status: null, error: describe(err, opts.timeoutMs) }
  }
  const timestamp = Math.floor((opts.now?.() ?? Date.now() / 1000))
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(event.body)),
    'user-agent': 'lienthong-inbox',
    ...signedHeaders(target.secret, event.id, timestamp, event.body)
  }
  const signals = [AbortSignal.timeout(opts.timeoutMs), ...(opts.signal !== undefined ? [opts.signal] : [])]
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  try {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method: 'POST', headers, lookup: opts.guard.lookup(), signal: AbortSignal.any(signals) }, resolve)
      req.on('error', reject)
      req.end(event.body)
    })
    res.resume()
    const status = res.statusCode ?? 0
    if (status >= 200 && status < 300) return { ok: true, status }
    const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : ''
    return { ok: false, status, error: `the receiver answered ${status}${redirect}` }
  } catch (err) {
    return { ok: false, status: null, error: describe(err, opts.timeoutMs) }
  }
}

function describe (err: unknown, timeoutMs: number): string {
  if (err instanceof TargetRefused) return `refused: ${err.message}`
  const e = err as { name?: string, code?: string, message?: string, cause?: unknown }
  if (e.name === 'AbortError' && (e.cause as { name?: string } | undefined)?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`
  if (e.cause instanceof TargetRefused) return `refused: ${e.cause.message}`
  const message = e.message ?? String(err)
  return e.code !== undefined && !message.includes(e.code) ? `${e.code}: ${message}` : message
}
