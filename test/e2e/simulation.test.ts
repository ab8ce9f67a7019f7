import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { repoRoot } from '@lienthong/infra'
import { LEVEL_NAMES, formatShare, laocai2023, planSimulation, plannedTable } from '@lienthong/cli'
import { startStack } from '../harness/stack.ts'
import { eventually } from '../harness/http.ts'

const run = promisify(execFile)

t.test('lienthong report shows, level by level, exactly what the simulation planned', async (t) => {
  const scenario = laocai2023()
  const plan = planSimulation(scenario, { files: 100, seed: 'e2e-report' })
  // The villages the plan uses are put in custody with the rest, so their steps are signed as everyone's.
  const used = new Set([...plan.sends.map((s) => s.sender), ...plan.files.map((f) => f.agency)])
  const custody = scenario.directory.filter((a) => a.level !== 'village' || used.has(a.code)).map((a) => a.code)
  const stack = await startStack(t, { custody })

  // The CLI as on a local stack: its stack file and operator credentials point at this one.
  const home = mkdtempSync(join(repoRoot, '.data', 'test', 'cli-'))
  t.teardown(() => { rmSync(home, { recursive: true, force: true }) })
  const urls = { registry: stack.registry.url, routing: stack.routing.url, inbox: stack.inbox.url, signatures: stack.signatures.url, audit: stack.audit.url }
  writeFileSync(join(home, 'stack.json'), JSON.stringify({ urls, pids: { up: 0, services: [] }, startedServers: false }))
  writeFileSync(join(home, 'operator.json'), JSON.stringify({ clientId: stack.registry.spec.env.OPERATOR_CLIENT_ID, clientSecret: stack.registry.spec.env.OPERATOR_CLIENT_SECRET }))
  const env = { ...process.env, LIENTHONG_HOME: home }

  const simulated = await run('pnpm', ['lienthong', 'simulate', '--scenario', 'laocai-2023', '--files', '100', '--seed', 'e2e-report', '--concurrency', '8'], { cwd: repoRoot, env })
  t.match(simulated.stderr, /done in [\d.]+ s: \d+ documents, 100 work files closed/)
  t.equal(simulated.stdout, plannedTable(plan), 'simulate prints what it planned')
  const report = async (...args: string[]): Promise<string> => (await run('pnpm', ['lienthong', 'report', ...args], { cwd: repoRoot, env })).stdout

  const planned = plan.levels.map((l) => `${l.level},${l.files},${l.online},${(l.share * 100).toFixed(2)},0,0`)
  // The audit service follows the events, so its figures catch up with the run within moments.
  const csv = await eventually(async () => {
    const text = await report('--csv')
    const rows = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    return rows.slice(1, 1 + planned.length).join('\n') === planned.join('\n') ? rows : undefined
  }, 90_000, 'the report to show the planned figures')
  t.equal(csv[0], 'level,closed,online,share_percent,open,overdue')
  t.same(csv.slice(1), planned, 'closed, online and share per level, exactly as planned; nothing left open')

  const table = await report()
  for (const level of plan.levels) {
    t.match(table, new RegExp(`${LEVEL_NAMES[level.level]}\\s+${level.files}\\s+${level.online}\\s+${formatShare(level.share).replace(' ', '\\s')}\\s+0\\s+0\\n`), `${level.level} in the table`)
  }
  const byAgency = (await report('--by', 'agency', '--csv')).trim().split(/\r?\n/)
  const head = byAgency.indexOf('code,name,level,parent,closed,online,share_percent,open,overdue')
  t.ok(head > 0, 'the agency rows follow the levels')
  const closedPerAgency = new Map(byAgency.slice(head + 1).map(csvCells).map((r) => [r[0], Number(r[4])]))
  const plannedPerAgency = new Map<string, number>()
  for (const f of plan.files) plannedPerAgency.set(f.agency, (plannedPerAgency.get(f.agency) ?? 0) + 1)
  t.same(Object.fromEntries(closedPerAgency), Object.fromEntries(plannedPerAgency), 'each agency closed the files it was given')
})

/** The cells of one CSV line (RFC 4180 quotes). */
function csvCells (line: string): string[] {
  const cells: string[] = []
  for (const m of line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)) cells.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!)
  return cells
}
