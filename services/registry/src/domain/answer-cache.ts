/**
 * Serialised answers of directory reads, dropped whole whenever the directory changes. The
 * directory is read far more than written, and on a slow core turning a district's 190 rows into
 * JSON costs milliseconds each time. Every registry copy drops its cache on every change it sees
 * in the directory bucket, and the copy that wrote also drops it at once, before answering.
 */
export class AnswerCache {
  readonly #answers = new Map<string, string>()
  readonly #max: number

  constructor (max = 1_000) {
    this.#max = max
  }

  async get (key: string, make: () => Promise<unknown>): Promise<string> {
    const hit = this.#answers.get(key)
    if (hit !== undefined) return hit
    const generation = this.#generation
    const answer = JSON.stringify(await make())
    // A change that came in while the answer was being made would be hidden by caching it.
    if (generation === this.#generation) {
      if (this.#answers.size >= this.#max) this.#answers.delete(this.#answers.keys().next().value!)
      this.#answers.set(key, answer)
    }
    return answer
  }

  #generation = 0

  clear (): void {
    this.#generation++
    this.#answers.clear()
  }
}
