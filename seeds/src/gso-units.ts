import { readFileSync } from 'node:fs'

/**
 * The General Statistics Office's administrative-unit list, as published in the open dataset
 * daohoangson/dvhcvn. Field names are kept as the office's export spells them so that a newer
 * export drops in without a mapping step.
 */
export interface GsoCommune {
  level3_id: string
  name: string
  /** 'Xã' | 'Phường' | 'Thị trấn' */
  type: string
}

export interface GsoDistrict {
  level2_id: string
  name: string
  /** 'Huyện' | 'Quận' | 'Thị xã' | 'Thành phố' */
  type: string
  level3s: GsoCommune[]
}

export interface GsoProvince {
  level1_id: string
  name: string
  /** 'Tỉnh' | 'Thành phố Trung ương' */
  type: string
  level2s: GsoDistrict[]
}

const DATA_DIR = new URL('../data/', import.meta.url)

function readData (file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, DATA_DIR), 'utf8'))
}

// Only the outer shape is checked: a wrong file should fail loudly here, not as an
// undefined deep inside the directory builder.
function assertProvince (value: unknown, file: string): asserts value is GsoProvince {
  const p = value as Partial<GsoProvince> | null
  if (p === null || typeof p !== 'object' || typeof p.name !== 'string' || !Array.isArray(p.level2s)) {
    throw new Error(`${file}: not a GSO province (expected level1_id, name, type, level2s)`)
  }
}

/** One province's file, shaped `{ source, province }` (e.g. laocai-2023-04-10.json). */
export function loadGsoProvince (file = 'laocai-2023-04-10.json'): GsoProvince {
  const json = readData(file) as { province?: unknown }
  assertProvince(json.province, file)
  return json.province
}

/** The whole country's file, shaped `{ data: [province…] }`, in the office's order. */
export function loadGsoCountry (file = 'vn-admin-units-2023-04-10.json'): GsoProvince[] {
  const json = readData(file) as { data?: unknown }
  if (!Array.isArray(json.data)) throw new Error(`${file}: expected { data: [province…] }`)
  for (const p of json.data) assertProvince(p, file)
  return json.data as GsoProvince[]
}
