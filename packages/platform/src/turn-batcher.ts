/**
 * Gathers the calls made in one turn of the event loop (up to `max`) into one call of `run`, as
 * CustodySigner does for signing: many handlers each awaiting one database write become one
 * statement. When a batch fails, each of its calls is tried alone, so one bad input fails only
 * its own caller and the others go on.
 */
export class TurnBatcher<I, O> {
  readonly #run: (inputs: I[]) => Promise<O[]>
  readonly #max: number
  #queue: Array<{ input: I, resolve: (o: O) => void, reject: (err: unknown) => void }> = []
  #scheduled = false

  constructor (run: (inputs: I[]) => Promise<O[]>, max = 256) {
    this.#run = run
    this.#max = max
  }

  async call (input: I): Promise<O> {
    return await new Promise<O>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => { this.#flush() })
      }
    })
  }

  #flush (): void {
    this.#scheduled = false
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#max)
      this.#run(batch.map((b) => b.input)).then(
        (outputs) => { batch.forEach((b, i) => { b.resolve(outputs[i]!) }) },
        (err: unknown) => {
          if (batch.length === 1) { batch[0]!.reject(err); return }
          for (const b of batch) this.#run([b.input]).then((o) => { b.resolve(o[0]!) }, b.reject)
        })
    }
  }
}
