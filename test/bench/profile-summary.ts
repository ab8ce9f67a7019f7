// Where a service's CPU went, from a .cpuprofile (the preload's, or --cpu-prof's): self time by
// function and by package, the busiest first. Used for docs/performance.md.
//
//   node --import tsx test/bench/profile-summary.ts <file.cpuprofile> [rows = 25]
import { readFileSync } from 'node:fs'

interface ProfileNode { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface Profile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

/** The package a frame belongs to: an npm package's name, `node:` internals, or the workspace. */
export function packageOf (url: string): string {
  if (url === '') return '(native / idle / gc)'
  if (url.startsWith('node:')) return 'node internals'
  const npm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (npm !== null) return npm[1]!
  return 'lienthong (bundle)'
}

const nameOf = (frame: ProfileNode['callFrame']): string => `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-1)[0] ?? ''}:${frame.lineNumber + 1}`

/**
 * Self time by function and by package, and the project's own functions by inclusive time (what
 * they and everything they called took: the steps of a document).
 */
export function selfTimes (profile: Profile): { byFunction: Map<string, number>, byPackage: Map<string, number>, ownInclusive: Map<string, number>, totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  const ownInclusive = new Map<string, number>()
  let totalMs = 0
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000
    const frame = byId.get(id)!.callFrame
    if (frame.functionName === '(idle)') return
    totalMs += ms
    const name = nameOf(frame)
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms)
    const pkg = packageOf(frame.url)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame
      if (packageOf(f.url) !== 'lienthong (bundle)' || f.functionName === '') continue
      const own = nameOf(f)
      if (seen.has(own)) continue
      seen.add(own)
      ownInclusive.set(own, (ownInclusive.get(own) ?? 0) + ms)
    }
  })
  return { byFunction, byPackage, ownInclusive, totalMs }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2]
  if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [rows]')
  const rows = Number(process.argv[3] ?? 25)
  const { byFunction, byPackage, ownInclusive, totalMs } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile)
  const top = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)
    .map(([k, v]) => `${v.toFixed(0).padStart(8)} ms ${((v / totalMs) * 100).toFixed(1).padStart(5)} %  ${k}`).join('\n')
  process.stdout.write(`${file}: ${totalMs.toFixed(0)} ms of CPU (not idle)\n\nby package\n${top(byPackage)}\n\nby function (self time)\n${top(byFunction)}\n\nthe project's functions (inclusive time)\n${top(ownInclusive)}\n`)
}
