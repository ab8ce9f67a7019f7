import type { NatsConnection } from '@nats-io/transport-node'
import { Kvm, type KV } from '@nats-io/kv'
import { KV_BUCKETS } from '@lienthong/contracts'

/** A public key that verifies access tokens, as registry publishes it. */
export interface AuthKey {
  kid: string
  alg: 'EdDSA' | 'ES256'
  publicKeyPem: string
}

/**
 * The token-verifying keys, followed from registry's KV bucket, so services check tokens locally
 * and a rotated key is seen everywhere within moments.
 */
export class AuthKeys {
  readonly #keys = new Map<string, AuthKey>()
  #stop: (() => void) | undefined

  get (kid: string): AuthKey | undefined {
    return this.#keys.get(kid)
  }

  set (key: AuthKey): void {
    this.#keys.set(key.kid, key)
  }

  async start (nc: NatsConnection): Promise<void> {
    const kv = await openAuthKeysBucket(nc)
    const initial = (await kv.status()).values
    const watch = await kv.watch()
    this.#stop = () => watch.stop()
    let ready!: () => void
    const loaded = new Promise<void>((resolve) => { ready = resolve })
    if (initial === 0) ready()
    void (async () => {
      for await (const e of watch) {
        if (e.operation === 'PUT') this.set(e.json<AuthKey>())
        else this.#keys.delete(e.key)
        if (e.delta === 0) ready()
      }
    })()
    await loaded
  }

  stop (): void {
    this.#stop?.()
  }
}

export async function openAuthKeysBucket (nc: NatsConnection): Promise<KV> {
  return await new Kvm(nc).create(KV_BUCKETS.authKeys, { history: 1 })
}
