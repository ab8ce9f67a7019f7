/**
 * Words of a subject for full-text search, with Postgres's `simple` configuration (no stemming:
 * Vietnamese words are syllables). The subject is indexed as written and without diacritics, so a
 * query typed without them ("bao") finds "bão" and "báo", while one typed with them ("bão") finds
 * only "bão", as Vietnamese users expect of a search box.
 */
export function searchableText (subject: string): string {
  // NFC first: the same word typed on another keyboard may arrive decomposed.
  const lower = subject.normalize('NFC').toLocaleLowerCase('vi')
  const bare = withoutDiacritics(lower)
  return bare === lower ? lower : `${lower} ${bare}`
}

/** The query's words, each of which must appear in the subject (ANDed by `plainto_tsquery`). */
export function searchQuery (q: string): string {
  return q.normalize('NFC').toLocaleLowerCase('vi').trim()
}

function withoutDiacritics (text: string): string {
  // đ is a letter of its own, not d with a combining mark, so NFD leaves it alone.
  return text.normalize('NFD').replace(/\p{M}/gu, '').replaceAll('đ', 'd')
}
