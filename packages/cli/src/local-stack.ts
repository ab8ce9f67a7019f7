import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { serverProfiles } from '@lienthong/infra'
import type { ClientCredentials } from './registry-admin.ts'

/**
 * What `lienthong up` leaves for the other commands: where the services listen, the operator
 * credentials it made, and API clients issued for `token`. All under .data/dev (or
 * LIENTHONG_HOME), readable only by the user, never committed.
 */
export const stackDir = process.env.LIENTHONG_HOME ?? serverProfiles.dev.baseDir
const stackFile = join(stackDir, 'stack.json')
const operatorFile = join(stackDir, 'operator.json')
const clientsFile = join(stackDir, 'clients.json')
const masterKeysFile = join(stackDir, 'master-keys.json')

export interface LocalStack {
  urls: { registry: string, routing: string, inbox: string, signatures?: string, audit?: string, mail?: string }
  pids: { up: number, services: number[] }
  startedServers: boolean
}

function writePrivate (file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 })
}

function readJson<T> (file: string): T | undefined {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as T : undefined
}

export function readStack (): LocalStack | undefined {
  return readJson<LocalStack>(stackFile)
}

export function writeStack (stack: LocalStack | undefined): void {
  if (stack === undefined) writeFileSync(stackFile, '{}\n')
  else writePrivate(stackFile, stack)
}

export function requireStack (): LocalStack {
  const stack = readStack()
  if (stack?.urls === undefined || stack.urls.registry === '') throw new Error('no local stack is running here: start one with `npm start`')
  return stack
}

/** The local operator's credentials, made once per checkout. */
export function operatorCredentials (): ClientCredentials {
  const existing = readJson<ClientCredentials>(operatorFile)
  if (existing !== undefined) return existing
  const made = { clientId: 'local-operator', clientSecret: randomBytes(24).toString('base64url') }
  writePrivate(operatorFile, made)
  return made
}

/**
 * The local signatures service's master key set (`id:base64`), made once per checkout. Losing it
 * loses the local custody keys, so it lives beside the data it protects, readable only by the user.
 */
export function masterKeys (): string {
  const existing = readJson<{ masterKeys: string }>(masterKeysFile)
  if (existing !== undefined) return existing.masterKeys
  const made = `local-1:${randomBytes(32).toString('base64')}`
  writePrivate(masterKeysFile, { masterKeys: made })
  return made
}

export function cachedClient (key: string): ClientCredentials | undefined {
  return readJson<Record<string, ClientCredentials>>(clientsFile)?.[key]
}

export function cacheClient (key: string, credentials: ClientCredentials): void {
  writePrivate(clientsFile, { ...(readJson<Record<string, ClientCredentials>>(clientsFile) ?? {}), [key]: credentials })
}
