import { eq, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { webhookDeliveries, webhooks } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/** An agency's webhook as it may be shown: never its secret, which is shown once, when made. */
export interface WebhookView {
  url: string
  createdAt: Date
  updatedAt: Date
  /** calls still being tried, and calls given up (the dead-letter list) */
  pending: number
  dead: number
}

/**
 * Registers the agency's webhook, or replaces its URL and secret. Deliveries still pending go to
 * the new URL, signed with the new secret: the DMS that replaced the webhook is the one to reach.
 * The first registration's time is kept.
 */
export async function registerWebhook (db: Db, agency: string, url: string, secret: string): Promise<{ created: boolean, createdAt: Date, updatedAt: Date }> {
  const [row] = await db.insert(webhooks).values({ agency, url, secret })
    .onConflictDoUpdate({ target: webhooks.agency, set: { url, secret, updatedAt: sql`now()` } })
    .returning({ createdAt: webhooks.createdAt, updatedAt: webhooks.updatedAt, created: sql<boolean>`xmax = 0` })
  return row!
}

export async function findWebhook (db: Db, agency: string): Promise<WebhookView | undefined> {
  const [row] = await db.select({
    url: webhooks.url,
    createdAt: webhooks.createdAt,
    updatedAt: webhooks.updatedAt,
    pending: sql<number>`(select count(*)::int from ${webhookDeliveries} d where d.agency = ${webhooks.agency} and d.state = 'pending')`,
    dead: sql<number>`(select count(*)::int from ${webhookDeliveries} d where d.agency = ${webhooks.agency} and d.state = 'dead')`
  }).from(webhooks).where(eq(webhooks.agency, agency))
  return row
}

/**
 * Removes the agency's webhook and every delivery of it, pending and dead ones included: with no
 * webhook there is nowhere to send them, and a dead letter left behind could be replayed to a URL
 * the agency took back. An agency that registers again gets the events from then on.
 */
export async function removeWebhook (db: Db, agency: string): Promise<boolean> {
  return await db.transaction(async (tx) => {
    const removed = await tx.delete(webhooks).where(eq(webhooks.agency, agency)).returning({ agency: webhooks.agency })
    if (removed.length === 0) return false
    await tx.delete(webhookDeliveries).where(eq(webhookDeliveries.agency, agency))
    return true
  })
}
