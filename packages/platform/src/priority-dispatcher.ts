/**
 * Strict priority over a fixed pool of handler slots: lane 0 is the most urgent. Whenever a slot
 * is free, the next item is the oldest of the most urgent lane that has one, so under a backlog an
 * urgent item waits only for a slot to free, never for the less urgent items queued before it.
 * Plain and synchronous in its choices, so its order can be tested without NATS.
 */
export class PriorityDispatcher<T> {
  readonly #queues: Array<Array<{ item: T, since: number }>>
  readonly #slots: number
  readonly #run: (item: T, lane: number) => Promise<void>
  readonly #onTaken: (lane: number) => void
  readonly #inHand = new Set<Promise<void>>()
  #paused = false

  /**
   * @param run handles one item and settles its failures itself; a rejection only frees the slot
   * @param onTaken told whenever an item leaves a lane's queue, so its source may fetch more
   */
  constructor (lanes: number, slots: number, run: (item: T, lane: number) => Promise<void>, onTaken: (lane: number) => void = () => {}) {
    if (lanes < 1 || slots < 1) throw new RangeError('a dispatcher needs at least one lane and one slot')
    this.#queues = Array.from({ length: lanes }, () => [])
    this.#slots = slots
    this.#run = run
    this.#onTaken = onTaken
  }

  push (lane: number, item: T, now = Date.now()): void {
    const queue = this.#queues[lane]
    if (queue === undefined) throw new RangeError(`no lane ${lane}`)
    queue.push({ item, since: now })
    this.#dispatch()
  }

  /** How many items wait in a lane, not yet in a slot. */
  waiting (lane: number): number {
    return this.#queues[lane]?.length ?? 0
  }

  get inHand (): number {
    return this.#inHand.size
  }

  /** The items that have waited since before `before`, oldest first per lane, most urgent lane first. */
  waitingSince (before: number): T[] {
    return this.#queues.flatMap((q) => q.filter((w) => w.since < before).map((w) => w.item))
  }

  /** Stops handing out items and gives back those still waiting; those in hand go on. */
  close (): T[] {
    this.#paused = true
    return this.#queues.flatMap((q) => q.splice(0).map((w) => w.item))
  }

  /** Resolves when no item is in hand. */
  async idle (): Promise<void> {
    while (this.#inHand.size > 0) await Promise.allSettled([...this.#inHand])
  }

  #next (): { item: T, lane: number } | undefined {
    for (let lane = 0; lane < this.#queues.length; lane++) {
      const w = this.#queues[lane]!.shift()
      if (w !== undefined) return { item: w.item, lane }
    }
    return undefined
  }

  #dispatch (): void {
    while (!this.#paused && this.#inHand.size < this.#slots) {
      const next = this.#next()
      if (next === undefined) return
      const p: Promise<void> = this.#run(next.item, next.lane)
        .catch(() => {})
        .finally(() => {
          this.#inHand.delete(p)
          this.#dispatch()
        })
      this.#inHand.add(p)
      this.#onTaken(next.lane)
    }
  }
}
