// Who sends to whom in the end-to-end bench: pairs along the directory's own lines (a village and
// its commune, a commune and its district, a district or department and the province), both ways,
// so every level sends and receives and the default sending policy allows every pair.
import { parentCode, type AgencyInput } from '@lienthong/contracts'
import { SeededRandom } from '../../packages/cli/src/simulation/seeded-random.ts'

export interface TrafficPair { sender: string, recipient: string }

/**
 * `edges` agencies drawn at random from those with a parent, each giving two pairs (up to its
 * parent and down from it). The senders are then a few hundred agencies of every level, as in a
 * province's working day, without a token for each of the 1,745. The same seed, the same traffic.
 */
export function trafficPairs (directory: AgencyInput[], edges: number, seed = 2023): TrafficPair[] {
  const known = new Set(directory.map((a) => a.code))
  const children = directory.filter((a) => { const p = parentCode(a.code); return p !== null && known.has(p) })
  const random = new SeededRandom(seed)
  const chosen = new Set<string>()
  while (chosen.size < Math.min(edges, children.length)) chosen.add(random.pick(children).code)
  return [...chosen].flatMap((code) => {
    const parent = parentCode(code)!
    return [{ sender: code, recipient: parent }, { sender: parent, recipient: code }]
  })
}
