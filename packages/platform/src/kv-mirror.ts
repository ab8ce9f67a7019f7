import type { NatsConnection } from '@nats-io/transport-node'
import { Kvm, type KV } from '@nats-io/kv'

/**
 * A NATS KV bucket copied into memory and kept current by a watch, so a lookup never leaves the
 * process. `parse` turns a stored value into an entry, or undefined to ignore a value it cannot read.
 */
export interface KvMirrorOptions<T> {
  /** turns a stored value into an entry, or undefined when it cannot be read */
  parse: (value: unknown) => T | undefined
  /** the local key of a bucket key (e.g. an agency code from its root-first form); the same by default */
  localKey?: (bucketKey: string) => string
  /** whether `next` may replace `current`: lets a mirror ignore an older version arriving late */
  replaces?: (current: T, next: T) => boolean
}

/** A `parse` for a mirror: the value when the schema accepts it, otherwise undefined. */
export function parsedBy<T> (schema: { safeParse: (v: unknown) => { success: true, data: T } | { success: false } }): (value: unknown) => T | undefined {
  return (value) => {
    const parsed = schema.safeParse(value)
    return parsed.success ? parsed.data : undefined
  }
}

export class KvMirror<T> {
  readonly #entries = new Map<string, T>()
  readonly #bucket: string
  readonly #opts: KvMirrorOptions<T>
  readonly #listeners: Array<(key: string) => void> = []
  #stop: (() => void) | undefined

  constructor (bucket: string, opts: KvMirrorOptions<T>) {
    this.#bucket = bucket
    this.#opts = opts
  }

  get (key: string): T | undefined {
    return this.#entries.get(key)
  }

  /** Puts an entry locally, before the watch brings it (for the writer's own copy). */
  set (key: string, value: T): void {
    this.#entries.set(key, value)
  }

  get size (): number {
    return this.#entries.size
  }

  values (): IterableIterator<T> {
    return this.#entries.values()
  }

  /** Called after every change the watch brings, with the local key. */
  onChange (listener: (key: string) => void): void {
    this.#listeners.push(listener)
  }

  /** Loads every entry, then follows changes; resolves once the initial load is complete. */
  async start (nc: NatsConnection): Promise<void> {
    const kv = await openBucket(nc, this.#bucket)
    const initial = (await kv.status()).values
    const watch = await kv.watch()
    this.#stop = () => { watch.stop() }
    let ready!: () => void
    const loaded = new Promise<void>((resolve) => { ready = resolve })
    if (initial === 0) ready()
    void (async () => {
      for await (const e of watch) {
        this.#apply(e.key, e.operation === 'PUT' ? this.#opts.parse(safeJson(e.string())) : undefined)
        // delta is how many entries are still to come: 0 marks the end of the initial load.
        if (e.delta === 0) ready()
      }
    })()
    await loaded
  }

  stop (): void {
    this.#stop?.()
  }

  #apply (bucketKey: string, value: T | undefined): void {
    // The bucket key is a slice of the whole subject; a flat copy makes every later lookup cheaper.
    const key = this.#opts.localKey?.(bucketKey) ?? flatCopy(bucketKey)
    if (value === undefined) {
      // A deleted entry, or one this copy cannot read (a newer format): forget it rather than
      // keep trusting a stale one, e.g. an agency that has since been suspended.
      this.#entries.delete(key)
    } else {
      const current = this.#entries.get(key)
      if (current !== undefined && this.#opts.replaces !== undefined && !this.#opts.replaces(current, value)) return
      this.#entries.set(key, value)
    }
    for (const listener of this.#listeners) listener(key)
  }
}

export async function openBucket (nc: NatsConnection, bucket: string): Promise<KV> {
  return await new Kvm(nc).create(bucket, { history: 1 })
}

function flatCopy (s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1')
}

function safeJson (text: string): unknown {
  try { return JSON.parse(text) } catch { return undefined }
}
