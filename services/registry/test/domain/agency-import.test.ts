import t from 'tap'
import type { ParentFacts } from '../../src/domain/agency-placement.ts'
import { checkImport } from '../../src/domain/agency-import.ts'
import { csvRows } from '../../src/domain/agency-csv.ts'

const LEVELS = ['province', 'district', 'commune', 'village'] as const
const existing = async (codes: string[]): Promise<Map<string, ParentFacts>> => new Map(codes
  .filter((c) => c === '000.00.00.H38')
  .map((c) => [c, { level: 'province', kind: 'people_committee', status: 'active' } as ParentFacts]))

t.test('every bad row is reported with its line; good rows find parents in the file or the directory', async (t) => {
  const csv = [
    'code,name,level,kind',
    '000.00.31.H38,Ủy ban nhân dân thành phố Lào Cai,district,people_committee',
    '000.01.31.H38,Ủy ban nhân dân phường Duyên Hải,commune,people_committee',
    '31.H38,Bad code,district,people_committee',
    '000.01.32.H38,Orphan commune,commune,people_committee',
    '000.01.31.H38,Twice,commune,people_committee',
    '000.00.33.H38,Wrong level,commune,people_committee',
    `000.00.34.H38,${'x'.repeat(301)},district,people_committee`,
    '000.00.35.H38,"Tab\tin name",district,people_committee',
    '000.00.36.H38,Unknown kind,district,ministry'
  ].join('\n')
  const { rows, problems: parseProblems } = csvRows(csv)
  t.same(parseProblems, [])
  const { agencies, problems } = await checkImport(rows, existing, LEVELS)
  t.same(problems.map((p) => p.line), [4, 5, 6, 7, 8, 9, 10])
  t.match(problems[0]!.message, /agency code/)
  t.match(problems[1]!.message, /parent 000.00.32.H38 does not exist/)
  t.match(problems[2]!.message, /given twice \(first on line 3\)/)
  t.match(problems[3]!.message, /district level, not commune/)
  t.match(problems[4]!.message, /longer than 300/)
  t.match(problems[5]!.message, /control characters/)
  t.match(problems[6]!.message, /kind/)
  t.ok(agencies.some((a) => a.code === '000.01.31.H38'), 'the commune found its district in the same file')
})

t.test('CSV that is not CSV, or lacks columns, is one clear problem', async (t) => {
  t.match(csvRows('code,name\n000.00.31.H38,X').problems[0]!.message, /lacks level, kind/)
  t.equal(csvRows('code,name,level,kind\n"unterminated,x,y,z').problems.length, 1)
})
