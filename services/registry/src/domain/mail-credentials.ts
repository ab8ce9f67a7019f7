import { and, eq, isNull, or, sql } from 'drizzle-orm'
import { DMS_SCOPES } from '@lienthong/contracts'
import type { RegistryContext } from '../context.ts'
import { apiClients } from '../db/schema.ts'
import { hashClientSecret, newClientSecret } from './client-secret.ts'

/**
 * An official's mail credentials are an API client of their agency whose id is `mail:` and the
 * address: the mail gateway turns an SMTP login (address, password) into a token request with
 * that id, so the address names the client and no table of its own is needed.
 */
export function mailClientId (address: string): string {
  return `mail:${address.toLowerCase()}`
}

export interface Official { address: string, name: string }

export interface IssuedMailCredentials {
  /** what the official types as the mail client's user name: the address, lowercased */
  username: string
  /** shown this once; stored only as a slow hash */
  password: string
  clientId: string
  agency: string
  name: string
}

/**
 * Issues an official's mail credentials for the agency, or issues them again: a new password (the
 * old one stops working at once), the name as given now, revoked no more. An address whose live
 * credentials belong to another agency is refused; once revoked there, it may move here.
 */
export async function issueMailCredentials (ctx: Pick<RegistryContext, 'db' | 'events' | 'fail'>, agency: string, official: Official): Promise<IssuedMailCredentials> {
  const username = official.address.toLowerCase()
  const clientId = mailClientId(username)
  const password = newClientSecret()
  const secretHash = await hashClientSecret(password)
  const scopes = DMS_SCOPES.join(' ')
  const recorded = await ctx.db.transaction(async (tx) => {
    // One statement decides, so two issues at once for two agencies cannot both win the address.
    const written = await tx.insert(apiClients)
      .values({ clientId, agencyCode: agency, secretHash, scopes, under: null, officialName: official.name })
      .onConflictDoUpdate({
        target: apiClients.clientId,
        set: { agencyCode: agency, secretHash, scopes, under: null, officialName: official.name, revokedAt: null },
        setWhere: or(eq(apiClients.agencyCode, agency), sql`${apiClients.revokedAt} is not null`)
      })
      .returning({ clientId: apiClients.clientId })
    if (written.length === 0) {
      const [holder] = await tx.select({ agency: apiClients.agencyCode }).from(apiClients)
        .where(and(eq(apiClients.clientId, clientId), isNull(apiClients.revokedAt)))
      throw ctx.fail('MAILBOX_TAKEN', `${username} has live mail credentials of ${holder?.agency ?? 'another agency'}; revoke ${clientId} there first`)
    }
    return await ctx.events.record(tx, [{ type: 'api-client.created', agency, at: new Date().toISOString(), clientId, scopes: DMS_SCOPES, under: null }])
  })
  ctx.events.publish(recorded)
  return { username, password, clientId, agency, name: official.name }
}
