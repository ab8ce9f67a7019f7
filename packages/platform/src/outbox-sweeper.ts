import type { FastifyBaseLogger } from 'fastify'

/**
 * Runs `sweep` every `everyMs`, never two at once. Services keep an outbox (rows stored but not
 * yet acknowledged by JetStream) and sweep it, so a publish lost to a crash or an outage is made
 * good without anyone retrying.
 */
export function startOutboxSweeper (name: string, everyMs: number, sweep: () => Promise<number>, log: FastifyBaseLogger): () => void {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    sweep()
      .then((n) => { if (n > 0) log.info({ outbox: name, published: n }, 'published what the outbox held') })
      .catch((err: unknown) => log.warn({ err, outbox: name }, 'outbox sweep failed; will try again'))
      .finally(() => { running = false })
  }, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
