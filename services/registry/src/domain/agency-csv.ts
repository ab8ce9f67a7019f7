import { parse } from 'csv-parse/sync'
import type { ImportRow, RowProblem } from './agency-import.ts'

export const CSV_COLUMNS = ['code', 'name', 'level', 'kind'] as const

/**
 * Rows of a CSV import (header `code,name,level,kind`), each with its line in the file so that
 * problems point at it. A file that is not CSV at all is one problem on its first bad line.
 */
export function csvRows (text: string): { rows: ImportRow[], problems: RowProblem[] } {
  let records: Array<{ record: Record<string, string>, info: { lines: number } }>
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { columns: true, info: true, skip_empty_lines: true, trim: true, relax_column_count: false })
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1
    return { rows: [], problems: [{ line, message: `not valid CSV: ${(err as Error).message}` }] }
  }
  const header = Object.keys(records[0]?.record ?? {})
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c))
  if (records.length > 0 && missing.length > 0) {
    return { rows: [], problems: [{ line: 1, message: `the header lacks ${missing.join(', ')} (expected ${CSV_COLUMNS.join(',')})` }] }
  }
  return {
    rows: records.map(({ record, info }) => ({ line: info.lines, value: { code: record.code, name: record.name, level: record.level, kind: record.kind } })),
    problems: []
  }
}
