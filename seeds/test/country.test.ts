import t from 'tap'
import { isAgencyCode, parentCode } from '@lienthong/contracts'
import { countryDirectory } from '../src/country.ts'

const started = performance.now()
const directory = countryDirectory()
const elapsed = performance.now() - started

t.test('counts match the GSO list of 10/04/2023', async t => {
  const count = (pred: (a: typeof directory[number]) => boolean) => directory.filter(pred).length
  t.equal(count(a => a.level === 'province' && a.kind === 'people_committee'), 63)
  t.equal(count(a => a.level === 'district'), 705)
  t.equal(count(a => a.level === 'commune'), 10598)
  t.equal(count(a => a.level === 'village'), 105980, 'ten per commune by default')
  t.equal(count(a => a.kind === 'department'), 63 * 5)
})

t.test('builds in under two seconds', async t => {
  t.ok(elapsed < 2000, `took ${Math.round(elapsed)} ms`)
})

t.test('every code is valid and unique, every parent exists', async t => {
  const codes = new Set(directory.map(a => a.code))
  t.equal(codes.size, directory.length, 'unique')
  const bad = directory.filter(a => {
    if (!isAgencyCode(a.code)) return true
    const parent = parentCode(a.code)
    return parent === null ? a.level !== 'province' || a.kind !== 'people_committee' : !codes.has(parent)
  })
  t.same(bad.map(a => a.code), [])
})

t.test('province roots follow the public codes', async t => {
  const name = (code: string) => directory.find(a => a.code === code)?.name
  t.equal(name('000.00.00.H38'), 'Ủy ban nhân dân tỉnh Lào Cai')
  t.equal(name('000.00.00.H01'), 'Ủy ban nhân dân tỉnh An Giang')
  t.equal(name('000.00.00.H29'), 'Ủy ban nhân dân thành phố Hồ Chí Minh')
  t.equal(name('000.00.00.H48'), 'Ủy ban nhân dân tỉnh Quảng Ngãi')
  t.equal(name('000.00.01.H38'), 'Văn phòng Ủy ban nhân dân tỉnh Lào Cai')
  t.equal(name('000.00.31.H38'), 'Ủy ban nhân dân thành phố Lào Cai')
})

t.test('unit words are lower case inside names, whatever the list\'s casing', async t => {
  t.ok(directory.some(a => a.name === 'Ủy ban nhân dân thị trấn Mường Chà'), 'GSO spells it "Thị Trấn Mường Chà"')
  t.same(directory.filter(a => /Ủy ban nhân dân (Thị|Thành|Huyện|Quận|Xã|Phường|Tỉnh)/.test(a.name)).map(a => a.name), [])
})

t.test('names are NFC', async t => {
  t.equal(directory.filter(a => a.name !== a.name.normalize('NFC')).length, 0)
})

t.test('villagesPerCommune', async t => {
  t.equal(countryDirectory({ villagesPerCommune: 0 }).length, 63 + 315 + 705 + 10598)
})
