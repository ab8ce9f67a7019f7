import { connect, nanos, type NatsConnection } from '@nats-io/transport-node'
import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy, type JetStreamManager } from '@nats-io/jetstream'

export async function connectNats (url: string, name: string): Promise<NatsConnection> {
  return await connect({
    servers: url.split(','),
    name,
    // A lost connection is waited out, never given up on: publishes fail fast meanwhile and
    // callers answer 503, so nothing is acknowledged that was not stored.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    // Async stack traces cost an Error per request (every KV put and JetStream publish) for
    // nothing we read; measured at about 15% of registry's CPU during a national import.
    noAsyncTraces: true
  })
}

export interface StreamDefinition {
  name: string
  subjects: readonly string[]
}

/** How long JetStream remembers a message id, so a re-publish within it is dropped. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000

/** Creates the streams a service relies on, or brings their subjects up to date. */
export async function ensureStreams (nc: NatsConnection, streams: readonly StreamDefinition[]): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc)
  for (const s of streams) {
    const config = {
      name: s.name,
      subjects: [...s.subjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS)
    }
    try {
      await jsm.streams.info(s.name)
      await jsm.streams.update(s.name, { subjects: config.subjects, duplicate_window: config.duplicate_window })
    } catch (err) {
      if (!isNotFound(err)) throw err
      try {
        await jsm.streams.add(config)
      } catch (addErr) {
        // another instance created it between our look and our add
        if (!/already in use|exists/i.test(String(addErr))) throw addErr
      }
    }
  }
  return jsm
}

function isNotFound (err: unknown): boolean {
  return /not found/i.test(String((err as Error)?.message ?? err))
}
