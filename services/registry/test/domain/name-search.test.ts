import t from 'tap'
import { foldForSearch } from '../../src/domain/name-search.ts'

t.test('diacritics and case are folded away', async (t) => {
  const folded = foldForSearch('Ủy ban nhân dân tỉnh Lào Cai')
  t.equal(folded, 'uy ban nhan dan tinh lao cai')
  t.ok(folded.includes('lao cai'))
  t.equal(foldForSearch('Điện Biên'), 'dien bien')
  t.equal(foldForSearch('đường'), 'duong')
  t.equal(foldForSearch('Xã Bản Xèo, huyện Bát Xát'), 'xa ban xeo, huyen bat xat')
  t.equal(foldForSearch('SỞ TÀI CHÍNH'), 'so tai chinh')
  t.equal(foldForSearch('Thị trấn Sa Pa'), 'thi tran sa pa')
})

t.test('precomposed and decomposed input fold alike', async (t) => {
  const nfc = 'Mường Khương'.normalize('NFC')
  const nfd = 'Mường Khương'.normalize('NFD')
  t.not(nfc, nfd)
  t.equal(foldForSearch(nfc), 'muong khuong')
  t.equal(foldForSearch(nfd), 'muong khuong')
})

t.test('whitespace is collapsed and trimmed', async (t) => {
  t.equal(foldForSearch('  Bảo   Thắng\t\nLào  Cai  '), 'bao thang lao cai')
  t.equal(foldForSearch(''), '')
})

t.test('a folded query finds the folded name', async (t) => {
  const names = ['Ủy ban nhân dân tỉnh Lào Cai', 'Ủy ban nhân dân huyện Bắc Hà', 'Sở Y tế tỉnh Điện Biên']
  const find = (q: string): string[] => names.filter((n) => foldForSearch(n).includes(foldForSearch(q)))
  t.same(find('lao cai'), ['Ủy ban nhân dân tỉnh Lào Cai'])
  t.same(find('LÀO CAI'), ['Ủy ban nhân dân tỉnh Lào Cai'])
  t.same(find('bac ha'), ['Ủy ban nhân dân huyện Bắc Hà'])
  t.same(find('dien bien'), ['Sở Y tế tỉnh Điện Biên'])
  t.same(find('ủy ban'), names.slice(0, 2))
})
