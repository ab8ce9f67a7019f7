import { createPublicKey, randomBytes, type JsonWebKey } from 'node:crypto'
import { gt, isNull, or, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { KV } from '@nats-io/kv'
import type { AuthKey } from '@lienthong/platform'
import { tokenKeys } from '../db/schema.ts'
import { newKeyPair } from '@lienthong/crypto'

type Db = PostgresJsDatabase<Record<string, unknown>>

export interface SigningKey { kid: string, privateKeyPem: string }

/**
 * The keys that sign access tokens. The newest unretired key signs; a retired key stays published
 * (KV bucket and JWKS) until every token it signed has expired, so rotation needs no downtime.
 * Several registry copies agree through the table: each re-reads it every few seconds.
 */
export class TokenKeyRing {
  readonly #db: Db
  readonly #bucket: KV
  readonly #tokenTtlMs: number
  #signing: SigningKey | undefined
  #published: AuthKey[] = []

  constructor (db: Db, bucket: KV, tokenTtlSeconds: number) {
    this.#db = db
    this.#bucket = bucket
    this.#tokenTtlMs = tokenTtlSeconds * 1000
  }

  get signing (): SigningKey {
    if (this.#signing === undefined) throw new Error('token keys not loaded')
    return this.#signing
  }

  /** The verification keys to publish, as JWKs for `/.well-known/jwks.json`. */
  jwks (): { keys: JsonWebKey[] } {
    return { keys: this.#published.map((k) => ({ ...createPublicKey(k.publicKeyPem).export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })) }
  }

  published (): AuthKey[] {
    return this.#published
  }

  /** Loads the keys (making the first one if there is none) and brings the KV bucket in line. */
  async refresh (): Promise<void> {
    // Keys retired longer ago than a token lives verify nothing any more.
    const horizon = new Date(Date.now() - this.#tokenTtlMs - 60_000)
    let rows = await this.#db.select().from(tokenKeys).where(or(isNull(tokenKeys.retiredAt), gt(tokenKeys.retiredAt, horizon)))
    if (!rows.some((r) => r.retiredAt === null)) {
      await this.#insertNewKey()
      rows = await this.#db.select().from(tokenKeys).where(or(isNull(tokenKeys.retiredAt), gt(tokenKeys.retiredAt, horizon)))
    }
    const active = rows.filter((r) => r.retiredAt === null).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0]!
    this.#signing = { kid: active.kid, privateKeyPem: active.privateKeyPem }
    const next = rows.map((r) => ({ kid: r.kid, alg: r.alg as AuthKey['alg'], publicKeyPem: r.publicKeyPem }))
    for (const key of next) await this.#bucket.put(key.kid, JSON.stringify(key))
    // Compare with the bucket itself, not with what this process published: after a restart a
    // long-retired key would otherwise stay trusted for ever.
    const keep = new Set(next.map((k) => k.kid))
    const stale: string[] = []
    for await (const kid of await this.#bucket.keys()) if (!keep.has(kid)) stale.push(kid)
    for (const kid of stale) await this.#bucket.delete(kid)
    this.#published = next
  }

  /** A new signing key; the previous ones retire now and keep verifying until their tokens expire. */
  async rotate (): Promise<string> {
    const kid = await this.#db.transaction(async (tx) => {
      await tx.update(tokenKeys).set({ retiredAt: sql`now()` }).where(isNull(tokenKeys.retiredAt))
      return await this.#insertNewKey(tx)
    })
    await this.refresh()
    return kid
  }

  async #insertNewKey (db: Db = this.#db): Promise<string> {
    const { publicKey, privateKey } = newKeyPair('ed25519')
    const kid = `reg-${randomBytes(6).toString('hex')}`
    await db.insert(tokenKeys).values({
      kid,
      alg: 'EdDSA',
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString()
    })
    return kid
  }
}
