// A copy of the inbox's items table (its columns, defaults and every index) in a schema of its own,
// and rows for it with the values an arrival stores: what the Postgres limits are measured on,
// without touching the inbox's own rows. The schema is dropped afterwards, whatever happened.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Sql } from 'postgres'
import { canonicalJsonBytes } from '@lienthong/crypto'
import { searchableText } from '../../../services/inbox/src/domain/subject-search.ts'
import { sampleDeliveries } from './sample-delivery.ts'

/** An inbox row as storeArrivals writes it, every column as text or a text array, before any cast. */
export interface ItemValues {
  id: string
  documentId: string
  recipient: string
  sender: string
  subject: string
  priority: string
  fields: string
  recipients: string[]
  sentAt: string
  envelope: string
  signatures: string
  envelopeDigest: string
  signaturesValid: string
  signatureFindings: string
  search: string
}

/**
 * Runs `measure` with the name of a table made `like inbox.items`, then drops its schema. The
 * database must hold the inbox's schema (a stack's does): the copy is of the tables as migrated.
 */
export async function withScratchItems<T> (sql: Sql, measure: (table: string) => Promise<T>): Promise<T> {
  const [found] = await sql`select to_regclass('inbox.items') is not null as present`
  if (found?.present !== true) throw new Error('this database has no inbox.items table: the Postgres limits are measured on a copy of it, so the inbox migrations must have run there (a stack\'s database has them)')
  const schema = `bench_limits_${randomBytes(4).toString('hex')}`
  try {
    await sql.unsafe(`create schema ${schema}`)
    await sql.unsafe(`create table ${schema}.items (like inbox.items including defaults including indexes)`)
    return await measure(`${schema}.items`)
  } finally {
    await sql.unsafe(`drop schema if exists ${schema} cascade`)
  }
}

/** Sortable by arrival like the inbox's uuidv7 ids, so the primary key grows at its end as there. */
function arrivalId (): string {
  const ms = Date.now().toString(16).padStart(12, '0')
  const random = randomUUID()
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15, 18)}-${random.slice(19)}`
}

/**
 * An endless supply of distinct rows: the values of a thousand real deliveries worked out once
 * (JSON, digest, search words), then each row with a new id and document number, so the unique
 * (document, recipient) key never stops an insert.
 */
export function itemRows (): () => ItemValues {
  const samples = sampleDeliveries(1_000).map(({ message }) => {
    const fields = message.envelope.document
    return {
      recipient: message.recipient,
      sender: message.envelope.sender,
      subject: fields.subject,
      priority: String(fields.priority),
      fields: JSON.stringify(fields),
      recipients: message.recipients,
      sentAt: message.sentAt,
      envelope: JSON.stringify(message.envelope),
      signatures: JSON.stringify(message.signatures),
      envelopeDigest: createHash('sha256').update(canonicalJsonBytes(message.envelope)).digest('hex'),
      signaturesValid: 'true',
      signatureFindings: JSON.stringify((['signer', 'agency'] as const).map((role) => ({ role, agency: message.envelope.sender, kid: `${role}-000-00-00-H38`, alg: 'EdDSA', valid: true, certificate: 'trusted' }))),
      search: searchableText(fields.subject)
    }
  })
  let n = 0
  return () => {
    const sample = samples[n % samples.length]!
    n++
    return { ...sample, id: arrivalId(), documentId: `${sample.sender},2026/11/26,${n}/UBND-VP` }
  }
}
