// What every benchmark reports the same way: the machine it ran on, a table on the terminal, and
// a JSON file in bench-results/. (Not itself a bench: `lienthong bench` runs *.bench.ts only.)
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '@lienthong/infra'

export interface MachineFacts {
  cpu: string | undefined
  cpus: number
  totalMemoryBytes: number
  node: string
  platform: string
  /** whatever else runs on the machine slows every figure; the load says how much there was */
  loadAverageAtStart: number[]
  loadAverageAtEnd: number[]
}

export function machineFacts (loadAverageAtStart: number[]): MachineFacts {
  return {
    cpu: os.cpus()[0]?.model,
    cpus: os.cpus().length,
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart,
    loadAverageAtEnd: os.loadavg()
  }
}

export function loadLine (machine: MachineFacts): string {
  const fmt = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ')
  return `load average at start ${fmt(machine.loadAverageAtStart)}, at end ${fmt(machine.loadAverageAtEnd)}`
}

/** A table in padded columns, a rule under the head. */
export function printTable (head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  process.stdout.write([line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n')
}

/** Writes bench-results/<bench>-<time>.json and says where. */
export function writeResult (bench: string, result: Record<string, unknown>): string {
  const at = new Date().toISOString()
  const dir = join(repoRoot, 'bench-results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${bench}-${at.replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ bench, at, ...result }, null, 2) + '\n')
  process.stdout.write(`written to ${file}\n`)
  return file
}
