/**
 * Agency names built from administrative-unit names. The GSO list capitalises the unit word
 * ("Huyện Bát Xát", sometimes "Thị Trấn Mường Chà"); inside a name it is written in lower
 * case ("Ủy ban nhân dân huyện Bát Xát"), so the word is rebuilt rather than copied.
 */

// Longest first, so "thành phố" is not read as something shorter.
const UNIT_WORDS = ['thành phố', 'thị trấn', 'thị xã', 'phường', 'huyện', 'quận', 'tỉnh', 'xã']

/** "Huyện Bát Xát" → "huyện Bát Xát"; a name without a known unit word is kept as it is. */
export function inlineUnitName (name: string): string {
  const nfc = name.normalize('NFC').trim()
  const lower = nfc.toLowerCase()
  const word = UNIT_WORDS.find(w => lower.startsWith(w + ' '))
  return word === undefined ? nfc : word + nfc.slice(word.length)
}

export function peopleCommitteeName (unitName: string): string {
  return `Ủy ban nhân dân ${inlineUnitName(unitName)}`.normalize('NFC')
}

/**
 * By the Ministry of Home Affairs' rules (Thông tư 14/2018/TT-BNV) a xã is divided into thôn,
 * a phường or thị trấn into tổ dân phố.
 */
export function villageName (communeType: string, number: number): string {
  const word = communeType.normalize('NFC').toLowerCase() === 'xã' ? 'Thôn' : 'Tổ dân phố'
  return `${word} ${number}`.normalize('NFC')
}
