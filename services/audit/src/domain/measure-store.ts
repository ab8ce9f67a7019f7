import type { TransactionSql } from 'postgres'
import { RollupDeltas, type RollupDelta } from './rollup-delta.ts'
import { contributionOf, emptyFacts, foldEvent, measureEvent, type WorkFileFacts } from './work-file-measure.ts'

/**
 * Folds the work-file events of a batch into `audit.work_files` and moves the rollups by exactly
 * what the files' contributions changed, in the caller's transaction.
 */
export async function applyMeasure (tx: TransactionSql, events: readonly unknown[]): Promise<void> {
  const measured = events.map(measureEvent).filter((e) => e !== undefined)
  if (measured.length === 0) return
  const ids = [...new Set(measured.map((e) => e.workFileId))]
  const before = new Map((await tx<WorkFileRowText[]>`
    select id, agency, path, level, origin, signatures_valid, paper, state,
           to_json(opened_at) #>> '{}' as opened_at, to_json(due_at) #>> '{}' as due_at, to_json(due_set_at) #>> '{}' as due_set_at,
           to_json(closed_at) #>> '{}' as closed_at, to_json(completed_at) #>> '{}' as completed_at, completed_level
    from audit.work_files where id = any(${ids}::uuid[]) for update`).map((r) => [r.id, factsOfRow(r)]))
  const after = new Map(before)
  for (const e of measured) after.set(e.workFileId, foldEvent(after.get(e.workFileId) ?? emptyFacts(e.workFileId, e.agency), e))
  const deltas = new RollupDeltas()
  for (const [id, facts] of after) {
    const old = before.get(id)
    deltas.change(old === undefined ? undefined : contributionOf(old), contributionOf(facts))
  }
  await saveFacts(tx, [...after.values()])
  await saveRollups(tx, deltas.rows())
}

interface WorkFileRowText {
  id: string
  agency: string
  path: string
  level: string | null
  origin: 'exchange' | 'dms' | null
  signatures_valid: boolean | null
  paper: boolean
  state: string | null
  opened_at: string | null
  due_at: string | null
  due_set_at: string | null
  closed_at: string | null
  completed_at: string | null
  completed_level: string | null
}

function factsOfRow (r: WorkFileRowText): WorkFileFacts {
  return {
    id: r.id, agency: r.agency, path: r.path, level: r.level, origin: r.origin, signaturesValid: r.signatures_valid, paper: r.paper,
    state: r.state, openedAt: r.opened_at, dueAt: r.due_at, dueSetAt: r.due_set_at, closedAt: r.closed_at,
    completedAt: r.completed_at, completedLevel: r.completed_level
  }
}

async function saveFacts (tx: TransactionSql, files: WorkFileFacts[]): Promise<void> {
  // Every column goes as text[] and is cast in SQL: postgres.js infers array types from values and
  // gets boolean and timestamp arrays with nulls wrong.
  const col = (k: keyof WorkFileFacts): Array<string | null> => files.map((f) => f[k] === null ? null : String(f[k]))
  await tx`
    insert into audit.work_files (id, agency, path, level, origin, signatures_valid, paper, state, opened_at, due_at, due_set_at, closed_at, completed_at, completed_level)
    select id::uuid, agency, path, level, origin, signatures_valid::boolean, paper::boolean, state, opened_at::timestamptz, due_at::timestamptz,
           due_set_at::timestamptz, closed_at::timestamptz, completed_at::timestamptz, completed_level
    from unnest(${col('id')}::text[], ${col('agency')}::text[], ${col('path')}::text[], ${col('level')}::text[], ${col('origin')}::text[],
      ${col('signaturesValid')}::text[], ${col('paper')}::text[], ${col('state')}::text[], ${col('openedAt')}::text[], ${col('dueAt')}::text[],
      ${col('dueSetAt')}::text[], ${col('closedAt')}::text[], ${col('completedAt')}::text[], ${col('completedLevel')}::text[])
      as u(id, agency, path, level, origin, signatures_valid, paper, state, opened_at, due_at, due_set_at, closed_at, completed_at, completed_level)
    on conflict (id) do update set
      level = excluded.level, origin = excluded.origin, signatures_valid = excluded.signatures_valid, paper = excluded.paper,
      state = excluded.state, opened_at = excluded.opened_at, due_at = excluded.due_at, due_set_at = excluded.due_set_at,
      closed_at = excluded.closed_at, completed_at = excluded.completed_at, completed_level = excluded.completed_level`
}

async function saveRollups (tx: TransactionSql, rows: RollupDelta[]): Promise<void> {
  if (rows.length === 0) return
  // One statement may touch a row once: the month rows are summed here first.
  const months = new Map<string, RollupDelta>()
  for (const r of rows) {
    const month = `${r.day.slice(0, 7)}-01`
    const key = `${month}|${r.level}|${r.agency}`
    const m = months.get(key) ?? { ...r, day: month, closed: 0, online: 0 }
    m.closed += r.closed
    m.online += r.online
    months.set(key, m)
  }
  for (const [table, period, list] of [['daily_rollups', 'day', rows], ['monthly_rollups', 'month', [...months.values()]]] as const) {
    await tx`
      insert into ${tx(`audit.${table}`)} (${tx(period)}, level, agency, path, closed, online)
      select p::date, level, agency, path, closed::int, online::int
      from unnest(${list.map((r) => r.day)}::text[], ${list.map((r) => r.level)}::text[], ${list.map((r) => r.agency)}::text[],
        ${list.map((r) => r.path)}::text[], ${list.map((r) => String(r.closed))}::text[], ${list.map((r) => String(r.online))}::text[]) as u(p, level, agency, path, closed, online)
      on conflict (${tx(period)}, level, agency) do update set
        closed = ${tx(table)}.closed + excluded.closed, online = ${tx(table)}.online + excluded.online`
  }
}
