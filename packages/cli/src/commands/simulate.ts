import { parseArgs } from 'node:util'
import { requireStack } from '../local-stack.ts'
import { planSimulation, type SimulationPlan } from '../simulation/plan.ts'
import { runSimulation } from '../simulation/run-simulation.ts'
import { SCENARIOS } from '../simulation/scenarios.ts'
import { agencyToken } from './token.ts'

const USAGE = `usage: lienthong simulate --scenario <${Object.keys(SCENARIOS).join('|')}> [--files N] [--seed S] [--concurrency C] [--year YYYY]`

/**
 * Plays a scenario on the local stack through the public APIs and prints what the report must
 * then show for the run. The steps happen now, so the run counts in a report whose period takes
 * in today, whatever `--year` the documents are dated in.
 */
export async function simulateCommand (args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { scenario: { type: 'string' }, files: { type: 'string' }, seed: { type: 'string' }, concurrency: { type: 'string' }, year: { type: 'string' } }
  })
  const make = SCENARIOS[values.scenario ?? '']
  if (make === undefined) throw new Error(USAGE)
  const whole = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--${name} must be a positive whole number\n${USAGE}`)
    return Number(value)
  }
  const stack = requireStack()
  const plan = planSimulation(make(), { files: whole('files', values.files), seed: values.seed, year: whole('year', values.year) })
  const say = (line: string): void => { process.stderr.write(line + '\n') }
  say(`${plan.scenario}, seed ${plan.seed}: ${plan.sends.length} documents, ${plan.files.length} work files over ${new Set(plan.files.map((f) => f.agency)).size} agencies`)
  const result = await runSimulation(plan, { routingUrl: stack.urls.routing, inboxUrl: stack.urls.inbox, token: async (code) => await agencyToken(code) }, {
    concurrency: whole('concurrency', values.concurrency),
    progress: say
  })
  say(`done in ${(result.ms / 1000).toFixed(1)} s: ${result.documents} documents, ${result.workFiles.size} work files closed, ${result.steps} steps`)
  process.stdout.write(plannedTable(plan))
}

/** What the run added to each level: `lienthong report` over a period with today shows these on a stack that had nothing else. */
export function plannedTable (plan: SimulationPlan): string {
  const rows = plan.levels.map((l) => [l.level, String(l.files), String(l.online), `${(l.share * 100).toFixed(2)} %`, `${(l.paperStepChance * 100).toFixed(2)} %`, String(l.dms)])
  return table(['level', 'closed', 'online', 'share', 'paper step chance', 'opened by DMS'], rows)
}

function table (head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join('  ').trimEnd() + '\n'
  return line(head) + rows.map(line).join('')
}
