import type { NatsConnection } from '@nats-io/transport-node'
import type { KV } from '@nats-io/kv'
import { z } from 'zod'
import { KV_BUCKETS } from '@lienthong/contracts'
import { KvMirror, parsedBy, openBucket } from './kv-mirror.ts'

/** A public key that verifies access tokens, as registry publishes it. */
export const AuthKey = z.object({
  kid: z.string().min(1),
  alg: z.enum(['EdDSA', 'ES256']),
  publicKeyPem: z.string().startsWith('-----BEGIN PUBLIC KEY-----')
})
export type AuthKey = z.infer<typeof AuthKey>

/**
 * The token-verifying keys, mirrored from registry's KV bucket, so services check tokens locally
 * and a rotated key is seen everywhere within moments.
 */
export class AuthKeys extends KvMirror<AuthKey> {
  constructor () {
    super(KV_BUCKETS.authKeys, {
      parse: parsedBy(AuthKey)
    })
  }
}

export async function openAuthKeysBucket (nc: NatsConnection): Promise<KV> {
  return await openBucket(nc, KV_BUCKETS.authKeys)
}
