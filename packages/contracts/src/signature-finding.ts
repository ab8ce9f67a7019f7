import { z } from 'zod'

/**
 * One signature as a verifier found it, in every answer that shows signatures (an inbox item,
 * a sender's receipts, the verify endpoint): who had to sign, with which key, and whether it holds.
 * `reason` is one of the stable refusal reasons (decision 011).
 */
export const SignatureFinding = z.object({
  role: z.string(),
  agency: z.string(),
  kid: z.string().nullable(),
  alg: z.string().nullable(),
  /** the person holding a signer key, as registered */
  holder: z.string().nullable(),
  /** the subject of the key's certificate, when it was registered by one */
  certificate: z.string().nullable(),
  valid: z.boolean(),
  reason: z.string().optional(),
  detail: z.string().optional()
})
export type SignatureFindingView = z.infer<typeof SignatureFinding>
