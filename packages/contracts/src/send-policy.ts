import { z } from 'zod'
import { GovernmentLevel } from './agency.ts'

/**
 * Which agency may send to whom, as data: an ordered list of named rules, each relating the sender
 * to one recipient. The first rule that matches decides (`allow` or `deny`); when none matches the
 * recipient is refused under the name `no-rule-allows`. Routing applies it to every recipient of a
 * send, and the mail gateway can apply the very same policy.
 *
 * A rule speaks of government levels (data on each agency) and code depths (1 for `000.00.00.H38`
 * … 4 for `007.05.31.H38`), never of a fixed tier list, so a two-tier directory (province →
 * commune) needs only another policy file.
 */

/** 1 for a level-1 code (a province, a central body) … 4 for a village. */
export const CodeDepth = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)])
export type CodeDepth = z.infer<typeof CodeDepth>

/**
 * Whose subtree the recipient must lie in, the anchor itself included: the sender's own, its
 * parent's (so its parent and its siblings' subtrees), its province's (the level-1 code above it),
 * or `anywhere`.
 */
export const POLICY_SCOPES = ['sender', 'parent', 'root', 'anywhere'] as const
export const PolicyScope = z.enum(POLICY_SCOPES)
export type PolicyScope = z.infer<typeof PolicyScope>

const Levels = z.array(GovernmentLevel).min(1)
const Depths = z.array(CodeDepth).min(1)

export const SendPolicyRule = z.object({
  /** named in every refusal; lower-case words joined by hyphens */
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a rule name is lower-case words joined by hyphens, e.g. village-to-own-commune').max(80),
  effect: z.enum(['allow', 'deny']),
  /** which senders the rule is about; absent: every sender */
  sender: z.object({ level: Levels.optional(), depth: Depths.optional() }).strict().optional(),
  /** which recipients, seen from the sender; each field present must hold */
  recipient: z.object({ within: PolicyScope, level: Levels.optional(), depth: Depths.optional() }).strict()
}).strict()
export type SendPolicyRule = z.infer<typeof SendPolicyRule>

/** The name a refusal carries when no rule allows the recipient. */
export const NO_RULE_ALLOWS = 'no-rule-allows'

export const SendPolicy = z.object({
  rules: z.array(SendPolicyRule).min(1, 'a policy needs at least one rule').max(500)
}).strict().superRefine((policy, ctx) => {
  const seen = new Set<string>()
  policy.rules.forEach((rule, i) => {
    if (rule.name === NO_RULE_ALLOWS) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `${NO_RULE_ALLOWS} is the name of a refusal no rule allows; pick another` })
    if (seen.has(rule.name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `the rule name ${rule.name} is used twice` })
    seen.add(rule.name)
  })
})
export type SendPolicy = z.infer<typeof SendPolicy>

const rule = (name: string, sender: SendPolicyRule['sender'], recipient: SendPolicyRule['recipient']): SendPolicyRule =>
  ({ name, effect: 'allow', sender, recipient })

/**
 * The default for the four tiers of 2023: a village writes to its commune and the commune's other
 * villages; a commune to its villages, its district's agencies, the district's communes and the
 * province level; a district to its subtree, the other districts and the province level; the
 * province level (People's Committee and departments) to everyone in the province; a province's
 * People's Committee to the other provinces' People's Committees.
 */
export const DEFAULT_SEND_POLICY: SendPolicy = SendPolicy.parse({
  rules: [
    rule('village-to-own-commune', { level: ['village'] }, { within: 'parent', level: ['commune'] }),
    rule('village-to-sibling-villages', { level: ['village'] }, { within: 'parent', level: ['village'] }),
    rule('commune-to-own-villages', { level: ['commune'] }, { within: 'sender', level: ['village'] }),
    rule('commune-to-own-district', { level: ['commune'] }, { within: 'parent', level: ['district'] }),
    rule('commune-to-district-communes', { level: ['commune'] }, { within: 'parent', level: ['commune'] }),
    rule('commune-to-province-level', { level: ['commune'] }, { within: 'root', level: ['province'] }),
    rule('district-to-own-subtree', { level: ['district'] }, { within: 'sender' }),
    rule('district-to-districts', { level: ['district'] }, { within: 'root', level: ['district'] }),
    rule('district-to-province-level', { level: ['district'] }, { within: 'root', level: ['province'] }),
    rule('province-level-to-province', { level: ['province'] }, { within: 'root' }),
    rule('province-to-province', { level: ['province'], depth: [1] }, { within: 'anywhere', level: ['province'], depth: [1] })
  ]
})
