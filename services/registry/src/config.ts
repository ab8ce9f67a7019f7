import { z } from 'zod'
import { BaseConfig } from '@lienthong/platform'

export const RegistryConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(7101),
  /** Lifetime of an access token. Short, so a revoked client stops working soon. */
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  /** An operator client (scope registry:admin) created at start, for the CLI on a local stack. */
  OPERATOR_CLIENT_ID: z.string().min(8).optional(),
  OPERATOR_CLIENT_SECRET: z.string().min(16).optional()
})
export type RegistryConfig = z.infer<typeof RegistryConfig>
