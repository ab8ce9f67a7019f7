// The rollups and the report against a full recount from the ledger, written independently of the
// service's folding: for random workloads, random batch sizes and random periods, exactly equal.
import t from 'tap'
import { appendToLedger } from '../../src/domain/ledger-append.ts'
import { onlineShareReport } from '../../src/domain/online-share-report.ts'
import { auditDatabase } from '../fixtures/db.ts'
import { AGENCIES, directory, prng, randomWorkload } from '../fixtures/workload.ts'

const sql = await auditDatabase(t)
const SEED = Number(process.env.AUDIT_TEST_SEED ?? Date.now() % 1_000_000)
t.comment(`seed ${SEED} (AUDIT_TEST_SEED=${SEED} replays this run)`)
const random = prng(SEED)

interface Recounted { agency: string, level: string, completedDay: string, online: boolean }

/** Straight from the definition (DESIGN.md, "The measure"), over every ledger entry. */
async function recount (): Promise<Recounted[]> {
  const rows = (await sql<Array<{ body: string }>>`select body from audit.ledger order by seq`).map((r) => ({ event: JSON.parse(r.body) as Record<string, any> }))
  interface File { agency: string, exchange: boolean, signaturesValid: boolean | null, paper: boolean, completed?: { at: string, level: string } }
  const files = new Map<string, File>()
  for (const { event: e } of rows) {
    if (typeof e.workFileId !== 'string') continue
    const f: File = files.get(e.workFileId) ?? { agency: e.agency, exchange: false, signaturesValid: null, paper: false }
    files.set(e.workFileId, f)
    if (e.type === 'item.arrived') { f.exchange = true; f.signaturesValid = e.signaturesValid }
    if (e.type === 'work-file.opened' && e.channel === 'paper') f.paper = true
    if (e.type === 'work-file.step') {
      if (e.origin === 'exchange') f.exchange = true
      if (e.channel === 'paper' || e.paper === true) f.paper = true
      if (e.code === '06' && (f.completed === undefined || e.at < f.completed.at)) f.completed = { at: e.at, level: e.level }
    }
  }
  const out: Recounted[] = []
  for (const f of files.values()) {
    if (f.completed === undefined) continue
    const day = new Date(Date.parse(f.completed.at) + 7 * 3_600_000).toISOString().slice(0, 10)
    out.push({ agency: f.agency, level: f.completed.level, completedDay: day, online: f.exchange && f.signaturesValid === true && !f.paper })
  }
  return out
}

function expected (files: Recounted[], from: string, to: string, under: string | null): Map<string, { closed: number, online: number }> {
  const prefix = under === null ? '' : under.split('.').reverse().join('.').replace(/(\.0+)+$/, '') + '.'
  const byLevel = new Map<string, { closed: number, online: number }>()
  for (const f of files) {
    if (f.completedDay < from || f.completedDay > to || !f.agency.split('.').reverse().join('.').startsWith(prefix)) continue
    const l = byLevel.get(f.level) ?? { closed: 0, online: 0 }
    l.closed += 1
    if (f.online) l.online += 1
    byLevel.set(f.level, l)
  }
  return byLevel
}

const start = new Date('2023-01-20T00:00:00Z')
const day = (offset: number): string => new Date(start.getTime() + offset * 86_400_000).toISOString().slice(0, 10)

t.test('after each of several random workloads, in random batches, the report equals the recount for random periods and subtrees', async (t) => {
  for (let round = 0; round < 4; round++) {
    const events = randomWorkload(random, 400, start, 120)
    for (let i = 0; i < events.length;) {
      const size = 1 + Math.floor(random() * 300)
      await appendToLedger(sql, events.slice(i, i + size))
      i += size
    }
    const files = await recount()
    const periods: Array<[string, string]> = [['2023-01-01', '2023-12-31'], ['2023-02-01', '2023-03-31'], ['2023-02-15', '2023-02-15']]
    for (let p = 0; p < 3; p++) {
      const a = Math.floor(random() * 130)
      periods.push([day(a), day(a + Math.floor(random() * 60))])
    }
    for (const [from, to] of periods) {
      for (const under of [null, '000.00.00.H38', '000.00.31.H38', '000.05.31.H38', '000.00.32.H38']) {
        const report = await onlineShareReport(sql, directory, { from, to, under, by: 'agency' })
        const want = expected(files, from, to, under)
        const got = new Map(report.levels.filter((l) => l.closed > 0).map((l) => [l.level, { closed: l.closed, online: l.online }]))
        t.same(Object.fromEntries(got), Object.fromEntries(want), `round ${round}, ${from}…${to}, under ${under ?? 'all'}`)
        const agencySum = report.agencies!.reduce((s, a) => s + a.closed, 0)
        t.equal(agencySum, [...want.values()].reduce((s, l) => s + l.closed, 0), 'the agency rows add up to the levels')
      }
    }
  }
})

