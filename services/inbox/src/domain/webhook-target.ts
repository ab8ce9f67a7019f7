import { BlockList, isIP } from 'node:net'
import { promises as dns, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns'

/**
 * Where a webhook may point. A DMS gives the URL and the inbox calls it, so without a guard a URL
 * would let anyone with an agency token make the exchange call its own internal servers (SSRF):
 * loopback, the private networks, the cloud metadata address (169.254.169.254). Every address a
 * host resolves to is checked, when the webhook is registered and again at each call's connect.
 */

export interface Cidr { address: string, prefix: number, family: 'ipv4' | 'ipv6' }

/** Special-purpose addresses a webhook may still reach: none (`false`), any (`true`), or those in these networks. */
export type PrivateAllowance = boolean | readonly Cidr[]

/** A URL the inbox will not call, and why (naming the address when it is the address). */
export class TargetRefused extends Error {
  readonly address: string | undefined
  constructor (reason: string, address?: string) {
    super(reason)
    this.name = 'TargetRefused'
    this.address = address
  }
}

const RANGES: Array<{ name: string, cidrs: string[] }> = [
  { name: 'unspecified', cidrs: ['0.0.0.0/8', '::/128'] },
  { name: 'loopback', cidrs: ['127.0.0.0/8', '::1/128'] },
  { name: 'private', cidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
  { name: 'link-local', cidrs: ['169.254.0.0/16', 'fe80::/10'] },
  { name: 'unique-local', cidrs: ['fc00::/7'] },
  { name: 'shared (CGNAT)', cidrs: ['100.64.0.0/10'] },
  { name: 'multicast', cidrs: ['224.0.0.0/4', 'ff00::/8'] },
  { name: 'reserved', cidrs: ['240.0.0.0/4'] },
  // IPv6 forms that carry an IPv4 address inside (NAT64, 6to4, Teredo, IPv4-compatible): behind
  // a NAT64 gateway 64:ff9b::a9fe:a9fe is 169.254.169.254, which a rule for the IPv4 range misses.
  { name: 'IPv4 embedded in IPv6', cidrs: ['64:ff9b::/96', '64:ff9b:1::/48', '2002::/16', '2001::/32', '::/96'] },
  { name: 'special-purpose', cidrs: ['192.0.0.0/24', '198.18.0.0/15', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '100::/64', '2001:db8::/32'] }
]

// net.BlockList matches an IPv4 rule against the IPv4-mapped IPv6 form too (::ffff:10.0.0.1), so
// the IPv4 ranges cover those without a rule of their own (a rule for ::ffff:0:0/96 would match
// every IPv4 address).
const REFUSED = RANGES.map(({ name, cidrs }) => ({ name, list: blockListOf(cidrs.map(parseCidr)) }))

function blockListOf (cidrs: readonly Cidr[]): BlockList {
  const list = new BlockList()
  for (const c of cidrs) list.addSubnet(c.address, c.prefix, c.family)
  return list
}

function familyOf (address: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(address)
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined
}

/** `10.1.0.0/16`, `fd00::/8`, or a bare address (one host). */
export function parseCidr (text: string): Cidr {
  const [address = '', prefixText, ...rest] = text.trim().split('/')
  const family = familyOf(address)
  const max = family === 'ipv4' ? 32 : 128
  const prefix = prefixText === undefined ? max : Number(prefixText)
  if (family === undefined || rest.length > 0 || !/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) {
    throw new Error(`"${text}" is not an address or a network in CIDR form (e.g. 10.20.0.0/16)`)
  }
  return { address, prefix, family }
}

/** WEBHOOK_ALLOW_PRIVATE: `false`, `true`, or a comma-separated list of networks allowed although special. */
export function parsePrivateAllowance (value: string): PrivateAllowance {
  const v = value.trim()
  if (v === '' || v === 'false') return false
  if (v === 'true') return true
  return v.split(',').filter((s) => s.trim() !== '').map(parseCidr)
}

/** The kind of special-purpose range the address is in, or undefined for a public address. */
export function specialRangeOf (address: string): string | undefined {
  const family = familyOf(address)
  if (family === undefined) return 'unrecognised'
  return REFUSED.find((r) => r.list.check(address, family))?.name
}

export type Resolve = (host: string) => Promise<LookupAddress[]>
const resolveAll: Resolve = async (host) => await dns.lookup(host, { all: true })

/** Decides which addresses a webhook call may reach, under one allowance. */
export class TargetGuard {
  readonly #allowance: PrivateAllowance
  readonly #allowed: BlockList | undefined
  readonly #resolve: Resolve

  constructor (allowance: PrivateAllowance, resolve: Resolve = resolveAll) {
    this.#allowance = allowance
    this.#allowed = typeof allowance === 'boolean' ? undefined : blockListOf(allowance)
    this.#resolve = resolve
  }

  /** The special range that keeps the address from being called, or undefined when it may be. */
  refusal (address: string): string | undefined {
    const range = specialRangeOf(address)
    if (range === undefined || this.#allowance === true) return undefined
    if (this.#allowed?.check(address, familyOf(address)!) === true) return undefined
    return range
  }

  /** Refuses the addresses unless every one may be called. */
  checkAddresses (host: string, addresses: readonly string[]): void {
    if (addresses.length === 0) throw new TargetRefused(`${host} resolves to no address`)
    for (const address of addresses) {
      const range = this.refusal(address)
      if (range === undefined) continue
      const phrase = `${/^un(s|r)/.test(range) ? 'an' : 'a'} ${range} address`
      throw new TargetRefused(address === host ? `${address} is ${phrase}` : `${host} resolves to ${address}, ${phrase}`, address)
    }
  }

  /** Resolves the host and checks every address it has. */
  async resolveChecked (host: string): Promise<LookupAddress[]> {
    let found: LookupAddress[]
    try {
      found = await this.#resolve(host)
    } catch (err) {
      throw new TargetRefused(`${host} does not resolve (${(err as { code?: string }).code ?? 'lookup failed'})`)
    }
    this.checkAddresses(host, found.map((a) => a.address))
    return found
  }

  /** The URL as the inbox will call it, when it is http(s), has no credentials, and every address of its host may be called. */
  async checkUrl (text: string): Promise<URL> {
    const url = parseTargetUrl(text)
    await this.resolveChecked(hostOf(url))
    return url
  }

  /**
   * A `lookup` for node:http that checks what it resolves, so the address connected to is the one
   * checked (a host whose DNS changed since it was registered, or answers differently each time,
   * cannot slip past the check made at registration).
   */
  lookup (): (host: string, options: LookupOneOptions | LookupAllOptions, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => void {
    return (host, options, callback) => {
      this.resolveChecked(host).then((found) => {
        const wanted = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found
        if (wanted.length === 0) throw new TargetRefused(`${host} has no IPv${String(options.family)} address`)
        if (options.all === true) callback(null, wanted)
        else callback(null, wanted[0]!.address, wanted[0]!.family)
      }).catch((err: unknown) => { callback(err as Error, '') })
    }
  }
}

/** Only http and https, and no user name or password in the URL (the secret is what authenticates). */
export function parseTargetUrl (text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new TargetRefused('not a URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefused(`${url.protocol.slice(0, -1)} is not http or https`)
  if (url.username !== '' || url.password !== '') throw new TargetRefused('the URL may not carry a user name or password')
  if (hostOf(url) === '') throw new TargetRefused('the URL has no host')
  return url
}

/** The host without the brackets of an IPv6 literal. */
export function hostOf (url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
}
