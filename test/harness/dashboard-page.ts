import type { Page } from 'playwright-core'

/** What the auditors' dashboard shows, read from its `data-*` attributes, as text. */
export interface ShownDashboard {
  levels: Array<Record<string, string>>
  months: Array<Record<string, string>>
  agencies: Array<Record<string, string | boolean>>
  /** the trend chart's points, one per month and level with something closed */
  trendPoints: string[]
}

// A string, not a function: tsx's helpers in a compiled function would not exist in the page.
const READ = `(() => {
  const fields = (root) => Object.fromEntries([...root.querySelectorAll('[data-field]')].map((e) => [e.dataset.field, e.textContent.trim()]))
  return {
    levels: [...document.querySelectorAll('#levels tbody tr')].map((tr) => ({ level: tr.dataset.level, ...fields(tr) })),
    months: [...document.querySelectorAll('#months tbody tr')].map((tr) => ({ month: tr.dataset.month, level: tr.dataset.level, ...fields(tr) })),
    agencies: [...document.querySelectorAll('#agencies tbody tr[data-agency]')].map((tr) => ({ ...fields(tr), drill: tr.querySelector('a[data-drill]') !== null })),
    trendPoints: [...document.querySelectorAll('#trend-chart circle')].map((c) => c.dataset.month + ' ' + c.dataset.level).sort()
  }
})()`

export async function readDashboard (page: Page): Promise<ShownDashboard> {
  return await page.evaluate(READ) as ShownDashboard
}

/**
 * Polls from here, not with page.waitForFunction: that evaluates its predicate with eval inside
 * the page, which the dashboard's CSP (rightly) refuses.
 */
export async function waitInPage (page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (await page.evaluate(expression) !== true) {
    if (Date.now() > deadline) throw new Error(`timed out waiting in the page for ${expression}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Waits until the page shows the view for this query (from, to and, when given, under). */
export async function waitForView (page: Page, view: { from: string, to: string, under?: string }): Promise<void> {
  const q = new URLSearchParams({ from: view.from, to: view.to })
  if (view.under !== undefined && view.under !== '') q.set('under', view.under)
  await waitInPage(page, `document.body.dataset.state === 'ready' && document.body.dataset.query === ${JSON.stringify(q.toString())}`)
}

export async function waitForState (page: Page, state: string): Promise<void> {
  await waitInPage(page, `document.body.dataset.state === ${JSON.stringify(state)}`)
}

// The expected text, written independently of the page's own formatter.
const LEVELS: Record<string, string> = { province: 'Tỉnh', district: 'Huyện', commune: 'Xã', village: 'Thôn' }
const count = (n: number): string => new Intl.NumberFormat('vi-VN', { useGrouping: true }).format(n)
const share = (s: number | null): string => s === null ? '—' : `${new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(s * 100)} %`

interface Figures { closed: number, online: number, share: number | null }
interface Report {
  levels: Array<Figures & { level: string, open: number, overdue: number }>
  agencies?: Array<Figures & { code: string, name: string, level: string, open: number, overdue: number, hasChildren: boolean }>
  months?: Array<{ month: string, levels: Array<Figures & { level: string }> }>
}

/**
 * What the page should show for the API's answers by agency and by month; `shownRoot` is the
 * agency the view is of (`under`, or the token's own), whose row offers no drill-down.
 */
export function expectedDashboard (byAgency: Report, byMonth: Report, shownRoot?: string): ShownDashboard {
  const months = (byMonth.months ?? []).flatMap((m) => m.levels.map((l) => ({ month: m.month, level: l.level, closed: count(l.closed), online: count(l.online), share: share(l.share) })))
  return {
    levels: byAgency.levels.map((l) => ({ level: l.level, closed: count(l.closed), online: count(l.online), share: share(l.share), open: count(l.open), overdue: count(l.overdue) })),
    months,
    agencies: (byAgency.agencies ?? []).map((a) => ({
      code: a.code, name: a.name, level: LEVELS[a.level] ?? a.level, closed: count(a.closed), online: count(a.online), share: share(a.share), open: count(a.open), overdue: count(a.overdue), drill: a.hasChildren && a.code !== shownRoot
    })),
    trendPoints: (byMonth.months ?? []).flatMap((m) => m.levels.filter((l) => l.share !== null).map((l) => `${m.month} ${l.level}`)).sort()
  }
}
