// What one document costs the two servers, counted rather than guessed: messages JetStream took
// (every stream's last sequence) and PostgreSQL's committed transactions and rows written for the
// stack's database. Divided by the documents of a load, they say how many of each limit's
// operations a document needs, and so what each limit allows end to end.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import postgres from 'postgres'

export interface ServerCounters { jetstreamMessages: number, transactions: number, rowsWritten: number }

export class ExchangeCounters {
  readonly #sql: postgres.Sql
  readonly #natsUrl: string

  constructor (databaseUrl: string, natsUrl: string) {
    this.#sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
    this.#natsUrl = natsUrl
  }

  async read (): Promise<ServerCounters> {
    const nc = await connect({ servers: this.#natsUrl, name: 'bench-counters' })
    try {
      const jsm = await jetstreamManager(nc)
      let jetstreamMessages = 0
      for await (const info of jsm.streams.list()) jetstreamMessages += info.state.last_seq
      // statistics reach the view when each backend reports them, within a second of its work
      const [row] = await this.#sql<[{ xact_commit: string, written: string }]>`
        select xact_commit, tup_inserted + tup_updated + tup_deleted as written from pg_stat_database where datname = current_database()`
      return { jetstreamMessages, transactions: Number(row.xact_commit), rowsWritten: Number(row.written) }
    } finally {
      await nc.close()
    }
  }

  async close (): Promise<void> {
    await this.#sql.end({ timeout: 1 })
  }
}

export function perDocument (before: ServerCounters, after: ServerCounters, documents: number): ServerCounters {
  return {
    jetstreamMessages: (after.jetstreamMessages - before.jetstreamMessages) / documents,
    transactions: (after.transactions - before.transactions) / documents,
    rowsWritten: (after.rowsWritten - before.rowsWritten) / documents
  }
}
