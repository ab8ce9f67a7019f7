import { createHash } from 'node:crypto'
import type { ExchangeClient } from './exchange-client.ts'
import { ExchangeUnreachable } from './exchange-client.ts'

/** An official who logged in at the SMTP door: their mailbox, agency and a token to act with. */
export interface Official {
  /** the login name, lowercased: the official's own mail address */
  address: string
  agency: string
  name: string | null
  token: string
  /** when the token stops working (ms since the epoch) */
  expiresAt: number
}

export type LoginResult = { ok: true, official: Official } | { ok: false, temporary: boolean, reason: string }

/** A token is used only while it has this long left, so a mail never meets one expiring halfway. */
const MARGIN_MS = 60_000
const REMEMBERED_MAX = 10_000

/**
 * AUTH at the SMTP door is the registry's client-credentials login: the mailbox `a@b` is the API
 * client `mail:a@b` of its agency. A login is remembered (by a digest of name and password, never
 * the password) until shortly before its token expires, so a client that connects for every mail
 * does not cost the registry a password hash each time.
 */
export class OfficialLogins {
  readonly #exchange: ExchangeClient
  readonly #remembered = new Map<string, Official>()

  constructor (exchange: ExchangeClient) {
    this.#exchange = exchange
  }

  async login (username: string, password: string, clientAddress: string | undefined): Promise<LoginResult> {
    const address = username.trim().toLowerCase()
    const key = createHash('sha256').update(`${address}\0${password}`).digest('hex')
    const known = this.#remembered.get(key)
    if (known !== undefined && known.expiresAt - MARGIN_MS > Date.now()) return { ok: true, official: known }
    this.#remembered.delete(key)
    let answer
    try {
      answer = await this.#exchange.token(`mail:${address}`, password, clientAddress)
    } catch (err) {
      if (err instanceof ExchangeUnreachable) return { ok: false, temporary: true, reason: 'the registry does not answer' }
      throw err
    }
    if (answer.status !== 200 || answer.body.accessToken === undefined) {
      const temporary = answer.status === 429 || answer.status >= 500
      return { ok: false, temporary, reason: answer.body.code ?? `registry answered ${answer.status}` }
    }
    const claims = tokenClaims(answer.body.accessToken)
    const official: Official = {
      address,
      agency: claims.sub,
      name: typeof claims.name === 'string' ? claims.name : null,
      token: answer.body.accessToken,
      expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + (answer.body.expiresIn ?? 300) * 1000
    }
    if (this.#remembered.size >= REMEMBERED_MAX) this.#remembered.delete(this.#remembered.keys().next().value!)
    this.#remembered.set(key, official)
    return { ok: true, official }
  }
}

/** The claims of a token the registry just handed over on this connection; routing verifies it on every use. */
function tokenClaims (token: string): { sub: string, exp?: number, name?: unknown } {
  const payload = token.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string, exp?: number, name?: unknown }
}
