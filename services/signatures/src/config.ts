import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { BaseConfig } from '@lienthong/platform'
import { MasterKeyError, parseMasterKeys, type MasterKeySet } from './domain/master-keys.ts'

const SignaturesEnv = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(7104),
  /**
   * The master keys that encrypt custody private keys: `id:base64(32 bytes)` entries separated by
   * commas, the current one first. Required, unless MASTER_KEY_FILE is given instead.
   */
  MASTER_KEYS: z.string().optional(),
  /** A file holding the same text as MASTER_KEYS (e.g. a mounted secret), instead of the variable. */
  MASTER_KEY_FILE: z.string().optional(),
  /** How long the custody keys of an agency are held in memory before they are read again. */
  KEY_CACHE_MS: z.coerce.number().int().min(1_000).default(60_000)
})

/**
 * The service's settings. The master keys come out parsed, as a `MasterKeySet`, and the raw text
 * is dropped: the config object can be logged by mistake without giving a key away.
 */
export const SignaturesConfig = SignaturesEnv.transform((env, ctx) => {
  const { MASTER_KEYS, MASTER_KEY_FILE, ...rest } = env
  const given = MASTER_KEYS !== undefined && MASTER_KEYS.trim() !== ''
  const file = MASTER_KEY_FILE !== undefined && MASTER_KEY_FILE.trim() !== '' ? MASTER_KEY_FILE.trim() : undefined
  let masterKeys: MasterKeySet | undefined
  if (given && file !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['MASTER_KEYS'], message: 'give MASTER_KEYS or MASTER_KEY_FILE, not both' })
  } else if (!given && file === undefined) {
    ctx.addIssue({ code: 'custom', path: ['MASTER_KEYS'], message: 'required: id:base64(32 bytes) entries, comma-separated, the current one first (or MASTER_KEY_FILE naming a file that holds them)' })
  } else {
    const path = file !== undefined ? 'MASTER_KEY_FILE' : 'MASTER_KEYS'
    try {
      masterKeys = parseMasterKeys(file !== undefined ? readFileSync(file, 'utf8') : MASTER_KEYS!)
    } catch (err) {
      const message = err instanceof MasterKeyError
        ? err.message
        : `cannot read ${file ?? ''}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`
      ctx.addIssue({ code: 'custom', path: [path], message })
    }
  }
  return { ...rest, masterKeys: masterKeys! }
})
export type SignaturesConfig = z.infer<typeof SignaturesConfig>
