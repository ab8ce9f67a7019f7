import type { FastifyBaseLogger } from 'fastify'
import type { Msg, NatsConnection } from '@nats-io/transport-node'
import { Counter, Histogram, type Registry } from 'prom-client'
import {
  CUSTODY_SIGN_QUEUE, CUSTODY_SIGN_SUBJECT, CustodySignRequest,
  type CustodySignResponse, type CustodySignResult
} from '@lienthong/contracts'
import { signCustodyItem, type CustodySigningDeps } from '../domain/custody-signing.ts'

export interface CustodySignResponder {
  /** stops taking requests and waits for the ones being answered */
  stop: () => Promise<void>
}

export interface ResponderDeps extends CustodySigningDeps {
  log: FastifyBaseLogger
  metrics?: Registry
}

/**
 * Answers custody signing requests on `sig.custody.sign`. Every copy of the service joins the same
 * queue group, so each request is answered once, by whichever copy NATS picks. A request is a
 * batch: the keys of its agencies are read together (usually from memory), then each item is
 * signed synchronously and the answers go back in one reply, in the order asked.
 */
export function startCustodySignResponder (nc: NatsConnection, deps: ResponderDeps): CustodySignResponder {
  const items = deps.metrics === undefined
    ? undefined
    : new Counter({ name: 'custody_sign_items_total', help: 'Custody signing items answered, by outcome (signed or the refusal)', labelNames: ['outcome'], registers: [deps.metrics] })
  const batches = deps.metrics === undefined
    ? undefined
    : new Histogram({ name: 'custody_sign_batch_seconds', help: 'Time to answer one custody signing request', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [deps.metrics] })
  const inflight = new Set<Promise<void>>()

  async function handle (msg: Msg): Promise<void> {
    const began = performance.now()
    let response: CustodySignResponse
    try {
      response = await answerCustodySign(msg.data, deps)
    } catch (err) {
      deps.log.error({ err }, 'custody signing failed')
      response = { error: 'custody signing failed; it has been logged' }
    }
    if ('results' in response && items !== undefined) count(items, response.results)
    batches?.observe((performance.now() - began) / 1000)
    if (msg.reply !== undefined && msg.reply !== '') msg.respond(JSON.stringify(response))
  }

  const sub = nc.subscribe(CUSTODY_SIGN_SUBJECT, {
    queue: CUSTODY_SIGN_QUEUE,
    callback: (err, msg) => {
      if (err !== null) {
        deps.log.warn({ err }, 'custody signing subscription error')
        return
      }
      const p = handle(msg).finally(() => { inflight.delete(p) })
      inflight.add(p)
    }
  })

  return {
    stop: async () => {
      if (!sub.isClosed()) await sub.drain()
      await Promise.all([...inflight])
    }
  }
}

/** The answer to one request: `{ results }` in the order of the items, or `{ error }` for an unreadable batch. */
export async function answerCustodySign (data: Uint8Array, deps: CustodySigningDeps): Promise<CustodySignResponse> {
  let body: unknown
  try {
    body = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'))
  } catch {
    return { error: 'the request is not JSON' }
  }
  const parsed = CustodySignRequest.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return { error: `the request is not a custody signing batch: ${issue === undefined ? '' : `${issue.path.map(String).join('.')}: ${issue.message}`}`.slice(0, 500) }
  }
  const { items } = parsed.data
  await deps.ring.ensureLoaded(new Set(items.map((i) => i.agency)))
  const at = new Date()
  return { results: items.map((item) => signCustodyItem(item, deps, at)) }
}

function count (counter: Counter, results: CustodySignResult[]): void {
  let ok = 0
  const refused = new Map<string, number>()
  for (const r of results) {
    if (r.ok) ok++
    else refused.set(r.refusal, (refused.get(r.refusal) ?? 0) + 1)
  }
  if (ok > 0) counter.inc({ outcome: 'signed' }, ok)
  for (const [refusal, n] of refused) counter.inc({ outcome: refusal }, n)
}
