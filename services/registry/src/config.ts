import { z } from 'zod'
import { GovernmentLevel } from '@lienthong/contracts'
import { BaseConfig } from '@lienthong/platform'

const LevelList = z.string().transform((s) => s.split(',').map((l) => l.trim()).filter((l) => l !== ''))
  .pipe(z.array(GovernmentLevel).min(1))

export const RegistryConfig = BaseConfig.extend({
  /**
   * The government tiers of this directory, top down: people's committees at code depth n are of
   * the n-th tier. Four tiers until 30/6/2025; `province,commune` for the two-tier system since.
   */
  LEVELS: LevelList.default(['province', 'district', 'commune', 'village']),
  PORT: z.coerce.number().int().min(0).max(65535).default(7101),
  /** Lifetime of an access token. Short, so a revoked client stops working soon. */
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  /**
   * How often agencies whose latest version is not in the directory bucket are published; a change
   * is left to the request that made it for twice this long first.
   */
  DIRECTORY_SYNC_MS: z.coerce.number().int().min(100).default(5_000),
  /** Failed token requests (per client id, per address) within 15 minutes before refusing for a while. */
  LOGIN_LOCK_AFTER: z.coerce.number().int().min(1).default(10),
  /** The longest a failed token request's answer is held back. */
  LOGIN_MAX_DELAY_MS: z.coerce.number().int().min(0).default(5_000),
  /**
   * Refused token requests waiting in the outbox for JetStream, at most: past it (a flood of bad
   * requests while JetStream is away) further refusals are logged but not recorded.
   */
  TOKEN_REFUSALS_KEPT_MAX: z.coerce.number().int().min(1).default(10_000),
  /** An operator client (scope registry:admin) created at start, for the CLI on a local stack. */
  OPERATOR_CLIENT_ID: z.string().min(8).optional(),
  OPERATOR_CLIENT_SECRET: z.string().min(16).optional()
  // TRUST_ANCHORS and REQUIRE_CERTIFICATES come from BaseConfig: here they govern registration too.
})
export type RegistryConfig = z.infer<typeof RegistryConfig>
