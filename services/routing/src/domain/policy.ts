import { readFileSync } from 'node:fs'
import { NO_RULE_ALLOWS, SendPolicy, codeDepth, parseAgencyCode, subtreeTokenPrefix, type DirectoryEntry, type SendPolicyRule } from '@lienthong/contracts'

/** What the policy says of one recipient: allowed or not, and the name of the rule that decided. */
export interface PolicyVerdict {
  allowed: boolean
  rule: string
}

/** The policy seen from one sender: decides each recipient without touching anything but the codes. */
export interface SenderPolicy {
  decide: (recipient: DirectoryEntry) => PolicyVerdict
  /** the rules that apply to this sender, in order: what a refusal by no rule lists */
  considered: string[]
}

interface BoundRule {
  rule: SendPolicyRule
  /** root-first token prefix the recipient's code must start with; '' for anywhere; null: never */
  prefix: string | null
}

// Root-first tokens plus a trailing dot, so `H38.31.` matches `H38.31.05.007.` but not `H38.310…`.
function tokensOf (code: string): { tokens: string, depth: 1 | 2 | 3 | 4 } | null {
  const p = parseAgencyCode(code)
  return p === null ? null : { tokens: `${p.root}.${p.l2}.${p.l3}.${p.l4}.`, depth: codeDepth(p) }
}

function senderMatches (rule: SendPolicyRule, sender: DirectoryEntry, depth: number): boolean {
  const s = rule.sender
  if (s === undefined) return true
  return (s.level === undefined || s.level.includes(sender.level)) &&
    (s.depth === undefined || (s.depth as number[]).includes(depth))
}

function anchorPrefix (rule: SendPolicyRule, sender: DirectoryEntry, root: string): string | null {
  switch (rule.recipient.within) {
    case 'anywhere': return ''
    case 'sender': return subtreeTokenPrefix(sender.code)
    case 'parent': return sender.parent === null ? null : subtreeTokenPrefix(sender.parent)
    case 'root': return `${root}.`
  }
}

/**
 * Binds the policy to one sender once (its rules and their subtree prefixes), so that each of the
 * ~1,744 recipients of a province broadcast costs a code parse and a few string compares.
 */
export function senderPolicy (policy: SendPolicy, sender: DirectoryEntry): SenderPolicy {
  const own = tokensOf(sender.code)
  const root = parseAgencyCode(sender.code)?.root
  const bound: BoundRule[] = own === null || root === undefined
    ? []
    : policy.rules.filter((rule) => senderMatches(rule, sender, own.depth)).map((rule) => ({ rule, prefix: anchorPrefix(rule, sender, root) }))
  const considered = bound.map((b) => b.rule.name)
  return {
    considered,
    decide (recipient) {
      const r = tokensOf(recipient.code)
      if (r !== null) {
        for (const { rule, prefix } of bound) {
          const want = rule.recipient
          if (prefix === null || !r.tokens.startsWith(prefix)) continue
          if (want.level !== undefined && !want.level.includes(recipient.level)) continue
          if (want.depth !== undefined && !(want.depth as number[]).includes(r.depth)) continue
          return { allowed: rule.effect === 'allow', rule: rule.name }
        }
      }
      return { allowed: false, rule: NO_RULE_ALLOWS }
    }
  }
}

export interface PolicyRefusal {
  recipient: string
  rule: string
}

/** Every recipient the policy refuses, in the order given, with the rule that refused it. */
export function refusedRecipients (policy: SenderPolicy, recipients: Iterable<DirectoryEntry>): PolicyRefusal[] {
  const refused: PolicyRefusal[] = []
  for (const r of recipients) {
    const verdict = policy.decide(r)
    if (!verdict.allowed) refused.push({ recipient: r.code, rule: verdict.rule })
  }
  return refused
}

/**
 * Reads and checks a policy file. Throws with the path and every problem named, so that a bad file
 * stops the service at start instead of refusing (or allowing) sends at random later.
 */
export function loadSendPolicy (path: string): SendPolicy {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new Error(`cannot read the policy file ${path}: ${(err as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new Error(`the policy file ${path} is not JSON: ${(err as Error).message}`)
  }
  const parsed = SendPolicy.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')
    throw new Error(`the policy file ${path} is not a valid sending policy: ${problems}`)
  }
  return parsed.data
}
