import { createHmac, randomBytes } from 'node:crypto'

/**
 * Webhook calls are signed as the Standard Webhooks specification says (standardwebhooks.com), so
 * a DMS can verify them with any of its libraries or in a few lines: the secret is `whsec_` and
 * the base64 of random bytes; the signature is the base64 HMAC-SHA256, keyed with those bytes, of
 * `{webhook-id}.{webhook-timestamp}.{body}`, sent as `webhook-signature: v1,<signature>`.
 */

const PREFIX = 'whsec_'

/** A new secret: 32 random bytes (the specification asks for 24 to 64). */
export function newWebhookSecret (): string {
  return PREFIX + randomBytes(32).toString('base64')
}

/** The headers of one call of a body, at a time (unix seconds). */
export function signedHeaders (secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${webhookSignature(secret, id, timestamp, body)}`
  }
}

export function webhookSignature (secret: string, id: string, timestamp: number, body: string): string {
  if (!secret.startsWith(PREFIX)) throw new Error('a webhook secret starts with whsec_')
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64')
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')
}
