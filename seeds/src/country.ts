import type { AgencyInput } from '@lienthong/contracts'
import { loadGsoCountry } from './gso-units.ts'
import { buildProvinceDirectory } from './province-directory.ts'
import { provinceRoots } from './province-roots.ts'
import { inlineUnitName } from './unit-names.ts'

/**
 * A few departments every province has. Their order matches the head of Lào Cai's list, so
 * 000.00.01.H38 is the Office of the People's Committee in both directories.
 */
const COMMON_DEPARTMENTS = [
  'Văn phòng Ủy ban nhân dân',
  'Sở Nội vụ',
  'Sở Tài chính',
  'Sở Kế hoạch và Đầu tư',
  'Sở Tư pháp'
]

export interface CountryDirectoryOptions {
  /** Villages under each commune; 10 gives about 106,000, near the country's real ~100,000. */
  villagesPerCommune?: number
}

/**
 * The whole country for load tests: 63 provinces, 705 districts and 10,598 communes from the
 * GSO list of 10/04/2023, with a handful of departments per province and a fixed number of
 * villages per commune. Real names down to communes; departments and villages are generic.
 */
export function countryDirectory (opts: CountryDirectoryOptions = {}): AgencyInput[] {
  const villagesPerCommune = opts.villagesPerCommune ?? 10
  const provinces = loadGsoCountry('vn-admin-units-2023-04-10.json')
  const roots = provinceRoots(provinces)
  const agencies: AgencyInput[] = []
  for (const province of provinces) {
    const root = roots.get(province)
    if (root === undefined) throw new Error(`no level-1 code for ${province.name}`)
    const place = inlineUnitName(province.name)
    const communes = province.level2s.reduce((n, d) => n + d.level3s.length, 0)
    const directory = buildProvinceDirectory(province, {
      root,
      departments: COMMON_DEPARTMENTS.map(name => ({ name: `${name} ${place}` })),
      villageCount: communes * villagesPerCommune
    })
    // push(...directory) would overflow the call stack for large provinces.
    for (const agency of directory) agencies.push(agency)
  }
  return agencies
}
