import t from 'tap'
import type { AgencyInput } from '@lienthong/contracts'
import { placementProblem, type ParentFacts } from '../../src/domain/agency-placement.ts'

const FOUR = ['province', 'district', 'commune', 'village'] as const
const TWO = ['province', 'commune'] as const
const province: ParentFacts = { level: 'province', kind: 'people_committee', status: 'active' }
const district: ParentFacts = { level: 'district', kind: 'people_committee', status: 'active' }
const commune: ParentFacts = { level: 'commune', kind: 'people_committee', status: 'active' }
const a = (code: string, level: AgencyInput['level'], kind: AgencyInput['kind'] = 'people_committee'): AgencyInput => ({ code, name: 'X', level, kind })

t.test('four tiers: each people\u2019s committee at its depth, departments at their parent\u2019s level', async (t) => {
  t.equal(placementProblem(a('000.00.00.H38', 'province'), undefined, FOUR), undefined)
  t.equal(placementProblem(a('000.00.31.H38', 'district'), province, FOUR), undefined)
  t.equal(placementProblem(a('000.00.01.H38', 'province', 'department'), province, FOUR), undefined, 'a provincial department at depth 2 is province level')
  t.equal(placementProblem(a('000.05.31.H38', 'commune'), district, FOUR), undefined)
  t.equal(placementProblem(a('007.05.31.H38', 'village', 'village'), commune, FOUR), undefined)
  t.match(placementProblem(a('000.00.01.H38', 'district', 'department'), province, FOUR), /shares its parent's level \(province\)/)
  t.match(placementProblem(a('000.00.31.H38', 'commune'), province, FOUR), /is of district level, not commune/)
  t.match(placementProblem(a('007.05.31.H38', 'commune', 'village'), commune, FOUR), /village is of village level/)
  t.match(placementProblem(a('000.05.31.H38', 'commune'), undefined, FOUR), /parent 000.00.31.H38 does not exist/)
  t.match(placementProblem(a('000.05.31.H38', 'commune'), { ...district, status: 'retired' }, FOUR), /is retired/)
  t.match(placementProblem(a('007.05.31.H38', 'village', 'village'), { ...commune, kind: 'unit' }, FOUR), /belongs to a people's committee/)
})

t.test('two tiers (since 1/7/2025): communes directly under the province, no districts', async (t) => {
  t.equal(placementProblem(a('000.00.05.H38', 'commune'), province, TWO), undefined)
  t.match(placementProblem(a('000.00.31.H38', 'district'), province, TWO), /level district is not used by this directory/)
  t.match(placementProblem(a('000.05.31.H38', 'commune'), commune, TWO), /cannot sit at code depth 3 in a 2-tier directory/)
})
