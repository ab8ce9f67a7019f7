import type { NatsConnection } from '@nats-io/transport-node'
import { Kvm, type KV } from '@nats-io/kv'
import { DirectoryEntry, KV_BUCKETS } from '@lienthong/contracts'

/**
 * The agency directory as every service sees it: a local copy of registry's NATS KV bucket,
 * kept current by a watch, so a lookup never leaves the process.
 */
export class Directory {
  readonly #entries = new Map<string, DirectoryEntry>()
  #stop: (() => void) | undefined

  get (code: string): DirectoryEntry | undefined {
    return this.#entries.get(code)
  }

  get size (): number {
    return this.#entries.size
  }

  values (): IterableIterator<DirectoryEntry> {
    return this.#entries.values()
  }

  /** Loads every entry, then follows changes; resolves once the initial load is complete. */
  async start (nc: NatsConnection): Promise<void> {
    const kv = await openDirectoryBucket(nc)
    const initial = (await kv.status()).values
    const watch = await kv.watch()
    this.#stop = () => watch.stop()
    let ready!: () => void
    const loaded = new Promise<void>((resolve) => { ready = resolve })
    if (initial === 0) ready()
    void (async () => {
      for await (const e of watch) {
        if (e.operation === 'PUT') {
          const parsed = DirectoryEntry.safeParse(e.json())
          if (parsed.success) this.#entries.set(e.key, parsed.data)
        } else {
          this.#entries.delete(e.key)
        }
        if (e.delta === 0) ready()
      }
    })()
    await loaded
  }

  stop (): void {
    this.#stop?.()
  }
}

export async function openDirectoryBucket (nc: NatsConnection): Promise<KV> {
  return await new Kvm(nc).create(KV_BUCKETS.directory, { history: 1 })
}
