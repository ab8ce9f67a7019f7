import { GOVERNMENT_LEVELS, type Channel, type GovernmentLevel, type RecipientGroup } from '@lienthong/contracts'
import { DirectoryView, type Scenario } from './scenario.ts'
import { SeededRandom } from './seeded-random.ts'

export type WorkStep = '03' | '04' | '05' | '06'
export interface PlannedStep { code: WorkStep, channel: Channel }

export interface PlannedSend {
  index: number
  sender: string
  /** who receives it, sorted: one work file each */
  recipients: string[]
  /** the group the send names instead of the list, when it has one */
  group?: RecipientGroup
  template: string
  document: { number: string, notation: string, type: string, subject: string, issuedAt: string }
}

export interface PlannedFile {
  /** the file's place in the plan, e.g. `f0042` */
  key: string
  level: GovernmentLevel
  /** the agency that handles it: the recipient, or the agency whose DMS opened it */
  agency: string
  origin: 'exchange' | 'dms'
  /** for an exchange file: the send that opens it */
  send?: number
  /** for a DMS file: its title and the channel the matter came in by */
  title?: string
  openChannel?: Channel
  /** the steps recorded, in order: 03…06 for an arrival, 04…06 for a file the DMS opened (at 03) */
  steps: PlannedStep[]
}

/** What the plan makes of one level, which is also what the report must show for the run. */
export interface LevelPlan {
  level: GovernmentLevel
  files: number
  exchange: number
  dms: number
  /** arrivals with at least one step on paper */
  paperFiles: number
  /** closed fully online: arrived, every step online */
  online: number
  share: number
  /** the chance that a step of an arrival is done on paper, as calibrated for this level */
  paperStepChance: number
}

export interface SimulationPlan {
  scenario: string
  seed: string
  sends: PlannedSend[]
  files: PlannedFile[]
  levels: LevelPlan[]
}

export interface PlanOptions {
  files?: number
  seed?: string
  /** documents are issued on days of this year, up to `today` (default: today's year) */
  year?: number
  today?: Date
}

const EXCHANGE_STEPS: WorkStep[] = ['03', '04', '05', '06']
const DMS_STEPS: WorkStep[] = ['04', '05', '06']

/**
 * The run, decided in advance from the seed: which documents go from whom to whom, which files
 * the DMSs open, and which steps are done on paper.
 *
 * Paper steps are allocated, not left to luck. Each level's number of files, and of them the
 * number to end fully online (its `onlineShare` of them, rounded), are fixed first; the files
 * not online are the DMS's own (`dmsPart` of them) and arrivals with a step on paper. The seeded
 * generator then picks which arrivals those are, and within each the steps on paper, each with
 * the level's per-step chance `p` given that at least one is: so steps are still paper by a
 * per-level chance (`p` is such that 1 − (1 − p)⁴ is the share of arrivals with a paper step,
 * and the expected paper steps per arrival is exactly `4p`), yet every run, whatever the seed,
 * lands on the level's figure to the precision its size allows, where independent draws would
 * miss a 97.4 % target by ±0.7 point on 500 files one run in three.
 */
