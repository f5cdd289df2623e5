import t from 'tap'
import { csvCell, csvLine } from './csv.js'

t.test('RFC 4180 quoting and formula guard', async (t) => {
  t.equal(csvCell('plain'), 'plain')
  t.equal(csvCell('a,b'), '"a,b"')
  t.equal(csvCell('say "hi"'), '"say ""hi"""')
  t.equal(csvCell('line\nbreak'), '"line\nbreak"')
  t.equal(csvCell('=SUM(A1)'), "'=SUM(A1)")
  t.equal(csvCell('@cmd'), "'@cmd")
  t.equal(csvCell(-5), '-5', 'numbers are numbers, not formulas')
  t.equal(csvCell(null), '')
  t.equal(csvLine(['学员', true, 3]), '学员,true,3\r\n')
})
