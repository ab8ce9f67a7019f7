import t from 'tap'
import { GOVERNMENT_LEVELS } from '@lienthong/contracts'
import { laocai2023 } from '../src/simulation/laocai-2023.ts'
import { apportion, planSimulation, type SimulationPlan } from '../src/simulation/plan.ts'

const TODAY = new Date('2026-11-26T12:00:00Z')
const TARGETS = { province: 97.4, district: 87.86, commune: 97, village: 70 }

/** The share each level's files will have when all are closed, counted from the files themselves. */
function realized (plan: SimulationPlan): Record<string, { files: number, online: number, share: number }> {
  const out: Record<string, { files: number, online: number, share: number }> = {}
  for (const level of GOVERNMENT_LEVELS) {
    const files = plan.files.filter((f) => f.level === level)
    const online = files.filter((f) => f.origin === 'exchange' && f.steps.every((s) => s.channel === 'online')).length
    out[level] = { files: files.length, online, share: (online / files.length) * 100 }
  }
  return out
}

t.test('with the defaults each level lands within half a point of the reported figure', async (t) => {
  const plan = planSimulation(laocai2023(), { today: TODAY })
  t.equal(plan.files.length, 2000, 'the default size')
  const shares = realized(plan)
  for (const [level, target] of Object.entries(TARGETS)) {
    t.ok(Math.abs(shares[level]!.share - target) < 0.5, `${level}: ${shares[level]!.share.toFixed(3)} % against ${target} %`)
  }
  t.same(Object.fromEntries(Object.entries(shares).map(([l, s]) => [l, [s.files, s.online]])),
    { province: [500, 487], district: [700, 615], commune: [700, 679], village: [100, 70] }, 'the exact counts behind them')
  t.same(plan.levels.map((l) => [l.level, l.files, l.online]), Object.entries(shares).map(([l, s]) => [l, s.files, s.online]), 'the plan\u2019s own figures are the files\u2019')
})

t.test('any seed and size lands on the figure to the precision the size allows', async (t) => {
  for (const [seed, files] of [['a', 2000], ['b', 777], ['c', 10000], ['d', 300]] as const) {
    const shares = realized(planSimulation(laocai2023(), { seed, files, today: TODAY }))
    for (const [level, target] of Object.entries(TARGETS)) {
      const n = shares[level]!.files
      t.ok(Math.abs(shares[level]!.share - target) <= 50 / n + 1e-9, `seed ${seed}, ${files} files, ${level}: ${shares[level]!.share.toFixed(2)} % of ${n}`)
    }
  }
})

t.test('each level has its own paper-step chance, and the steps on paper follow it', async (t) => {
  const plan = planSimulation(laocai2023(), { files: 20_000, seed: 'chances', today: TODAY })
  const chance = Object.fromEntries(plan.levels.map((l) => [l.level, l.paperStepChance]))
  t.ok(chance.district! > chance.commune! && chance.commune! > chance.province!, 'districts did most on paper, the province least')
  t.ok(chance.village! > chance.district!, 'villages more than anyone')
  for (const level of plan.levels) {
    const arrivals = plan.files.filter((f) => f.level === level.level && f.origin === 'exchange')
    // the calibration: the share of arrivals with a paper step is 1 − (1 − p)⁴ …
    const withPaper = arrivals.filter((f) => f.steps.some((s) => s.channel === 'paper')).length
    t.equal(withPaper, level.paperFiles)
    t.ok(Math.abs(1 - Math.pow(1 - level.paperStepChance, 4) - withPaper / arrivals.length) < 1e-9, `${level.level}: p = ${(level.paperStepChance * 100).toFixed(2)} %`)
    // … and steps end on paper at about p each
    const steps = arrivals.length * 4
    const paper = arrivals.reduce((n, f) => n + f.steps.filter((s) => s.channel === 'paper').length, 0)
    const sd = Math.sqrt(steps * level.paperStepChance)
    t.ok(Math.abs(paper - steps * level.paperStepChance) < 4 * sd + 2, `${level.level}: ${paper} paper steps of ${steps}, expected ${(steps * level.paperStepChance).toFixed(0)}`)
  }
  t.ok(plan.files.filter((f) => f.origin === 'exchange').every((f) => f.steps.map((s) => s.code).join() === '03,04,05,06'), 'arrivals go 03, 04, 05, 06')
  t.ok(plan.files.filter((f) => f.origin === 'dms').every((f) => f.steps.map((s) => s.code).join() === '04,05,06' && f.openChannel !== undefined && f.title !== undefined), 'DMS files open at 03, then 04, 05, 06')
})

