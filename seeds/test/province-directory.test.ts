import t from 'tap'
import type { GsoProvince } from '../src/gso-units.ts'
import { buildProvinceDirectory } from '../src/province-directory.ts'
import { spreadVillages } from '../src/village-spread.ts'

const commune = (i: number) => ({ level3_id: String(i), name: `Xã Số ${i}`, type: 'Xã' })
const district = (i: number, communes: number) => ({
  level2_id: String(i), name: `Huyện Số ${i}`, type: 'Huyện', level3s: Array.from({ length: communes }, (_, c) => commune(c))
})
const province = (districts: number, communesEach: number): GsoProvince => ({
  level1_id: '99', name: 'Tỉnh Thử', type: 'Tỉnh', level2s: Array.from({ length: districts }, (_, d) => district(d, communesEach))
})

t.test('spreads villages evenly and deterministically', async t => {
  t.same(spreadVillages(7, 3), [2, 2, 3])
  t.same(spreadVillages(2, 4), [0, 1, 0, 1])
  t.equal(spreadVillages(1562, 152).reduce((a, b) => a + b, 0), 1562)
  t.throws(() => spreadVillages(3, 0), /no communes/)
})

t.test('69 districts fit (31–99), 70 do not', async t => {
  t.equal(buildProvinceDirectory(province(69, 1), { root: 'H99', departments: [], villageCount: 0 }).length, 1 + 69 + 69)
  t.throws(() => buildProvinceDirectory(province(70, 1), { root: 'H99', departments: [], villageCount: 0 }), /districts: unit #70 does not fit/)
})

t.test('99 communes in a district fit, 100 do not', async t => {
  t.doesNotThrow(() => buildProvinceDirectory(province(1, 99), { root: 'H99', departments: [], villageCount: 0 }))
  t.throws(() => buildProvinceDirectory(province(1, 100), { root: 'H99', departments: [], villageCount: 0 }), /communes of Huyện Số 0: unit #100/)
})

t.test('29 departments fit, 30 do not; 999 villages fit in a commune, 1000 do not', async t => {
  const departments = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `Sở ${i}` }))
  t.doesNotThrow(() => buildProvinceDirectory(province(1, 1), { root: 'H99', departments: departments(29), villageCount: 999 }))
  t.throws(() => buildProvinceDirectory(province(1, 1), { root: 'H99', departments: departments(30), villageCount: 0 }), /departments: unit #30/)
  t.throws(() => buildProvinceDirectory(province(1, 1), { root: 'H99', departments: [], villageCount: 1000 }), /villages of .*unit #1000/)
})

t.test('rejects a malformed root', async t => {
  t.throws(() => buildProvinceDirectory(province(1, 1), { root: 'h38', departments: [], villageCount: 0 }), /root must look like H38/)
})

t.test('names village kinds by the commune type', async t => {
  const p: GsoProvince = {
    level1_id: '99',
    name: 'Tỉnh Thử',
    type: 'Tỉnh',
    level2s: [{
      level2_id: '1',
      name: 'Thị Xã Thử',
      type: 'Thị xã',
      level3s: [
        { level3_id: '1', name: 'Phường Một', type: 'Phường' },
        { level3_id: '2', name: 'Thị Trấn Hai', type: 'Thị trấn' },
        { level3_id: '3', name: 'Xã Ba', type: 'Xã' }
      ]
    }]
  }
  const names = buildProvinceDirectory(p, { root: 'H99', departments: [], villageCount: 3 }).map(a => `${a.code} ${a.name}`)
  t.same(names, [
    '000.00.00.H99 Ủy ban nhân dân tỉnh Thử',
    '000.00.31.H99 Ủy ban nhân dân thị xã Thử',
    '000.01.31.H99 Ủy ban nhân dân phường Một',
    '000.02.31.H99 Ủy ban nhân dân thị trấn Hai',
    '000.03.31.H99 Ủy ban nhân dân xã Ba',
    '001.01.31.H99 Tổ dân phố 1',
    '001.02.31.H99 Tổ dân phố 1',
    '001.03.31.H99 Thôn 1'
  ])
})
