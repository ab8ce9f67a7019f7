// Latency against offered load as one self-contained HTML page (inline SVG, no script, no
// network): it opens from bench-results/ in any browser and can be attached to a report.

export interface ChartPoint { offered: number, achieved: number, p50: number, p95: number, p99: number }

const W = 720
const H = 420
const M = { left: 70, right: 150, top: 40, bottom: 60 }

function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Log scale for latency: a backlog's seconds and a quiet system's milliseconds fit one axis. */
export function latencyChart (title: string, subtitle: string, points: ChartPoint[]): string {
  const sorted = [...points].sort((a, b) => a.offered - b.offered)
  const maxX = Math.max(1, ...sorted.map((p) => p.offered)) * 1.05
  const ys = sorted.flatMap((p) => [p.p50, p.p95, p.p99]).filter((y) => Number.isFinite(y) && y > 0)
  const minY = 10 ** Math.floor(Math.log10(Math.min(1, ...ys)))
  const maxY = 10 ** Math.ceil(Math.log10(Math.max(10, ...ys)))
  const x = (v: number): number => M.left + (v / maxX) * (W - M.left - M.right)
  const y = (v: number): number => H - M.bottom - ((Math.log10(Math.max(v, minY)) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY))) * (H - M.top - M.bottom)
  const series: Array<{ name: string, colour: string, pick: (p: ChartPoint) => number }> = [
    { name: 'p50', colour: '#1b7f3b', pick: (p) => p.p50 },
    { name: 'p95', colour: '#c77700', pick: (p) => p.p95 },
    { name: 'p99', colour: '#b3261e', pick: (p) => p.p99 }
  ]
  const parts: string[] = []
  for (let d = minY; d <= maxY; d *= 10) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(d)}" y2="${y(d)}" stroke="#ddd"/><text x="${M.left - 8}" y="${y(d) + 4}" text-anchor="end">${d >= 1000 ? `${d / 1000} s` : `${d} ms`}</text>`)
  }
  for (const p of sorted) {
    parts.push(`<line x1="${x(p.offered)}" x2="${x(p.offered)}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}" stroke="#333"/><text x="${x(p.offered)}" y="${H - M.bottom + 20}" text-anchor="middle">${p.offered}</text>`)
  }
  series.forEach((s, i) => {
    const path = sorted.filter((p) => Number.isFinite(s.pick(p))).map((p) => `${x(p.offered).toFixed(1)},${y(s.pick(p)).toFixed(1)}`).join(' ')
    parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${path}"/>`)
    for (const p of sorted) if (Number.isFinite(s.pick(p))) parts.push(`<circle cx="${x(p.offered)}" cy="${y(s.pick(p))}" r="3" fill="${s.colour}"><title>${s.name} at ${p.offered}/s: ${s.pick(p).toFixed(1)} ms (achieved ${p.achieved.toFixed(0)}/s)</title></circle>`)
    parts.push(`<line x1="${W - M.right + 15}" x2="${W - M.right + 40}" y1="${M.top + 20 * i}" y2="${M.top + 20 * i}" stroke="${s.colour}" stroke-width="2"/><text x="${W - M.right + 46}" y="${M.top + 20 * i + 4}">${s.name}</text>`)
  })
  const rows = sorted.map((p) => `<tr><td>${p.offered}</td><td>${p.achieved.toFixed(0)}</td><td>${p.p50.toFixed(1)}</td><td>${p.p95.toFixed(1)}</td><td>${p.p99.toFixed(1)}</td></tr>`).join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}svg text{font:12px system-ui,sans-serif;fill:#333}table{border-collapse:collapse;margin-top:1em}td,th{padding:.25em .8em;text-align:right;border-bottom:1px solid #ddd}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(subtitle)}</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">
<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>
<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#333"/>
${parts.join('\n')}
<text x="${(M.left + W - M.right) / 2}" y="${H - 15}" text-anchor="middle">offered load (documents/s)</text>
<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">latency (log scale)</text>
</svg>
<table><thead><tr><th>offered /s</th><th>achieved /s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>
`
}
