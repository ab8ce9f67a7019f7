import { codeToSubjectTokens, subtreeTokenPrefix, type DirectoryEntry, type RecipientGroup } from '@lienthong/contracts'

interface DirectoryView {
  get: (code: string) => DirectoryEntry | undefined
  values: () => Iterable<DirectoryEntry>
}

/**
 * The agencies a group names, resolved against the directory at send time: `children` and
 * `subtree` of an agency (optionally only one government level), its `parent`, or its `peers`
 * (same parent). `of` defaults to the sender. Only active agencies are addressed by a group.
 */
export function resolveGroup (directory: DirectoryView, sender: string, group: RecipientGroup): string[] {
  const of = group.of ?? sender
  const anchor = directory.get(of)
  if (anchor === undefined) return []
  const picked: string[] = []
  const keep = (e: DirectoryEntry): void => {
    if (e.status === 'active' && e.code !== sender && (group.level === undefined || e.level === group.level)) picked.push(e.code)
  }
  if (group.group === 'parent') {
    const parent = anchor.parent !== null ? directory.get(anchor.parent) : undefined
    if (parent !== undefined) keep(parent)
    return picked
  }
  const prefix = subtreeTokenPrefix(of)
  for (const e of directory.values()) {
    if (e.code === of) continue
    if (group.group === 'children' && e.parent === of) keep(e)
    else if (group.group === 'subtree' && codeToSubjectTokens(e.code).startsWith(prefix)) keep(e)
    else if (group.group === 'peers' && e.parent !== null && e.parent === anchor.parent) keep(e)
  }
  return picked.sort()
}
