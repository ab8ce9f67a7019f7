import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream'
import { STREAMS } from '@lienthong/contracts'
// by file: the platform's index brings in the whole service framework (see stack.ts)
import { ensureStreams } from '../../packages/platform/src/nats.ts'
import { freePort, repoRoot, startNats, stopNats } from '@lienthong/infra'

export interface TestNats {
  url: string
  /** stops the server, keeping its store, as an outage would */
  stop: () => Promise<void>
  /** starts it again on the same port and store */
  start: () => Promise<void>
  dispose: () => Promise<void>
}

/**
 * A real nats-server with JetStream of this test file's own, on a free port; or, when NATS_URL
 * names a server, that one with every stream and bucket removed (the files then run one by one).
 */
export async function createTestNats (): Promise<TestNats> {
  const given = process.env.NATS_URL
  if (given !== undefined && given !== '') {
    const nc = await connect({ servers: given })
    const jsm = await jetstreamManager(nc)
    for await (const s of jsm.streams.list()) await jsm.streams.delete(s.config.name)
    await nc.close()
    const unsupported = async (): Promise<void> => { throw new Error('cannot stop a server named by NATS_URL') }
    return { url: given, stop: unsupported, start: unsupported, dispose: async () => {} }
  }
  const dir = join(repoRoot, '.data', 'test', `nats-${process.pid}-${randomBytes(4).toString('hex')}`)
  const storeDir = join(dir, 'store')
  const port = await freePort()
  const { url } = await startNats({ storeDir, port })
  return {
    url,
    stop: async () => { await stopNats({ storeDir }) },
    start: async () => { await startNats({ storeDir, port }) },
    dispose: async () => {
      await stopNats({ storeDir })
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * A nats-server of the test's own with the EVENTS stream, and a connection to it: what the tests
 * of an event outbox or of a consumer of events start from. Both are closed at the test's end.
 */
export async function eventsNats (t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ nats: TestNats, nc: NatsConnection, js: JetStreamClient }> {
  const nats = await createTestNats()
  t.teardown(async () => { await nats.dispose() })
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 })
  t.teardown(async () => { await nc.close() })
  await ensureStreams(nc, [STREAMS.events])
  return { nats, nc, js: jetstream(nc) }
}
