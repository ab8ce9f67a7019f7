import { parentCode, type AgencyInput, type GovernmentLevel, type RecipientGroup } from '@lienthong/contracts'
import type { SeededRandom } from './seeded-random.ts'

/** How one government level's work files are made and handled in a scenario. */
export interface LevelProfile {
  /** this level's part of the scenario's work files */
  weight: number
  /** the share of its closed work files handled fully online (the figure the scenario reproduces) */
  onlineShare: number
  /** of its files not handled fully online, the part its DMS opened itself; the rest arrived and had a step on paper */
  dmsPart: number
}

/** A document to send, as a template draws it: the recipients as a list, and the group they are when addressed as one. */
export interface SendDraft {
  sender: string
  recipients: string[]
  /** set when the recipients are exactly what this group resolves to, so the send can name the group */
  group?: RecipientGroup
  type: string
  subject: string
}

/** One kind of exchange between the levels, e.g. "a district to all its communes". */
export interface SendTemplate {
  name: string
  /** the level of its recipients: the level whose work files it opens */
  recipientLevel: GovernmentLevel
  weight: number
  draw: (directory: DirectoryView, rng: SeededRandom) => SendDraft
}

export interface Scenario {
  name: string
  directory: AgencyInput[]
  levels: Record<GovernmentLevel, LevelProfile>
  sends: SendTemplate[]
  /** titles of the work files a DMS opens itself (an application handed in, a matter raised in a meeting) */
  dmsTitles: string[]
  defaults: { files: number, seed: string }
}

/** The directory as a scenario reads it: agencies by level, kind and parent. */
export class DirectoryView {
  readonly byCode: Map<string, AgencyInput>
  private readonly children = new Map<string, AgencyInput[]>()

  constructor (readonly agencies: AgencyInput[]) {
    this.byCode = new Map(agencies.map((a) => [a.code, a]))
    for (const a of agencies) {
      const parent = parentCode(a.code)
      if (parent === null) continue
      const list = this.children.get(parent) ?? []
      list.push(a)
      this.children.set(parent, list)
    }
  }

  get (code: string): AgencyInput {
    const found = this.byCode.get(code)
    if (found === undefined) throw new Error(`${code} is not in the directory`)
    return found
  }

  atLevel (level: GovernmentLevel, kind?: AgencyInput['kind']): AgencyInput[] {
    return this.agencies.filter((a) => a.level === level && (kind === undefined || a.kind === kind))
  }

  childrenOf (code: string, level?: GovernmentLevel): AgencyInput[] {
    return (this.children.get(code) ?? []).filter((a) => level === undefined || a.level === level)
  }

  parentOf (code: string): AgencyInput {
    const parent = parentCode(code)
    if (parent === null) throw new Error(`${code} has no parent`)
    return this.get(parent)
  }
}
