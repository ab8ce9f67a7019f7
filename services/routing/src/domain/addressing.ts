import { NO_RULE_ALLOWS, type DirectoryEntry, type Recipients, type SendPolicy } from '@lienthong/contracts'
import type { AppError, ErrorFactory } from '@lienthong/platform'
import { refusedRecipients, senderPolicy, type PolicyRefusal, type SenderPolicy } from './policy.ts'
import { resolveGroup } from './recipient-groups.ts'

interface DirectoryView {
  get: (code: string) => DirectoryEntry | undefined
  values: () => Iterable<DirectoryEntry>
}

export interface AddressingRules {
  policy: SendPolicy
  /** the most recipients a send may resolve to */
  recipientsMax: number
}

/** How many refused recipients a refusal lists; the count says how many there were in all. */
export const REFUSALS_LISTED = 20

/**
 * The recipients of a request: the sender active, every code known and active, the sending policy
 * allowing each, and no more than the limit. An explicit list is taken whole or refused whole; a
 * group is the active agencies it names that the sender may write to (decision 012), refused only
 * when the policy leaves no one.
 */
export function resolveAddressing (directory: DirectoryView, sender: string, to: Recipients, fail: ErrorFactory<'routing'>, rules: AddressingRules): string[] {
  const senderEntry = directory.get(sender)
  if (senderEntry === undefined || senderEntry.status !== 'active') {
    throw fail('SENDER_INACTIVE', `the sending agency ${sender} is not an active agency of the directory`)
  }
  const policy = senderPolicy(rules.policy, senderEntry)
  const recipients = Array.isArray(to) ? checkedList(directory, sender, to, policy, fail) : groupMembers(directory, senderEntry, to, policy, fail)
  if (recipients.length > rules.recipientsMax) {
    throw fail('TOO_MANY_RECIPIENTS', `${recipients.length} recipients, more than the ${rules.recipientsMax} one send may have; split the send`, { count: recipients.length, max: rules.recipientsMax })
  }
  return recipients
}

function checkedList (directory: DirectoryView, sender: string, to: string[], policy: SenderPolicy, fail: ErrorFactory<'routing'>): string[] {
  const unknown = to.filter((code) => directory.get(code) === undefined)
  if (unknown.length > 0) throw fail('UNKNOWN_RECIPIENT', `not in the directory: ${unknown.join(', ')}`, { recipients: unknown })
  const entries = to.map((code) => directory.get(code) as DirectoryEntry)
  const inactive = entries.filter((e) => e.status !== 'active').map((e) => e.code)
  if (inactive.length > 0) throw fail('INACTIVE_RECIPIENT', `not active: ${inactive.join(', ')}`, { recipients: inactive })
  if (to.includes(sender)) throw fail('SELF_ADDRESSED', `${sender} is among its own recipients`)
  const refused = refusedRecipients(policy, entries)
  if (refused.length > 0) throw policyRefusal(fail, sender, refused, policy)
  return to
}

function groupMembers (directory: DirectoryView, sender: DirectoryEntry, to: Exclude<Recipients, string[]>, policy: SenderPolicy, fail: ErrorFactory<'routing'>): string[] {
  const codes = resolveGroup(directory, sender.code, to)
  if (codes.length === 0) throw fail('EMPTY_GROUP', `the group ${JSON.stringify(to)} names no active agency`)
  const entries = codes.map((code) => directory.get(code) as DirectoryEntry)
  const refused = refusedRecipients(policy, entries)
  if (refused.length === codes.length) throw policyRefusal(fail, sender.code, refused, policy, `the group ${JSON.stringify(to)}: `)
  if (refused.length === 0) return codes
  const left = new Set(refused.map((r) => r.recipient))
  return codes.filter((code) => !left.has(code))
}

/** RTE_POLICY_REFUSED naming the rule: a deny rule's name, or `no-rule-allows` with the rules tried. */
function policyRefusal (fail: ErrorFactory<'routing'>, sender: string, refused: PolicyRefusal[], policy: SenderPolicy, prefix = ''): AppError {
  const first = refused[0] as PolicyRefusal
  const listed = refused.slice(0, REFUSALS_LISTED)
  const rules = [...new Set(refused.map((r) => r.rule))]
  const more = refused.length > listed.length ? ` and ${refused.length - listed.length} more` : ''
  const why = (rule: string): string => rule === NO_RULE_ALLOWS
    ? `no-rule-allows (rules for this sender: ${policy.considered.length > 0 ? policy.considered.join(', ') : 'none'})`
    : `rule ${rule}`
  const detail = `${prefix}the sending policy does not let ${sender} send to ${listed.map((r) => r.recipient).join(', ')}${more}: ${rules.map(why).join('; ')}`
  return fail('POLICY_REFUSED', detail, {
    rule: first.rule,
    rules,
    rulesConsidered: policy.considered,
    recipients: listed.map((r) => r.recipient),
    refusals: listed,
    refusedCount: refused.length
  })
}
