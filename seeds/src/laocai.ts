import type { AgencyInput } from '@lienthong/contracts'
import { loadGsoProvince } from './gso-units.ts'
import { laocaiDepartments } from './laocai-departments.ts'
import { buildProvinceDirectory } from './province-directory.ts'

export const LAOCAI_ROOT = 'H38'

/** Lào Cai's village and residential-group count for 2023, as the province reports it. */
export const LAOCAI_VILLAGE_COUNT = 1562

/**
 * The reference deployment's directory: 1 People's Committee, the departments, 9 districts,
 * 152 communes (GSO list of 10/04/2023) and 1,562 villages.
 */
export function laocaiDirectory (): AgencyInput[] {
  return buildProvinceDirectory(loadGsoProvince('laocai-2023-04-10.json'), {
    root: LAOCAI_ROOT,
    departments: laocaiDepartments,
    villageCount: LAOCAI_VILLAGE_COUNT
  })
}
