// The exchange bench's own pieces that decide what it measures: the traffic it sends and the
// chart it draws. (The bench itself is run by `lienthong bench`, never by the suite.)
import t from 'tap'
import { parentCode } from '@lienthong/contracts'
import { laocaiDirectory } from '@lienthong/seeds'
import { trafficPairs } from '../bench/exchange-traffic.ts'
import { latencyChart } from '../bench/latency-chart.ts'

t.test('the traffic runs along the directory both ways, from and to every level, the same for the same seed', async (t) => {
  const directory = laocaiDirectory()
  const levelOf = new Map(directory.map((a) => [a.code, a.level]))
  const pairs = trafficPairs(directory, 150)
  t.equal(pairs.length, 300, 'two pairs an agency drawn')
  for (const { sender, recipient } of pairs) {
    t.ok(parentCode(sender) === recipient || parentCode(recipient) === sender, `${sender} → ${recipient} is a parent and its child`)
  }
  const levels = (codes: string[]): string[] => [...new Set(codes.map((c) => levelOf.get(c)!))].sort()
  t.same(levels(pairs.map((p) => p.sender)), ['commune', 'district', 'province', 'village'])
  t.same(levels(pairs.map((p) => p.recipient)), ['commune', 'district', 'province', 'village'])
  t.same(trafficPairs(directory, 150), pairs, 'the same seed, the same traffic')
  t.not(JSON.stringify(trafficPairs(directory, 150, 7)), JSON.stringify(pairs), 'another seed, other traffic')
})

t.test('the chart is one self-contained page: a line per percentile through every load, in load order', async (t) => {
  const html = latencyChart('Độ trễ <b>', 'a & b', [
    { offered: 500, achieved: 250, p50: 800, p95: 6_000, p99: 8_000 },
    { offered: 100, achieved: 100, p50: 24, p95: 110, p99: 160 },
    { offered: 150, achieved: 142, p50: 460, p95: 900, p99: 940 }
  ])
  t.match(html, /^<!doctype html>/)
  t.notMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'no script and nothing fetched')
  t.match(html, 'Độ trễ &#60;b&#62;', 'the title is escaped')
  const lines = [...html.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' ').map((p) => Number(p.split(',')[0])))
  t.equal(lines.length, 3, 'p50, p95 and p99')
  for (const xs of lines) {
    t.equal(xs.length, 3)
    t.same(xs, [...xs].sort((a, b) => a - b), 'drawn from the lowest load to the highest')
  }
  const rows = [...html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]))
  t.same(rows, [100, 150, 500])
})