t.test('months: each month of a period adds up to the period, and equals the recount of its days', async (t) => {
  const files = await recount()
  const report = await onlineShareReport(sql, directory, { from: '2023-01-10', to: '2023-05-20', under: null, by: 'month' })
  t.same(report.months!.map((m) => m.month), ['2023-01', '2023-02', '2023-03', '2023-04', '2023-05'])
  const bounds: Record<string, [string, string]> = { '2023-01': ['2023-01-10', '2023-01-31'], '2023-02': ['2023-02-01', '2023-02-28'], '2023-03': ['2023-03-01', '2023-03-31'], '2023-04': ['2023-04-01', '2023-04-30'], '2023-05': ['2023-05-01', '2023-05-20'] }
  for (const m of report.months!) {
    const want = expected(files, ...bounds[m.month]!, null)
    t.same(Object.fromEntries(m.levels.filter((l) => l.closed > 0).map((l) => [l.level, { closed: l.closed, online: l.online }])), Object.fromEntries(want), m.month)
  }
  for (const level of report.levels) {
    t.equal(report.months!.reduce((s, m) => s + (m.levels.find((l) => l.level === level.level)?.closed ?? 0), 0), level.closed, `${level.level}: months add up`)
  }
})

t.test('open and overdue at the end of a period: opened before it ends, not closed by then', async (t) => {
  const rows = (await sql<Array<{ body: string }>>`select body from audit.ledger order by seq`).map((r) => ({ event: JSON.parse(r.body) as Record<string, any> }))
  const at = new Date('2023-03-01T00:00:00+07:00')
  const files = new Map<string, { level: string, opened: string, closed: string | null, due: string | null, dueSetAt: string | null }>()
  for (const { event: e } of rows) {
    if (typeof e.workFileId !== 'string') continue
    const f = files.get(e.workFileId) ?? { level: e.level, opened: e.at, closed: null, due: null, dueSetAt: null }
    files.set(e.workFileId, f)
    if (e.type === 'item.arrived' || e.type === 'work-file.opened') f.opened = e.at
    if (e.type === 'work-file.step' && e.closed && (f.closed === null || e.closedAt < f.closed)) f.closed = e.closedAt
    if ('dueAt' in e && (f.dueSetAt === null || e.at >= f.dueSetAt)) { f.due = e.dueAt; f.dueSetAt = e.at }
  }
  let open = 0
  let overdue = 0
  for (const f of files.values()) {
    if (Date.parse(f.opened) < at.getTime() && (f.closed === null || Date.parse(f.closed) >= at.getTime())) {
      open += 1
      if (f.due !== null && Date.parse(f.due) < at.getTime()) overdue += 1
    }
  }
  const report = await onlineShareReport(sql, directory, { from: '2023-01-01', to: '2023-02-28', under: null, by: 'level' })
  t.equal(report.openAt, at.toISOString())
  t.equal(report.levels.reduce((s, l) => s + l.open, 0), open, 'open')
  t.equal(report.levels.reduce((s, l) => s + l.overdue, 0), overdue, 'overdue')
  t.ok(open > 0 && overdue > 0, 'the workload has both')
})

t.test('levels are listed in the tiers\u2019 order, every level of the subtree even with nothing closed', async (t) => {
  const report = await onlineShareReport(sql, directory, { from: '2030-01-01', to: '2030-01-31', under: '000.00.31.H38', by: 'level' })
  t.same(report.levels.map((l) => l.level), ['district', 'commune', 'village'])
  t.same(report.levels[0], { level: 'district', closed: 0, online: 0, share: null, open: report.levels[0]!.open, overdue: report.levels[0]!.overdue })
  t.equal(AGENCIES.length, 7)
})
