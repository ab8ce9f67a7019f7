/** When a webhook call that failed is tried again, and when the inbox stops trying. */
export interface RetrySchedule {
  /** the wait after the first failure; each next one twice as long */
  baseMs: number
  /** the longest wait between two attempts */
  maxMs: number
  /** how long after the delivery was stored a failure is still retried; one past it is final (judged by the database's clock) */
  giveUpMs: number
}

/**
 * The wait after the `attempts`-th failed attempt: base · 2^(attempts−1), at most max, spread
 * by ±20 % so the calls of one event burst (a receiver that was down for everyone) do not come
 * back all at once. Never more than max.
 */
export function retryDelayMs (schedule: RetrySchedule, attempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40)
  const plain = Math.min(schedule.baseMs * 2 ** exponent, schedule.maxMs)
  return Math.round(Math.min(plain * (0.8 + 0.4 * random()), schedule.maxMs))
}
