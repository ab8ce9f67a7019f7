// What the end-to-end bench times a document by, seen as a DMS sees it: the recipient's
// `item.arrived` (its inbox row committed) and the sender's `document.status` 01 (the signed
// receipt went out), both as the inbox publishes them to its server-sent events and webhooks.
// A plain NATS subscription costs the measuring process far less than polling the database would,
// and adds nothing to what the services do.
import { connect, type NatsConnection } from '@nats-io/transport-node'

type Kind = 'arrived' | 'status'

export interface Sighting { arrivedAt?: number, statusAt?: number }

export class ArrivalWatch {
  readonly #seen = new Map<string, Sighting>()
  readonly #waiters = new Map<string, { count: number, kind: Kind, resolve: (at: number) => void }>()
  readonly #counts = new Map<string, Record<Kind, { count: number, lastAt: number }>>()
  #nc: NatsConnection | undefined

  static async start (natsUrl: string): Promise<ArrivalWatch> {
    const watch = new ArrivalWatch()
    const nc = await connect({ servers: natsUrl, name: 'bench-arrival-watch' })
    watch.#nc = nc
    const sub = nc.subscribe('events.>', { callback: (err, msg) => {
      if (err !== null || !msg.subject.endsWith('.inbox')) return
      watch.#take(msg.json())
    } })
    void sub.closed
    await nc.flush()
    return watch
  }

  #take (event: { type?: string, documentId?: string, agency?: string, recipient?: string, code?: string }): void {
    const now = performance.now()
    if (event.documentId === undefined) return
    if (event.type === 'item.arrived' && event.agency !== undefined) {
      this.#mark(event.documentId, event.agency, 'arrived', now)
    } else if (event.type === 'document.status' && event.code === '01' && event.recipient !== undefined) {
      this.#mark(event.documentId, event.recipient, 'status', now)
    }
  }

  #mark (documentId: string, recipient: string, kind: Kind, now: number): void {
    const key = `${documentId}\n${recipient}`
    const sighting = this.#seen.get(key) ?? {}
    // An event published twice (a sweep after a slow acknowledgement) keeps its first sighting.
    if (kind === 'arrived' ? sighting.arrivedAt !== undefined : sighting.statusAt !== undefined) return
    if (kind === 'arrived') sighting.arrivedAt = now
    else sighting.statusAt = now
    this.#seen.set(key, sighting)
    const counts = this.#counts.get(documentId) ?? { arrived: { count: 0, lastAt: 0 }, status: { count: 0, lastAt: 0 } }
    counts[kind].count++
    counts[kind].lastAt = now
    this.#counts.set(documentId, counts)
    const waiter = this.#waiters.get(documentId)
    if (waiter !== undefined && waiter.kind === kind && counts[kind].count >= waiter.count) {
      this.#waiters.delete(documentId)
      waiter.resolve(now)
    }
  }

  sighting (documentId: string, recipient: string): Sighting | undefined {
    return this.#seen.get(`${documentId}\n${recipient}`)
  }

  /** The time `count` recipients of the document had been seen at that point (one waiter per document). */
  async whenAll (documentId: string, count: number, kind: Kind): Promise<number> {
    const counts = this.#counts.get(documentId)?.[kind]
    if (counts !== undefined && counts.count >= count) return counts.lastAt
    return await new Promise<number>((resolve) => { this.#waiters.set(documentId, { count, kind, resolve }) })
  }

  /** Forgets what was seen, so a long run does not keep every sighting. */
  clear (): void {
    this.#seen.clear()
    this.#counts.clear()
  }

  async close (): Promise<void> {
    await this.#nc?.drain()
  }
}
