import type { DirectoryEntry, Recipients } from '@lienthong/contracts'
import type { ErrorFactory } from '@lienthong/platform'
import { resolveGroup } from './recipient-groups.ts'

interface DirectoryView {
  get: (code: string) => DirectoryEntry | undefined
  values: () => Iterable<DirectoryEntry>
}

/** The sender and the recipient codes of a request, each checked against the directory. */
export function resolveAddressing (directory: DirectoryView, sender: string, to: Recipients, fail: ErrorFactory<'routing'>): string[] {
  const senderEntry = directory.get(sender)
  if (senderEntry === undefined || senderEntry.status !== 'active') {
    throw fail('SENDER_INACTIVE', `the sending agency ${sender} is not an active agency of the directory`)
  }
  if (!Array.isArray(to)) {
    const codes = resolveGroup(directory, sender, to)
    if (codes.length === 0) throw fail('EMPTY_GROUP', `the group ${JSON.stringify(to)} names no active agency`)
    return codes
  }
  const unknown = to.filter((code) => directory.get(code) === undefined)
  if (unknown.length > 0) throw fail('UNKNOWN_RECIPIENT', `not in the directory: ${unknown.join(', ')}`, { recipients: unknown })
  const inactive = to.filter((code) => directory.get(code)?.status !== 'active')
  if (inactive.length > 0) throw fail('INACTIVE_RECIPIENT', `not active: ${inactive.join(', ')}`, { recipients: inactive })
  if (to.includes(sender)) throw fail('SELF_ADDRESSED', `${sender} is among its own recipients`)
  return to
}