t.test('a seed makes the same run; another seed another', async (t) => {
  const a = planSimulation(laocai2023(), { seed: 'x', files: 500, today: TODAY })
  const b = planSimulation(laocai2023(), { seed: 'x', files: 500, today: TODAY })
  const c = planSimulation(laocai2023(), { seed: 'y', files: 500, today: TODAY })
  t.same(a, b)
  t.not(JSON.stringify(a.sends), JSON.stringify(c.sends))
  t.same(a.levels.map((l) => l.online), c.levels.map((l) => l.online), 'the figures do not depend on the seed')
})

t.test('the mix covers the four levels, in both directions, within the sending policy\u2019s pairs', async (t) => {
  const scenario = laocai2023()
  const plan = planSimulation(scenario, { today: TODAY })
  const levelOf = new Map(scenario.directory.map((a) => [a.code, a]))
  const pairs = new Set<string>()
  for (const send of plan.sends) for (const r of send.recipients) pairs.add(`${levelOf.get(send.sender)!.level}>${levelOf.get(r)!.level}`)
  t.same([...pairs].sort(), [
    'commune>commune', 'commune>district', 'commune>province', 'commune>village',
    'district>commune', 'district>district', 'district>province',
    'province>commune', 'province>district', 'province>province',
    'village>commune'
  ])
  for (const level of GOVERNMENT_LEVELS) {
    t.ok(plan.files.some((f) => f.level === level && f.origin === 'dms'), `some ${level} files opened by a DMS`)
    t.ok(plan.files.some((f) => f.level === level && f.origin === 'exchange'), `some ${level} files arrived`)
  }
  // the level of a file is its handler's, not its code's depth: departments count at the province
  t.ok(plan.files.some((f) => f.level === 'province' && levelOf.get(f.agency)!.kind === 'department'))
  t.ok(plan.sends.some((s) => s.group !== undefined), 'a district writes to all its communes as a group')
  t.ok(plan.sends.every((s) => !s.recipients.includes(s.sender)), 'nobody writes to itself')
  t.ok(plan.sends.every((s) => new Set(s.recipients).size === s.recipients.length), 'nobody twice in one send')
  const ids = new Set(plan.sends.map((s) => `${s.sender} ${s.document.number}/${s.document.notation}`))
  t.equal(ids.size, plan.sends.length, 'every document has its own number')
  t.ok(plan.sends.every((s) => s.document.issuedAt.startsWith('2026-') && s.document.issuedAt <= '2026-11-26'), 'issued this year, not after today')
  t.ok(planSimulation(scenario, { files: 50, year: 2023, today: TODAY }).sends.every((s) => s.document.issuedAt.startsWith('2023-')), '--year dates them in that year')
})

t.test('a bad size is refused; apportion keeps the total', async (t) => {
  t.throws(() => planSimulation(laocai2023(), { files: 0 }), /--files/)
  t.same(apportion(10, [1, 1, 2]), [3, 2, 5], 'largest remainders, ties to the first')
  t.equal(apportion(7, [1, 1, 1]).reduce((a, b) => a + b, 0), 7)
  t.same(apportion(2000, [0.25, 0.35, 0.35, 0.05]), [500, 700, 700, 100])
})
