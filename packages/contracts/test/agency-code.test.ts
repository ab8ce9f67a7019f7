import t from 'tap'
import {
  AGENCY_CODE_PATTERN, AgencyCode, codeDepth, codeToSubjectTokens, formatAgencyCode, isAgencyCode,
  parentCode, parseAgencyCode, subjectTokensToCode
} from '../src/agency-code.ts'

const VALID = ['000.00.00.H38', '000.00.01.H38', '000.00.31.H38', '000.05.31.H38', '007.05.31.H38', '000.00.00.G01', '123.45.67.Z99']

t.test('isAgencyCode accepts well-formed codes of every depth', async (t) => {
  for (const code of VALID) t.equal(isAgencyCode(code), true, code)
})

t.test('isAgencyCode refuses malformed codes', async (t) => {
  const invalid = [
    '', 'H38', '000.00.00', '00.00.00.H38', '0000.00.00.H38', '000.0.00.H38', '000.00.000.H38',
    '000.00.00.h38', '000.00.00.H3', '000.00.00.H381', '000.00.00.381', '000-00-00-H38',
    ' 000.00.00.H38', '000.00.00.H38 ', '000.00.00.H38\n', 'aaa.00.00.H38', '000.00.31.HH8'
  ]
  for (const code of invalid) t.equal(isAgencyCode(code), false, JSON.stringify(code))
})

t.test('a zero part above a non-zero part is not a place in the tree', async (t) => {
  // commune under no district, village under no commune, village under no district
  for (const code of ['000.05.00.H38', '007.00.31.H38', '007.05.00.H38', '007.00.00.H38']) {
    t.equal(isAgencyCode(code), false, code)
    t.equal(parseAgencyCode(code), null, code)
    t.equal(AGENCY_CODE_PATTERN.test(code), true, `${code} matches the bare pattern, so only the tree rule refuses it`)
  }
})

t.test('parseAgencyCode reads the parts right to left', async (t) => {
  t.same(parseAgencyCode('007.05.31.H38'), { root: 'H38', l2: '31', l3: '05', l4: '007' })
  t.same(parseAgencyCode('000.00.00.H38'), { root: 'H38', l2: '00', l3: '00', l4: '000' })
  t.equal(parseAgencyCode('not a code'), null)
})

t.test('codeDepth counts non-zero parts', async (t) => {
  const depth = (code: string): number => {
    const parts = parseAgencyCode(code)
    if (parts === null) throw new Error(code)
    return codeDepth(parts)
  }
  t.equal(depth('000.00.00.H38'), 1)
  t.equal(depth('000.00.31.H38'), 2)
  t.equal(depth('000.00.01.H38'), 2, 'a department sits at depth 2 like a district')
  t.equal(depth('000.05.31.H38'), 3)
  t.equal(depth('007.05.31.H38'), 4)
})

t.test('formatAgencyCode is the inverse of parseAgencyCode', async (t) => {
  for (const code of VALID) {
    const parts = parseAgencyCode(code)
    t.ok(parts, code)
    if (parts !== null) t.equal(formatAgencyCode(parts), code)
  }
})

t.test('parentCode zeroes the most specific non-zero part, up to the root', async (t) => {
  const chain: Array<string | null> = []
  let code: string | null = '007.05.31.H38'
  while (code !== null) {
    chain.push(code)
    code = parentCode(code)
  }
  chain.push(code)
  t.same(chain, ['007.05.31.H38', '000.05.31.H38', '000.00.31.H38', '000.00.00.H38', null])
  t.equal(parentCode('000.00.01.H38'), '000.00.00.H38', 'a department\'s parent is the province')
  t.equal(parentCode('010.20.30.H38'), '000.20.30.H38', 'parts with inner zeros are not zero parts')
})

t.test('parentCode throws on a malformed code', async (t) => {
  t.throws(() => parentCode('bad'), /not an agency code: bad/)
  t.throws(() => parentCode('007.00.31.H38'), /not an agency code/)
})

t.test('codeToSubjectTokens puts the root first', async (t) => {
  t.equal(codeToSubjectTokens('007.05.31.H38'), 'H38.31.05.007')
  t.equal(codeToSubjectTokens('000.00.00.H38'), 'H38.00.00.000')
  t.equal(codeToSubjectTokens('000.00.31.H38'), 'H38.31.00.000')
  t.throws(() => codeToSubjectTokens('H38.31.05.007'), /not an agency code/)
})

t.test('subjectTokensToCode round-trips codeToSubjectTokens', async (t) => {
  for (const code of VALID) t.equal(subjectTokensToCode(codeToSubjectTokens(code)), code, code)
  t.equal(subjectTokensToCode('H38.31.05.007'), '007.05.31.H38')
})

t.test('subjectTokensToCode refuses tokens that are not a code', async (t) => {
  for (const tokens of ['', 'H38', 'H38.31.05', '007.05.31.H38', 'H38.00.05.000', 'H38.31.00.007', 'deliver.H38.31.05.007', 'H38.*.05.007', 'H38.>']) {
    t.throws(() => subjectTokensToCode(tokens), /not agency subject tokens/, JSON.stringify(tokens))
  }
})

t.test('subjectTokensToCode refuses trailing tokens after the code', async (t) => {
  // Four tokens make a code; a fifth means the input is not the tokens of one agency.
  t.throws(() => subjectTokensToCode('H38.31.05.007.extra'), /not agency subject tokens/)
  t.throws(() => subjectTokensToCode('H38.31.05.007.>'), /not agency subject tokens/)
})

t.test('AgencyCode schema', async (t) => {
  t.equal(AgencyCode.parse('000.00.31.H38'), '000.00.31.H38')
  const r = AgencyCode.safeParse('31.H38')
  t.equal(r.success, false)
  t.equal(r.error?.issues[0]?.message, 'must be an agency code DDD.CC.BB.Xnn (QCVN 102:2016), e.g. 000.00.31.H38')
  t.equal(AgencyCode.safeParse('000.05.00.H38').success, false, 'the tree rule applies in the schema too')
  t.equal(AgencyCode.safeParse(38).success, false)
})
