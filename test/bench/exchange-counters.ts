// What one document costs the two servers, counted rather than guessed: messages JetStream took
// (every stream's last sequence) and PostgreSQL's committed transactions and rows written for the
// stack's database. Divided by the documents of a load, they say how many of each limit's
// operations a document needs, and so what each limit allows end to end.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import postgres from 'postgres'

export interface ServerCounters { jetstreamMessages: number, transactions: number, rowsWritten: number }

export class ExchangeCounters {
  readonly #sql: postgres.Sql
  readonly #nc: NatsConnection
  readonly #jsm: JetStreamManager

  private constructor (sql: postgres.Sql, nc: NatsConnection, jsm: JetStreamManager) {
    this.#sql = sql
    this.#nc = nc
    this.#jsm = jsm
  }

  static async open (databaseUrl: string, natsUrl: string): Promise<ExchangeCounters> {
    const nc = await connect({ servers: natsUrl, name: 'bench-counters' })
    return new ExchangeCounters(postgres(databaseUrl, { max: 1, onnotice: () => {} }), nc, await jetstreamManager(nc))
  }

  async read (): Promise<ServerCounters> {
    let jetstreamMessages = 0
    for await (const info of this.#jsm.streams.list()) jetstreamMessages += info.state.last_seq
    // statistics reach the view when each backend reports them, within a second of its work
    const [row] = await this.#sql<[{ xact_commit: string, written: string }]>`
      select xact_commit, tup_inserted + tup_updated + tup_deleted as written from pg_stat_database where datname = current_database()`
    return { jetstreamMessages, transactions: Number(row.xact_commit), rowsWritten: Number(row.written) }
  }

  async close (): Promise<void> {
    await this.#nc.close()
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
