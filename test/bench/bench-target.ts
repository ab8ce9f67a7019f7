// What `lienthong bench` runs against: a stack of its own (every service as its own process, the
// Lào Cai directory, every agency in custody so villages sign their receipts too), or, with
// `--local`, the stack `npm start` left running.
import { EXCHANGE_SERVICE_NAMES, ensureServers, type ExchangeServiceName } from '@lienthong/infra'
import { agencyToken, requireStack } from '@lienthong/cli'
import { startStack } from '../harness/stack.ts'

export interface BenchTarget {
  routingUrl: string
  natsUrl: string
  databaseUrl: string
  pids: Record<ExchangeServiceName, number>
  tokenFor: (code: string) => Promise<string>
  close: () => Promise<void>
}

export async function ownStack (): Promise<BenchTarget> {
  const teardowns: Array<() => Promise<void> | void> = []
  try {
    // BENCH_SERVICE_NODE_OPTIONS (e.g. `--import test/bench/cpu-profile-preload.mjs`) reaches
    // every service, which is then stopped gently at the end so that what it writes on exit is written
    const nodeOptions = process.env.BENCH_SERVICE_NODE_OPTIONS
    const extra = nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }
    const stack = await startStack({ name: 'bench', teardown: (fn) => { teardowns.push(fn) } }, {
      custody: 'all', audit: true, env: Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((s) => [s, extra]))
    })
    if (nodeOptions !== undefined) teardowns.push(async () => { await Promise.all(EXCHANGE_SERVICE_NAMES.map(async (s) => { await stack[s].stop() })) })
    return {
      routingUrl: stack.routing.url,
      natsUrl: stack.nats.url,
      databaseUrl: stack.databaseUrl,
      pids: Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((name) => [name, stack[name].pid ?? 0])) as Record<ExchangeServiceName, number>,
      tokenFor: async (code) => await stack.tokenFor(code),
      close: async () => { for (const fn of teardowns.reverse()) await fn() }
    }
  } catch (err) {
    for (const fn of teardowns.reverse()) await fn()
    throw err
  }
}

/**
 * The running local stack. Its villages are not in custody (`npm start` enrols the agencies above
 * them), so their arrivals wait for a DMS to sign the 01: on it the bench measures the inbox row
 * for every document but the sender's 01 only for recipients above the villages.
 */
export async function localStack (): Promise<BenchTarget> {
  const stack = requireStack()
  const { databaseUrl, natsUrl } = await ensureServers('dev')
  return {
    routingUrl: stack.urls.routing,
    natsUrl,
    databaseUrl,
    pids: Object.fromEntries(EXCHANGE_SERVICE_NAMES.map((name, i) => [name, stack.pids.services[i] ?? 0])) as Record<ExchangeServiceName, number>,
    tokenFor: async (code) => await agencyToken(code),
    close: async () => {}
  }
}
