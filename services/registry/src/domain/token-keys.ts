import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { isNull } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { AuthKey } from '@lienthong/platform'
import { tokenKeys } from '../db/schema.ts'

export interface SigningKey extends AuthKey {
  privateKeyPem: string
}

/**
 * The key that signs access tokens: the newest unretired one, or a new Ed25519 key on the first
 * start. Retired keys stay published until the tokens they signed have expired.
 */
export async function currentSigningKey (db: PostgresJsDatabase<Record<string, unknown>>): Promise<{ signing: SigningKey, published: AuthKey[] }> {
  let rows = await db.select().from(tokenKeys).where(isNull(tokenKeys.retiredAt))
  if (rows.length === 0) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    await db.insert(tokenKeys).values({
      kid: `reg-${randomBytes(6).toString('hex')}`,
      alg: 'EdDSA',
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString()
    })
    rows = await db.select().from(tokenKeys).where(isNull(tokenKeys.retiredAt))
  }
  rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
  const newest = rows[0]!
  return {
    signing: { kid: newest.kid, alg: 'EdDSA', publicKeyPem: newest.publicKeyPem, privateKeyPem: newest.privateKeyPem },
    published: rows.map((r) => ({ kid: r.kid, alg: r.alg as AuthKey['alg'], publicKeyPem: r.publicKeyPem }))
  }
}
