import { z } from 'zod'

/** A webhook call given up after its retries, as the inbox lists it to the operator (and the CLI reads it). */
export const DeadLetterView = z.object({
  id: z.number(),
  agency: z.string(),
  eventId: z.string(),
  eventSeq: z.number(),
  eventType: z.string(),
  attempts: z.number(),
  lastStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable()
})
export type DeadLetterView = z.infer<typeof DeadLetterView>
