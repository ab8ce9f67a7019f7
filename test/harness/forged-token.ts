import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import type { Sql } from 'postgres'
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@lienthong/contracts'

/**
 * Hand-made JWTs for the refusal tests: expired ones signed with registry's real key (read from
 * its table, as an attacker with a database dump could not do for the private key in a real
 * deployment), and forged ones signed with a key registry never had.
 */
function jwt (header: object, payload: object, key: KeyObject | null): string {
  const head = Buffer.from(JSON.stringify(header)).toString('base64url')
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  const signature = key === null ? '' : sign(null, Buffer.from(`${head}.${body}`), key).toString('base64url')
  return `${head}.${body}.${signature}`
}

function claims (sub: string, expiresIn: number): object {
  const now = Math.floor(Date.now() / 1000)
  return { sub, scope: 'documents:send documents:read inbox:read inbox:write', cid: 'x', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat: now - 3600, exp: now + expiresIn }
}

export async function registryKey (sql: Sql): Promise<{ kid: string, key: KeyObject }> {
  const [row] = await sql`select kid, private_key_pem from registry.token_keys where retired_at is null order by created_at desc limit 1`
  return { kid: row!.kid as string, key: createPrivateKey(row!.private_key_pem as string) }
}

export async function expiredToken (sql: Sql, sub: string): Promise<string> {
  const { kid, key } = await registryKey(sql)
  return jwt({ alg: 'EdDSA', typ: 'JWT', kid }, claims(sub, -60), key)
}

export async function forgedToken (sql: Sql, sub: string): Promise<string> {
  const { kid } = await registryKey(sql)
  return jwt({ alg: 'EdDSA', typ: 'JWT', kid }, claims(sub, 600), generateKeyPairSync('ed25519').privateKey)
}

export async function unsignedToken (sql: Sql, sub: string): Promise<string> {
  const { kid } = await registryKey(sql)
  return jwt({ alg: 'none', typ: 'JWT', kid }, claims(sub, 600), null)
}
