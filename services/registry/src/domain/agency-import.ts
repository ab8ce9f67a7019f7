import { parentCode, AgencyInput, type GovernmentLevel } from '@lienthong/contracts'
import { placementProblem, type ParentFacts } from './agency-placement.ts'

/** One row of an import, with the line it came from (the CSV line, or the 1-based array position). */
export interface ImportRow { line: number, value: unknown }
export interface RowProblem { line: number, code?: string, message: string }

/**
 * Checks a whole import before anything is written: every row's shape, codes given twice, and
 * each agency's place — its parent must exist, in the file or already in the directory, and its
 * level must fit. Every problem is reported with its line, not only the first.
 */
export async function checkImport (
  rows: ImportRow[],
  existingParents: (codes: string[]) => Promise<Map<string, ParentFacts>>,
  levels: readonly GovernmentLevel[]
): Promise<{ agencies: AgencyInput[], problems: RowProblem[] }> {
  const problems: RowProblem[] = []
  const parsed: Array<{ line: number, agency: AgencyInput }> = []
  const firstLine = new Map<string, number>()
  for (const row of rows) {
    const result = AgencyInput.safeParse(row.value)
    const code = typeof (row.value as { code?: unknown })?.code === 'string' ? (row.value as { code: string }).code : undefined
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push({ line: row.line, ...(code !== undefined ? { code } : {}), message: `${issue.path.join('.') || 'row'}: ${issue.message}` })
      }
      continue
    }
    const seen = firstLine.get(result.data.code)
    if (seen !== undefined) {
      problems.push({ line: row.line, code: result.data.code, message: `the code is given twice (first on line ${seen})` })
      continue
    }
    firstLine.set(result.data.code, row.line)
    parsed.push({ line: row.line, agency: result.data })
  }

  const inFile = new Map(parsed.map((p) => [p.agency.code, p.agency]))
  // Parents already in the directory are looked up even when the file repeats them: the file
  // may rename one, but cannot bring a retired parent back to life.
  const parents = [...new Set(parsed.map((p) => parentCode(p.agency.code)).filter((c): c is string => c !== null))]
  const existing = await existingParents(parents)
  for (const { line, agency } of parsed) {
    const parentOf = parentCode(agency.code)
    const fromFile = parentOf !== null ? inFile.get(parentOf) : undefined
    const stored = parentOf !== null ? existing.get(parentOf) : undefined
    const parent: ParentFacts | undefined = fromFile !== undefined
      ? { level: fromFile.level, kind: fromFile.kind, status: stored?.status ?? 'active' }
      : stored
    const problem = placementProblem(agency, parent, levels)
    if (problem !== undefined) problems.push({ line, code: agency.code, message: problem })
  }
  problems.sort((a, b) => a.line - b.line)
  return { agencies: parsed.map((p) => p.agency), problems }
}
