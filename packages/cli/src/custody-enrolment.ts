import { setTimeout as sleep } from 'node:timers/promises'
import type { CustodyKeyView } from '@lienthong/contracts'

/** A custody key as the signatures service reports it after enrolment. */
export type CustodyKey = CustodyKeyView

export interface EnrolmentOptions {
  signaturesUrl: string
  registryUrl: string
  /** an operator token (registry:admin) */
  token: string
  agencies: string[]
  /** turns a custody public key into a certificate (e.g. from the development CA); bare JWKs otherwise */
  certify?: (key: CustodyKey, holder: string | undefined) => Promise<string>
  /** who a custody signer key stands for (e.g. the head of the agency), registered as its holder */
  holder?: (key: CustodyKey) => string | undefined
}

const CHUNK = 1000

async function post<T> (url: string, token: string, body: unknown): Promise<{ status: number, body: T }> {
  // A stalled service must fail the enrolment, not hang it.
  let res: Response
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) })
  } catch (err) {
    throw new Error(`POST ${new URL(url).pathname}: ${(err as Error).message}`, { cause: err })
  }
  const text = await res.text()
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T }
}

async function enroll (opts: EnrolmentOptions, agencies: string[]): Promise<CustodyKey[]> {
  const keys: CustodyKey[] = []
  for (let i = 0; i < agencies.length; i += CHUNK) {
    const answer = await post<{ keys?: CustodyKey[], code?: string, detail?: string }>(`${opts.signaturesUrl}/v1/custody/enroll`, opts.token, { agencies: agencies.slice(i, i + CHUNK) })
    if (answer.status !== 200 || answer.body.keys === undefined) {
      throw new Error(`custody enrolment → ${answer.status} ${answer.body.code ?? ''} ${answer.body.detail ?? ''}`.trim())
    }
    keys.push(...answer.body.keys)
  }
  return keys
}

/** Registers the public halves with the registry in one all-or-nothing import per chunk. */
async function register (opts: EnrolmentOptions, keys: CustodyKey[]): Promise<void> {
  const items = []
  for (const key of keys) {
    const holder = key.role === 'signer' ? opts.holder?.(key) : undefined
    const named = holder === undefined ? {} : { holder }
    items.push({
      agency: key.agency,
      key: opts.certify !== undefined
        ? { kid: key.kid, role: key.role, ...named, certificate: await opts.certify(key, holder) }
        : { kid: key.kid, role: key.role, ...named, jwk: key.jwk }
    })
  }
  const answer = await post<{ code?: string, detail?: string }>(`${opts.registryUrl}/v1/agencies/keys/import`, opts.token, { keys: items })
  if (answer.status !== 200) throw new Error(`registering custody keys → ${answer.status} ${answer.body.code ?? ''} ${answer.body.detail ?? ''}`.trim())
}

/**
 * Lets the signatures service sign for these agencies: it makes (once) a custody key per role for
 * each, and the operator registers the public halves with the registry, as for any agency key.
 * The service signs only with registered keys, so this waits until it sees every one of them.
 * Running it again changes nothing.
 */
export async function enrollCustody (opts: EnrolmentOptions): Promise<{ keys: number, registered: number }> {
  const keys = await enroll(opts, opts.agencies)
  const pending = keys.filter((k) => !k.registered)
  for (let i = 0; i < pending.length; i += CHUNK) await register(opts, pending.slice(i, i + CHUNK))
  if (pending.length > 0) {
    let waiting = [...new Set(pending.map((k) => k.agency))]
    const deadline = Date.now() + 30_000
    while (waiting.length > 0) {
      if (Date.now() > deadline) throw new Error(`after 30 s the signatures service still does not see the registered keys of ${waiting.length} agencies (${waiting.slice(0, 5).join(', ')}…)`)
      await sleep(200)
      waiting = [...new Set((await enroll(opts, waiting)).filter((k) => !k.registered).map((k) => k.agency))]
    }
  }
  return { keys: keys.length, registered: pending.length }
}
