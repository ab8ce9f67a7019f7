import t from 'tap'
import { asciiFallback, contentDisposition, encodeExtValue } from '../../src/domain/content-disposition.ts'

t.test('a Vietnamese name travels exactly in filename*, and as plain letters in filename', async (t) => {
  const name = 'Quyết định số 12 (Đợt 1).pdf'
  const header = contentDisposition(name)
  t.equal(asciiFallback(name), 'Quyet dinh so 12 (Dot 1).pdf')
  t.match(header, /^attachment; filename="Quyet dinh so 12 \(Dot 1\)\.pdf"; filename\*=UTF-8''/)
  const encoded = header.split("filename*=UTF-8''")[1]!
  t.match(encoded, /^[A-Za-z0-9!#$&+\-.^_`|~%]+$/, 'only attr-chars and %XX')
  t.equal(decodeURIComponent(encoded), name, 'decodes to the name')
})

t.test('quotes, backslashes and percent signs cannot break the header', async (t) => {
  t.equal(asciiFallback('a"b\\c%d.txt'), 'a_b_c_d.txt')
  t.equal(encodeExtValue("it's (1)*.txt"), 'it%27s%20%281%29%2A.txt')
  t.equal(asciiFallback('文件.pdf'), '__.pdf')
})
