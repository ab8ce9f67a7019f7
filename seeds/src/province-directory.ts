import type { AgencyInput } from '@lienthong/contracts'
import type { GsoProvince } from './gso-units.ts'
import {
  COMMUNE_SLOTS, DEPARTMENT_SLOTS, DISTRICT_SLOTS, VILLAGE_SLOTS, slotPart
} from './code-parts.ts'
import { peopleCommitteeName, villageName } from './unit-names.ts'
import { spreadVillages } from './village-spread.ts'

export interface ProvinceDirectoryOptions {
  /** Level-1 part of every code, e.g. 'H38' */
  root: string
  /** Provincial departments in the order they are numbered (01, 02, …) */
  departments: ReadonlyArray<{ name: string }>
  /** Villages for the whole province, spread over its communes (the GSO list has none) */
  villageCount: number
}

const ROOT_PATTERN = /^[A-Z]\d{2}$/

/**
 * A province's agencies as the registry imports them, level by level so that every parent
 * comes before its children: the People's Committee, its departments, the districts, the
 * communes, the villages. Numbers follow the GSO list's order, so the same file always gives
 * the same codes.
 */
export function buildProvinceDirectory (province: GsoProvince, opts: ProvinceDirectoryOptions): AgencyInput[] {
  const { root } = opts
  if (!ROOT_PATTERN.test(root)) throw new Error(`root must look like H38, got "${root}"`)
  const where = province.name.normalize('NFC')

  const committee: AgencyInput = {
    code: `000.00.00.${root}`,
    name: peopleCommitteeName(province.name),
    level: 'province',
    kind: 'people_committee'
  }

  const departments = opts.departments.map((department, i): AgencyInput => {
    const bb = slotPart(DEPARTMENT_SLOTS, i, 2, `${where}, departments`)
    return { code: `000.00.${bb}.${root}`, name: department.name.normalize('NFC'), level: 'province', kind: 'department' }
  })

  const districts: AgencyInput[] = []
  const communes: AgencyInput[] = []
  const communeTypes: string[] = []
  province.level2s.forEach((district, d) => {
    const bb = slotPart(DISTRICT_SLOTS, d, 2, `${where}, districts`)
    districts.push({ code: `000.00.${bb}.${root}`, name: peopleCommitteeName(district.name), level: 'district', kind: 'people_committee' })
    district.level3s.forEach((commune, c) => {
      const cc = slotPart(COMMUNE_SLOTS, c, 2, `${where}, communes of ${district.name.normalize('NFC')}`)
      communes.push({ code: `000.${cc}.${bb}.${root}`, name: peopleCommitteeName(commune.name), level: 'commune', kind: 'people_committee' })
      communeTypes.push(commune.type)
    })
  })

  const villages: AgencyInput[] = []
  const counts = spreadVillages(opts.villageCount, communes.length)
  communes.forEach((commune, c) => {
    const count = counts[c] ?? 0
    const type = communeTypes[c] ?? ''
    // A commune's code is 000.CC.BB.Xnn; its villages replace the leading 000.
    const under = commune.code.slice(3)
    for (let v = 0; v < count; v++) {
      const ddd = slotPart(VILLAGE_SLOTS, v, 3, `${where}, villages of ${commune.name}`)
      villages.push({ code: ddd + under, name: villageName(type, v + 1), level: 'village', kind: 'village' })
    }
  })

  return [committee, ...departments, ...districts, ...communes, ...villages]
}
