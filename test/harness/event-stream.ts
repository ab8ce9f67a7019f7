/** One server-sent event as a client receives it. */
export interface ReceivedEvent { id: string, event: string, data: any }

export interface EventStream {
  status: number
  received: ReceivedEvent[]
  /** the first event received (or still to come) that matches, within `timeoutMs` */
  next: (match: (e: ReceivedEvent) => boolean, timeoutMs?: number, what?: string) => Promise<ReceivedEvent>
  close: () => void
}

/**
 * A text/event-stream client, as a DMS would run one: fetch with the token, the body read as it
 * comes and cut into events at blank lines (WHATWG HTML's format, enough of it for these tests).
 */
export async function openEventStream (url: string, token: string, lastEventId?: string): Promise<EventStream> {
  const abort = new AbortController()
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' }
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId
  const res = await fetch(url, { headers, signal: abort.signal })
  const received: ReceivedEvent[] = []
  const waiters = new Set<() => void>()
  if (res.ok && res.body !== null) {
    void (async () => {
      const decoder = new TextDecoder()
      let buffer = ''
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true })
          let cut: number
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut)
            buffer = buffer.slice(cut + 2)
            const fields = { id: '', event: 'message', data: [] as string[] }
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue
              const [name, ...rest] = line.split(':')
              const value = rest.join(':').replace(/^ /, '')
              if (name === 'id') fields.id = value
              else if (name === 'event') fields.event = value
              else if (name === 'data') fields.data.push(value)
            }
            if (fields.data.length === 0) continue
            received.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data.join('\n')) })
            for (const wake of waiters) wake()
          }
        }
      } catch {
        // aborted by close()
      }
    })()
  }
  const next = async (match: (e: ReceivedEvent) => boolean, timeoutMs = 15_000, what = 'event'): Promise<ReceivedEvent> => {
    return await new Promise((resolve, reject) => {
      const look = (): boolean => {
        const found = received.find(match)
        if (found === undefined) return false
        waiters.delete(wake)
        clearTimeout(timer)
        resolve(found)
        return true
      }
      const wake = (): void => { look() }
      const timer = setTimeout(() => { waiters.delete(wake); reject(new Error(`no ${what} within ${timeoutMs} ms; received ${received.map((e) => e.event).join(', ') || 'nothing'}`)) }, timeoutMs)
      waiters.add(wake)
      look()
    })
  }
  return { status: res.status, received, next, close: () => { abort.abort() } }
}
