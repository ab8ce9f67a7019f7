import { codeToSubjectTokens, parentCode, type AgencyInput, type DirectoryEntry, type GovernmentLevel } from '@lienthong/contracts'
import type { agencies } from '../db/schema.ts'
import { foldForSearch } from './name-search.ts'

export type AgencyRow = typeof agencies.$inferSelect

export function toDirectoryEntry (row: AgencyRow): DirectoryEntry {
  return {
    code: row.code,
    name: row.name,
    level: row.level as GovernmentLevel,
    kind: row.kind as DirectoryEntry['kind'],
    parent: row.parent,
    status: row.status as DirectoryEntry['status'],
    statusSince: row.statusSince.toISOString(),
    endpoints: { webhookUrl: row.webhookUrl, mailAddress: row.mailAddress },
    version: row.version
  }
}

/** The columns an agency's input decides; the rest (status, version, times) the registry keeps. */
export function inputColumns (a: AgencyInput): Pick<AgencyRow, 'code' | 'name' | 'nameSearch' | 'level' | 'kind' | 'parent' | 'path'> {
  const name = a.name.normalize('NFC')
  return { code: a.code, name, nameSearch: foldForSearch(name), level: a.level, kind: a.kind, parent: parentCode(a.code), path: codeToSubjectTokens(a.code) }
}
