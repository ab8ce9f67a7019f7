// The load the limits are measured under: a fixed number of callers, each starting its next
// operation as soon as its last one is answered, for a given time. (Closed: a slower server gets
// fewer operations, so the count is what it can take, not what was offered.)

/** `lanes` callers each doing `work` one after another until `seconds` are up; the seconds it took. */
export async function closedLoop (seconds: number, lanes: number, work: () => Promise<void>): Promise<number> {
  const started = performance.now()
  const until = started + seconds * 1000
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (performance.now() < until) await work()
  }))
  return (performance.now() - started) / 1000
}

/** A short run of the same load before the counted one: connections open, code paths compiled. */
export function warmUpSeconds (seconds: number): number {
  return Math.min(1, seconds / 5)
}
