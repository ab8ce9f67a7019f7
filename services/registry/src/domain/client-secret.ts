import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { availableParallelism } from 'node:os'

// scrypt with these costs takes tens of milliseconds: cheap for one token request, ruinous for
// someone guessing secrets from a stolen table.
const COST: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const KEY_LENGTH = 32

// Each scrypt holds 16 MB while it runs, on libuv's threadpool (4 threads by default). More at
// once than there are cores only time-slice the same CPU while holding more memory: a burst of
// token requests then raised registry's resident size by 64 MB for no more tokens a second.
const SLOTS = Math.max(1, availableParallelism())
let running = 0
const waiting: Array<() => void> = []

/** The number of scrypt runs that hold their memory at once (a test looks at it). */
export function scryptRunning (): number {
  return running
}

async function derive (secret: string, salt: Buffer): Promise<Buffer> {
  // a slot freed while others wait passes straight to the first of them
  if (running < SLOTS) running++
  else await new Promise<void>((resolve) => { waiting.push(resolve) })
  try {
    return await new Promise((resolve, reject) => {
      scrypt(secret, salt, KEY_LENGTH, COST, (err, key) => { if (err !== null) reject(err); else resolve(key) })
    })
  } finally {
    const next = waiting.shift()
    if (next !== undefined) next()
    else running--
  }
}

export function newClientSecret (): string {
  return randomBytes(32).toString('base64url')
}

export function newClientId (): string {
  return `ltc_${randomBytes(12).toString('base64url')}`
}

/** `scrypt$N$r$p$salt$key`, so the cost can rise later without breaking stored hashes. */
export async function hashClientSecret (secret: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(secret, salt)
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** False for a wrong secret and for any stored value that is not a well-formed hash of ours. */
export async function verifyClientSecret (secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$')
  if (scheme !== 'scrypt' || rest.length > 0 || salt === undefined || key === undefined) return false
  const expected = Buffer.from(key, 'base64url')
  const cost = { N: Number(n), r: Number(r), p: Number(p) }
  // An empty or short key would make any secret "match"; absurd costs would throw or hang.
  if (expected.length !== KEY_LENGTH || salt === '') return false
  if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger) || cost.N < 2 || cost.N > 1 << 20 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) return false
  try {
    const actual = await new Promise<Buffer>((resolve, reject) => {
      scrypt(secret, Buffer.from(salt, 'base64url'), KEY_LENGTH, { ...cost, maxmem: COST.maxmem }, (err, k) => { if (err !== null) reject(err); else resolve(k) })
    })
    return timingSafeEqual(actual, expected)
  } catch {
    return false
  }
}
