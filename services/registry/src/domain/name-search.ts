/** Lowercase without diacritics, so "lao cai" finds "Lào Cai" and "dien bien" finds "Điện Biên". */
export function foldForSearch (text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
}