export function planSimulation (scenario: Scenario, opts: PlanOptions = {}): SimulationPlan {
  const total = opts.files ?? scenario.defaults.files
  if (!Number.isInteger(total) || total < 1) throw new Error(`--files must be a positive whole number, not ${total}`)
  const seed = opts.seed ?? scenario.defaults.seed
  const rng = new SeededRandom(seed)
  const directory = new DirectoryView(scenario.directory)
  const today = opts.today ?? new Date()
  const year = opts.year ?? today.getUTCFullYear()

  const levels = GOVERNMENT_LEVELS.filter((l) => scenario.levels[l].weight > 0)
  const counts = apportion(total, levels.map((l) => scenario.levels[l].weight))
  const quota = new Map(levels.map((level, i) => {
    const files = counts[i]!
    const profile = scenario.levels[level]
    const online = Math.round(profile.onlineShare * files)
    const dms = Math.round((files - online) * profile.dmsPart)
    return [level, { files, online, dms, exchange: files - dms, paperFiles: files - online - dms }]
  }))

  // Sends until every level has its arrivals; a send larger than what is left is cut to it.
  const sends: PlannedSend[] = []
  const left = new Map(levels.map((l) => [l, quota.get(l)!.exchange]))
  const numbers = new Map<string, number>()
  while ([...left.values()].some((n) => n > 0)) {
    const level = levels[rng.weighted(levels.map((l) => left.get(l)!))]!
    const templates = scenario.sends.filter((s) => s.recipientLevel === level)
    if (templates.length === 0) throw new Error(`scenario ${scenario.name} has no send to the ${level} level`)
    const template = templates[rng.weighted(templates.map((s) => s.weight))]!
    const draft = template.draw(directory, rng)
    if (draft.recipients.length === 0) continue
    const room = left.get(level)!
    const recipients = (draft.recipients.length > room ? draft.recipients.slice(0, room) : draft.recipients).sort()
    left.set(level, room - recipients.length)
    const number = (numbers.get(draft.sender) ?? 0) + 1
    numbers.set(draft.sender, number)
    sends.push({
      index: sends.length,
      sender: draft.sender,
      recipients,
      ...(draft.group !== undefined && recipients.length === draft.recipients.length ? { group: draft.group } : {}),
      template: template.name,
      document: { number: String(number), notation: notationOf(directory.get(draft.sender)), type: draft.type, subject: draft.subject, issuedAt: issueDay(rng, year, today) }
    })
  }

  const files: PlannedFile[] = []
  const key = (): string => `f${String(files.length).padStart(5, '0')}`
  for (const send of sends) {
    for (const agency of send.recipients) {
      files.push({ key: key(), level: directory.get(agency).level, agency, origin: 'exchange', send: send.index, steps: EXCHANGE_STEPS.map((code) => ({ code, channel: 'online' })) })
    }
  }
  const plans: LevelPlan[] = []
  for (const level of levels) {
    const q = quota.get(level)!
    const paperFileShare = q.exchange === 0 ? 0 : q.paperFiles / q.exchange
    const p = 1 - Math.pow(1 - paperFileShare, 1 / EXCHANGE_STEPS.length)
    const arrivals = files.filter((f) => f.level === level)
    for (const file of rng.shuffle(arrivals).slice(0, q.paperFiles)) paperSteps(rng, file.steps, p)
    const agencies = directory.atLevel(level)
    for (let i = 0; i < q.dms; i++) {
      const openChannel: Channel = rng.chance(0.5) ? 'paper' : 'online'
      files.push({
        key: key(),
        level,
        agency: rng.pick(agencies).code,
        origin: 'dms',
        title: rng.pick(scenario.dmsTitles),
        openChannel,
        steps: DMS_STEPS.map((code) => ({ code, channel: rng.chance(p) ? 'paper' : 'online' }))
      })
    }
    plans.push({ level, files: q.files, exchange: q.exchange, dms: q.dms, paperFiles: q.paperFiles, online: q.online, share: q.files === 0 ? 0 : q.online / q.files, paperStepChance: p })
  }
  return { scenario: scenario.name, seed, sends, files, levels: plans }
}

/**
 * Marks steps as done on paper, each with chance `p`, given that at least one is: the first
 * paper step is drawn from its distribution under that condition, each later one by `p` alone.
 */
function paperSteps (rng: SeededRandom, steps: PlannedStep[], p: number): void {
  const firstWeights = steps.map((_, k) => Math.pow(1 - p, k) * p)
  const first = p >= 1 ? 0 : rng.weighted(firstWeights)
  steps[first]!.channel = 'paper'
  for (let k = first + 1; k < steps.length; k++) if (rng.chance(p)) steps[k]!.channel = 'paper'
}

/** Whole numbers in proportion to the weights, summing to `total` (largest remainders). */
export function apportion (total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (w / sum) * total)
  const counts = exact.map(Math.floor)
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i)
  const missing = total - counts.reduce((a, b) => a + b, 0)
  for (let k = 0; k < missing; k++) counts[order[k % order.length]!.i]!++
  return counts
}

function notationOf (agency: { level: GovernmentLevel, kind: string }): string {
  if (agency.level === 'village') return 'TDP'
  if (agency.kind === 'department') return 'SO-VP'
  return agency.level === 'province' ? 'UBND-VP' : 'UBND'
}

/** A working day of the year, not after today. */
function issueDay (rng: SeededRandom, year: number, today: Date): string {
  const start = Date.UTC(year, 0, 2)
  const end = Math.min(Date.UTC(year, 11, 31), Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()))
  const days = Math.max(0, Math.floor((end - start) / 86_400_000))
  return new Date(start + rng.int(0, days) * 86_400_000).toISOString().slice(0, 10)
}
