// How many inbox rows a second this Postgres takes: one row per statement from several connections
// at once (many arrivals, each on its own), and many rows per statement in the unnest shape
// storeArrivals uses (a broadcast). Into a scratch copy of inbox.items, with its indexes, so each
// row costs its primary key, unique key, the list indexes and the full-text index, as there.
import { openDatabase } from '@lienthong/platform'
import { summary } from '../latency.ts'
import { closedLoop, warmUpSeconds } from './closed-loop.ts'
import { itemRows, withScratchItems, type ItemValues } from './scratch-items.ts'

export interface PostgresInsertSingleLimit { rows: number, concurrency: number, perSecond: number, p50Ms: number, p99Ms: number }
export interface PostgresInsertBatchedLimit { rows: number, batch: number, perSecond: number }

export async function measurePostgresInserts (databaseUrl: string, opts: { seconds: number, concurrency?: number, batch?: number, log?: (line: string) => void }): Promise<{ single: PostgresInsertSingleLimit, batched: PostgresInsertBatchedLimit }> {
  const concurrency = opts.concurrency ?? 16
  const batch = opts.batch ?? 500
  // the pool a service opens (openDatabase), as large as the callers, so none waits for a connection
  const { sql } = openDatabase(databaseUrl, {}, concurrency)
  try {
    // a commit waits for the disk or not: the figures mean different things, so they say which
    const [settings] = await sql`select current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit`
    opts.log?.(`  Postgres settings: fsync ${settings!.fsync}, synchronous_commit ${settings!.synchronous_commit}`)
    return await withScratchItems(sql, async (table) => {
      const next = itemRows()
      const target = sql(table)

      const insertOne = async (r: ItemValues): Promise<void> => {
        await sql`insert into ${target} (id, document_id, recipient, sender, subject, priority, fields, recipients, sent_at, state, envelope, signatures, envelope_digest, signatures_valid, signature_findings, search)
          values (${r.id}::uuid, ${r.documentId}, ${r.recipient}, ${r.sender}, ${r.subject}, ${r.priority}::integer, ${r.fields}::jsonb, ${r.recipients}::text[], ${r.sentAt}::timestamptz,
            '01', ${r.envelope}::jsonb, ${r.signatures}::jsonb, ${r.envelopeDigest}, ${r.signaturesValid}::boolean, ${r.signatureFindings}::jsonb, to_tsvector('simple', ${r.search}))`
      }
      const times: number[] = []
      const single = async (): Promise<void> => {
        const t0 = performance.now()
        await insertOne(next())
        times.push(performance.now() - t0)
      }
      await closedLoop(warmUpSeconds(opts.seconds), concurrency, single)
      times.length = 0
      const singleSeconds = await closedLoop(opts.seconds, concurrency, single)
      const latency = summary(times)

      // storeArrivals' statement: one array per column, cast in the statement, whatever the batch
      const insertMany = async (rows: ItemValues[]): Promise<void> => {
        const column = (f: (r: ItemValues) => string): string[] => rows.map(f)
        await sql`insert into ${target} (id, document_id, recipient, sender, subject, priority, fields, recipients, sent_at, state, envelope, signatures, envelope_digest, signatures_valid, signature_findings, search)
          select id::uuid, document_id, recipient, sender, subject, priority::integer, fields::jsonb, array(select jsonb_array_elements_text(recipients::jsonb)), sent_at::timestamptz,
            '01', envelope::jsonb, signatures::jsonb, envelope_digest, signatures_valid::boolean, signature_findings::jsonb, to_tsvector('simple', search)
          from unnest(${column((r) => r.id)}::text[], ${column((r) => r.documentId)}::text[], ${column((r) => r.recipient)}::text[], ${column((r) => r.sender)}::text[],
            ${column((r) => r.subject)}::text[], ${column((r) => r.priority)}::text[], ${column((r) => r.fields)}::text[], ${column((r) => JSON.stringify(r.recipients))}::text[],
            ${column((r) => r.sentAt)}::text[], ${column((r) => r.envelope)}::text[], ${column((r) => r.signatures)}::text[],
            ${column((r) => r.envelopeDigest)}::text[], ${column((r) => r.signaturesValid)}::text[], ${column((r) => r.signatureFindings)}::text[],
            ${column((r) => r.search)}::text[])
            as t(id, document_id, recipient, sender, subject, priority, fields, recipients, sent_at, envelope, signatures, envelope_digest, signatures_valid, signature_findings, search)
          on conflict do nothing`
      }
      let batchedRows = 0
      // one batch at a time, as one consumer's batcher writes them
      const batched = async (): Promise<void> => {
        await insertMany(Array.from({ length: batch }, next))
        batchedRows += batch
      }
      await closedLoop(warmUpSeconds(opts.seconds), 1, batched)
      batchedRows = 0
      const batchedSeconds = await closedLoop(opts.seconds, 1, batched)

      const [{ stored }] = await sql`select count(*)::int as stored from ${target}` as unknown as [{ stored: number }]
      if (stored < times.length + batchedRows) throw new Error(`${times.length + batchedRows} rows inserted and counted, but the table holds ${stored}`)
      return {
        single: { rows: times.length, concurrency, perSecond: times.length / singleSeconds, p50Ms: latency.p50, p99Ms: latency.p99 },
        batched: { rows: batchedRows, batch, perSecond: batchedRows / batchedSeconds }
      }
    })
  } finally {
    await sql.end({ timeout: 5 })
  }
}
