import type { GsoProvince } from './gso-units.ts'

/**
 * Level-1 codes for the 63 provinces. The assigning decision is not public, but the codes seen
 * on the provinces' public-service portals (H01 An Giang, H29 Hồ Chí Minh city, H38 Lào Cai,
 * H41 Nghệ An, H48 Quảng Ngãi) all fit one rule: provinces in alphabetical order of their proper
 * name, without "Tỉnh"/"Thành phố" and without diacritics. The GSO list's own order (by its
 * level1_id) would put Lào Cai at H06, so the rule is reproduced here instead.
 */
export function provinceRoots (provinces: readonly GsoProvince[]): Map<GsoProvince, string> {
  if (provinces.length > 99) throw new Error(`${provinces.length} provinces do not fit the two digits of H01–H99`)
  const sorted = [...provinces].sort((a, b) => compare(sortKey(a.name), sortKey(b.name)))
  return new Map(sorted.map((p, i) => [p, `H${String(i + 1).padStart(2, '0')}`]))
}

// Plain code-unit order rather than a locale collator: the result must not depend on the
// machine's ICU data, and it places "Ho Chi Minh" before "Hoa Binh" as the real codes do.
function compare (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function sortKey (name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/^(tinh|thanh pho) /, '')
}
