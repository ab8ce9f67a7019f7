// The simulation on one stack: the runner's files end as planned in the inbox, `lienthong report`
// shows exactly the planned figures, and `lienthong simulate` run again adds its own on top.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { repoRoot } from '@lienthong/infra'
import { LEVEL_NAMES, formatShare, laocai2023, planSimulation, plannedTable, runSimulation, type SimulationPlan } from '@lienthong/cli'
import { startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { lienthong } from '../harness/cli.ts'

const scenario = laocai2023()
const first = planSimulation(scenario, { files: 36, seed: 'runner' })
const second = planSimulation(scenario, { files: 24, seed: 'e2e-report' })
// The villages the plans use are put in custody with the rest, so their steps are signed as everyone's.
const used = new Set([...first.sends, ...second.sends].map((s) => s.sender).concat([...first.files, ...second.files].map((f) => f.agency)))
const stack = await startStack(t, { custody: scenario.directory.filter((a) => a.level !== 'village' || used.has(a.code)).map((a) => a.code), audit: true })

// The CLI as on a local stack: its stack file and operator credentials point at this one.
const home = mkdtempSync(join(repoRoot, '.data', 'test', 'cli-'))
t.teardown(() => { rmSync(home, { recursive: true, force: true }) })
const urls = { registry: stack.registry.url, routing: stack.routing.url, inbox: stack.inbox.url, signatures: stack.signatures.url, audit: stack.audit.url }
writeFileSync(join(home, 'stack.json'), JSON.stringify({ urls, pids: { up: 0, services: [] }, startedServers: false }))
writeFileSync(join(home, 'operator.json'), JSON.stringify({ clientId: stack.registry.spec.env.OPERATOR_CLIENT_ID, clientSecret: stack.registry.spec.env.OPERATOR_CLIENT_SECRET }))
const env = { ...process.env, LIENTHONG_HOME: home }
const report = async (...args: string[]): Promise<string> => (await lienthong(['report', ...args], env)).stdout

/** What the report's CSV must say per level after these plans: closed, online, share; nothing open. */
function plannedCsv (plans: SimulationPlan[]): string[] {
  return first.levels.map((l) => {
    const files = plans.reduce((n, p) => n + p.levels.find((x) => x.level === l.level)!.files, 0)
    const online = plans.reduce((n, p) => n + p.levels.find((x) => x.level === l.level)!.online, 0)
    return `${l.level},${files},${online},${files === 0 ? '' : (online / files * 100).toFixed(2)},0,0`
  })
}

async function reportShows (plans: SimulationPlan[]): Promise<string[]> {
  const planned = plannedCsv(plans)
  // The audit service follows the events, so its figures catch up with a run within moments.
  return await eventually(async () => {
    const rows = (await report('--csv')).replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    return rows.slice(1, 1 + planned.length).join('\n') === planned.join('\n') ? rows : undefined
  }, 90_000, 'the report to show the planned figures')
}

t.test('simulate: every work file ends closed, on the channels planned, as the inbox shows it', async (t) => {
  const lines: string[] = []
  const result = await runSimulation(first, { routingUrl: stack.routing.url, inboxUrl: stack.inbox.url, token: async (code) => await stack.tokenFor(code) }, {
    concurrency: 8, progress: (line) => { lines.push(line) }
  })
  t.equal(result.workFiles.size, 36, 'a work file for every planned file')
  t.equal(result.documents, first.sends.length)
  t.equal(result.steps, first.files.reduce((n, f) => n + f.steps.length, 0), 'every planned step recorded')
  t.match(lines.join('\n'), /tokens: \d+\/\d+[\s\S]*sending: \d+\/\d+[\s\S]*accepting: \d+\/\d+[\s\S]*working: \d+\/\d+/, 'progress for each phase')
  const online = new Map<string, number>()
  for (const file of first.files) {
    const wf = (await request('GET', `${stack.inbox.url}/v1/work-files/${result.workFiles.get(file.key)!}`, { token: await stack.tokenFor(file.agency) })).body
    const expected = [...(file.origin === 'dms' ? [{ code: '03', channel: file.openChannel }] : []), ...file.steps]
    const recorded = wf.steps.filter((s: { code: string }) => ['03', '04', '05', '06'].includes(s.code)).map((s: { code: string, channel: string }) => ({ code: s.code, channel: s.channel }))
    t.same(recorded, expected, `${file.key} (${file.origin}, ${file.level}) steps as planned`)
    t.match(wf, { state: '06', origin: file.origin, paper: expected.some((s) => s.channel === 'paper') })
    if (wf.origin === 'exchange' && !wf.paper) online.set(file.level, (online.get(file.level) ?? 0) + 1)
  }
  for (const level of first.levels) t.equal(online.get(level.level) ?? 0, level.online, `${level.level}: ${level.online} of ${level.files} fully online, as planned`)
})

t.test('lienthong report shows, level by level, exactly what was planned', async (t) => {
  const csv = await reportShows([first])
  t.equal(csv[0], 'level,closed,online,share_percent,open,overdue')
  const table = await report()
  for (const level of first.levels) {
    t.match(table, new RegExp(`${LEVEL_NAMES[level.level]}\\s+${level.files}\\s+${level.online}\\s+${formatShare(level.share).replace(' ', '\\s')}\\s+0\\s+0\\n`), `${level.level} in the table`)
  }
})

t.test('lienthong simulate adds a run of its own, and the report adds it up, agency by agency', async (t) => {
  const simulated = await lienthong(['simulate', '--scenario', 'laocai-2023', '--files', '24', '--seed', 'e2e-report', '--concurrency', '8'], env)
  t.match(simulated.stderr, /done in [\d.]+ s: \d+ documents, 24 work files closed/)
  t.equal(simulated.stdout, plannedTable(second), 'simulate prints what it planned')
  const csv = await reportShows([first, second])
  t.ok(csv.length > 1)
  const byAgency = (await report('--by', 'agency', '--csv')).trim().split(/\r?\n/)
  const head = byAgency.indexOf('code,name,level,parent,closed,online,share_percent,open,overdue')
  t.ok(head > 0, 'the agency rows follow the levels')
  const closedPerAgency = new Map(byAgency.slice(head + 1).map(csvCells).map((r) => [r[0], Number(r[4])]))
  const plannedPerAgency = new Map<string, number>()
  for (const f of [...first.files, ...second.files]) plannedPerAgency.set(f.agency, (plannedPerAgency.get(f.agency) ?? 0) + 1)
  t.same(Object.fromEntries(closedPerAgency), Object.fromEntries(plannedPerAgency), 'each agency closed the files it was given')
})

/** The cells of one CSV line (RFC 4180 quotes). */
function csvCells (line: string): string[] {
  const cells: string[] = []
  for (const m of line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)) cells.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!)
  return cells
}
