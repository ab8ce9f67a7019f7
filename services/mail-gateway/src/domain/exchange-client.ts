import type { SendDocumentRequest } from '@lienthong/contracts'

/** What an exchange API answered: its status and its JSON body (a problem, for a refusal). */
export interface ExchangeAnswer<T = unknown> {
  status: number
  body: T & { code?: string, detail?: string, title?: string }
}

/** The exchange could not be asked at all (refused connection, timeout): the mail waits, it is not refused. */
export class ExchangeUnreachable extends Error {}

export interface ExchangeUrls { registry: string, routing: string, inbox: string }

const TIMEOUT_MS = 60_000

/**
 * The exchange's public APIs, called as the official who logged in, with that official's token:
 * the gateway has no standing of its own, so every check a DMS meets (scopes, sending policy,
 * limits, signatures, idempotency) is met here too (docs/decisions/023).
 */
export class ExchangeClient {
  readonly #urls: ExchangeUrls

  constructor (urls: ExchangeUrls) {
    this.#urls = urls
  }

  async token (clientId: string, clientSecret: string, forwardedFor: string | undefined): Promise<ExchangeAnswer<{ accessToken?: string, expiresIn?: number }>> {
    return await this.#call(`${this.#urls.registry}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(forwardedFor !== undefined ? { 'x-forwarded-for': forwardedFor } : {}) },
      body: JSON.stringify({ clientId, clientSecret })
    })
  }

  async uploadAttachment (token: string, sha256: string, bytes: Uint8Array): Promise<ExchangeAnswer> {
    return await this.#call(`${this.#urls.routing}/v1/attachments/${sha256}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: bytes
    })
  }

  async sendDocument (token: string, idempotencyKey: string, request: SendDocumentRequest): Promise<ExchangeAnswer<{ id?: string, recipients?: string[] }>> {
    return await this.#call(`${this.#urls.routing}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(request)
    })
  }

  /** The agency's item of one document, if it has arrived. */
  async findItem (token: string, documentId: string): Promise<ExchangeAnswer<{ items?: Array<{ id: string, state: string }> }>> {
    return await this.#call(`${this.#urls.inbox}/v1/inbox?document=${encodeURIComponent(documentId)}&limit=1`, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` }
    })
  }

  async recordStep (token: string, itemId: string, step: { code: string, channel: 'online', note?: string, official?: { id?: string, name: string } }): Promise<ExchangeAnswer> {
    return await this.#call(`${this.#urls.inbox}/v1/inbox/${itemId}/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(step)
    })
  }

  async #call<T> (url: string, init: RequestInit): Promise<ExchangeAnswer<T>> {
    let response: Response
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
    } catch (err) {
      throw new ExchangeUnreachable(`${new URL(url).host} did not answer: ${(err as Error).message}`)
    }
    const text = await response.text()
    let body: unknown = {}
    try { body = text === '' ? {} : JSON.parse(text) } catch { body = { detail: text.slice(0, 200) } }
    return { status: response.status, body: body as ExchangeAnswer<T>['body'] }
  }
}
