import t from 'tap'
import { isAgencyCode, parentCode } from '@lienthong/contracts'
import { laocaiDirectory } from '../src/laocai.ts'
import { laocaiDepartments } from '../src/laocai-departments.ts'
import { loadGsoProvince } from '../src/gso-units.ts'

const directory = laocaiDirectory()
const ofLevel = (level: string) => directory.filter(a => a.level === level)

t.test('counts match the 2023 reference deployment', async t => {
  t.equal(directory.filter(a => a.level === 'province' && a.kind === 'people_committee').length, 1)
  t.equal(directory.filter(a => a.kind === 'department').length, laocaiDepartments.length)
  t.ok(laocaiDepartments.length >= 20 && laocaiDepartments.length <= 29)
  t.equal(ofLevel('district').length, 9)
  t.equal(ofLevel('commune').length, 152)
  t.equal(ofLevel('village').length, 1562)
  t.equal(directory.length, 1 + laocaiDepartments.length + 9 + 152 + 1562)
})

t.test('every code is valid and unique, every parent is listed before its child', async t => {
  const seen = new Set<string>()
  const bad: string[] = []
  for (const agency of directory) {
    if (!isAgencyCode(agency.code)) bad.push(`invalid ${agency.code}`)
    if (seen.has(agency.code)) bad.push(`duplicate ${agency.code}`)
    const parent = parentCode(agency.code)
    if (agency.code !== '000.00.00.H38' && (parent === null || !seen.has(parent))) bad.push(`orphan ${agency.code}`)
    seen.add(agency.code)
  }
  t.same(bad, [])
})

t.test('the People\'s Committee and departments', async t => {
  t.same(directory[0], { code: '000.00.00.H38', name: 'Ủy ban nhân dân tỉnh Lào Cai', level: 'province', kind: 'people_committee' })
  const departments = directory.filter(a => a.kind === 'department')
  t.same(departments.map(a => a.code), laocaiDepartments.map((_, i) => `000.00.${String(i + 1).padStart(2, '0')}.H38`))
  t.ok(departments.every(a => a.level === 'province'))
  t.equal(departments[0]?.name, 'Văn phòng Ủy ban nhân dân tỉnh Lào Cai')
})

t.test('districts are 31–39 in the statistics office\'s order', async t => {
  const gso = loadGsoProvince('laocai-2023-04-10.json')
  const districts = ofLevel('district')
  t.same(districts.map(a => a.code), ['31', '32', '33', '34', '35', '36', '37', '38', '39'].map(bb => `000.00.${bb}.H38`))
  t.same(districts[0], { code: '000.00.31.H38', name: 'Ủy ban nhân dân thành phố Lào Cai', level: 'district', kind: 'people_committee' })
  t.equal(districts[1]?.name, 'Ủy ban nhân dân huyện Bát Xát')
  t.equal(districts[7]?.name, 'Ủy ban nhân dân thị xã Sa Pa')
  districts.forEach((district, i) => {
    const unit = gso.level2s[i]
    const properName = unit?.name.slice(unit.type.length) ?? '?'
    t.ok(district.name.endsWith(properName), `${district.name} is ${unit?.name}`)
  })
})

t.test('communes are numbered 01… within their district', async t => {
  const communes = ofLevel('commune')
  t.same(communes[0], { code: '000.01.31.H38', name: 'Ủy ban nhân dân phường Duyên Hải', level: 'commune', kind: 'people_committee' })
  t.equal(communes.filter(a => a.code.endsWith('.31.H38')).length, 17)
  t.equal(communes.filter(a => a.code.endsWith('.39.H38')).length, 22)
  t.ok(communes.some(a => a.name.startsWith('Ủy ban nhân dân xã ')))
  t.ok(communes.some(a => a.name.startsWith('Ủy ban nhân dân thị trấn ')))
})

t.test('villages are spread deterministically, every commune has some', async t => {
  t.same(laocaiDirectory(), directory)
  const perCommune = new Map<string, number>()
  for (const village of ofLevel('village')) {
    const commune = parentCode(village.code) ?? ''
    perCommune.set(commune, (perCommune.get(commune) ?? 0) + 1)
  }
  const communes = ofLevel('commune')
  t.equal(perCommune.size, communes.length)
  const counts = communes.map(c => perCommune.get(c.code) ?? 0)
  // 1562 / 152 = 10.28: ten or eleven each.
  t.ok(counts.every(n => n === 10 || n === 11), 'each commune gets ⌊n/c⌋ or one more')
  t.equal(directory.find(a => a.code === '001.01.31.H38')?.name, 'Tổ dân phố 1')
  const firstXa = communes.find(c => c.name.includes(' xã ') && !c.name.includes('thị xã'))
  t.equal(directory.find(a => a.code === `001${firstXa?.code.slice(3)}`)?.name, 'Thôn 1')
})

t.test('names are NFC', async t => {
  t.same(directory.filter(a => a.name !== a.name.normalize('NFC')).map(a => a.code), [])
})
