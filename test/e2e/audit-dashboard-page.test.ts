// The dashboard page against a fixed report served beside it: what the page does with any answer
// (errors in words, the token kept out of the URL, nothing the CSP refuses). That its figures equal
// the real report API's is audit-dashboard.test.ts.
import t from 'tap'
import Fastify from 'fastify'
import { dashboardRoutes, DASHBOARD_CSP } from '../../services/audit/src/routes/dashboard.ts'
import { launchChromium } from '../harness/browser.ts'
import { expectedDashboard, readDashboard, waitForState, waitForView, waitInPage } from '../harness/dashboard-page.ts'

const PROVINCE = '000.00.00.H38'
const DISTRICT = '000.00.31.H38'

const level = (name: string, closed: number, online: number, open = 0, overdue = 0) =>
  ({ level: name, closed, online, share: closed === 0 ? null : online / closed, open, overdue })
const agency = (code: string, name: string, lvl: string, closed: number, online: number, hasChildren: boolean, parent: string | null) =>
  ({ code, name, level: lvl, parent, hasChildren, closed, online, share: closed === 0 ? null : online / closed, open: 3, overdue: 1 })

function fixtureReport (q: Record<string, string>): Record<string, unknown> {
  const under = q.under ?? null
  const levels = under === DISTRICT
    ? [level('district', 8, 7, 2, 1), level('commune', 40, 39, 5, 0), level('village', 0, 0)]
    : [level('province', 1000, 974, 12, 3), level('district', 1400, 1230, 20, 4), level('commune', 300, 291), level('village', 0, 0)]
  const report: Record<string, unknown> = { from: q.from, to: q.to, under, openAt: '2026-11-26T10:00:00.000Z', levels }
  if (q.by === 'agency') {
    report.agencies = under === DISTRICT
      ? [agency(DISTRICT, 'Thành phố Lào Cai', 'district', 8, 7, true, PROVINCE), agency('000.01.31.H38', 'Phường Duyên Hải', 'commune', 20, 20, true, DISTRICT), agency('000.02.31.H38', 'Phường Lào Cai', 'commune', 20, 19, false, DISTRICT)]
      : [agency(PROVINCE, 'UBND tỉnh Lào Cai', 'province', 1000, 974, true, null), agency(DISTRICT, 'Thành phố Lào Cai', 'district', 1400, 1230, true, PROVINCE)]
  }
  if (q.by === 'month') {
    report.months = [
      { month: '2026-01', levels: [{ level: 'province', closed: 3, online: 2, share: 2 / 3 }, { level: 'district', closed: 0, online: 0, share: null }] },
      { month: '2026-02', levels: [{ level: 'province', closed: 8, online: 8, share: 1 }, { level: 'district', closed: 4, online: 1, share: 0.25 }] }
    ]
  }
  return report
}

const asked: Array<Record<string, string>> = []
const app = Fastify()
await app.register(dashboardRoutes)
app.get('/v1/reports/online-share', async (request, reply) => {
  const problem = (status: number, code: string, detail: string) =>
    reply.code(status).type('application/problem+json').send({ type: 'about:blank', title: code, status, code, detail })
  const auth = request.headers.authorization
  if (auth === 'Bearer weak') return problem(403, 'FORBIDDEN', 'the token lacks scope audit:read')
  if (auth !== 'Bearer good') return problem(401, 'UNAUTHORIZED', 'the token is not valid')
  const q = request.query as Record<string, string>
  asked.push(q)
  return fixtureReport(q)
})
const base = await app.listen({ port: 0, host: '127.0.0.1' })
t.teardown(async () => { await app.close() })

const browser = await launchChromium(t)

async function openPage (t: { teardown: (fn: () => Promise<void>) => void }, path: string, at?: Date) {
  // A browser in UTC, as the test machine is: the page must still count days in Viet Nam.
  const context = await browser.newContext({ timezoneId: 'UTC' })
  t.teardown(async () => { await context.close() })
  const page = await context.newPage()
  if (at !== undefined) await page.clock.setFixedTime(at)
  const complaints: string[] = []
  page.on('console', (m) => { if (m.type() === 'error') complaints.push(m.text()) })
  page.on('pageerror', (e) => complaints.push(e.message))
  await page.goto(`${base}${path}`)
  return { page, complaints }
}

t.test('the page and its assets are served with their types and a strict CSP, with no token needed', async (t) => {
  const assets: Array<[string, string]> = [['/', 'text/html'], ['/dashboard/app.js', 'text/javascript'], ['/dashboard/format.js', 'text/javascript'], ['/dashboard/style.css', 'text/css']]
  for (const [path, type] of assets) {
    const res = await fetch(`${base}${path}`)
    t.equal(res.status, 200, path)
    t.match(res.headers.get('content-type'), type, path)
    t.equal(res.headers.get('content-security-policy'), DASHBOARD_CSP, path)
    t.equal(res.headers.get('x-content-type-options'), 'nosniff', path)
  }
  t.match(DASHBOARD_CSP, /script-src 'self'/)
  t.match(DASHBOARD_CSP, /connect-src 'self'/)
  t.notMatch(DASHBOARD_CSP, /unsafe-inline|unsafe-eval/)
})

t.test('a token in the fragment shows the report for this year, leaves the URL and stays in the session', async (t) => {
  const { page, complaints } = await openPage(t, '/#token=good')
  // Periods are days in Viet Nam: at 20:00 UTC its today is the UTC tomorrow.
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)
  const view = { from: `${today.slice(0, 4)}-01-01`, to: today }
  await waitForView(page, view)
  t.equal(new URL(page.url()).hash, '', 'the token left the address bar')
  t.equal(await page.evaluate('sessionStorage.getItem("lienthong.audit.token")'), 'good')
  t.equal(await page.inputValue('#from'), view.from)
  t.equal(await page.inputValue('#to'), view.to)

  const shown = await readDashboard(page)
  const expected = expectedDashboard(fixtureReport({ ...view, by: 'agency' }) as any, fixtureReport({ ...view, by: 'month' }) as any)
  t.same(shown, expected)
  // Literal once, so a formatter wrong on both sides would still be caught.
  t.equal(shown.levels[0]?.share, '97,40 %')
  t.equal(shown.levels[1]?.share, '87,86 %')
  t.equal(shown.levels[3]?.share, '—')
  t.equal(shown.months[0]?.share, '66,67 %')
  t.equal(shown.levels[1]?.closed, '1.400')
  t.equal(await page.textContent('#levels tbody tr[data-level="province"] th'), 'Tỉnh')
  t.same(complaints, [], 'no script error and nothing refused by the CSP')
})

t.test('the default period is this year up to today in Viet Nam, which at 18:00 UTC on 31 December is next year', async (t) => {
  const { page } = await openPage(t, '/#token=good', new Date('2026-12-31T18:00:00Z'))
  await waitForView(page, { from: '2027-01-01', to: '2027-01-01' })
  t.equal(await page.inputValue('#from'), '2027-01-01')
  t.equal(await page.inputValue('#to'), '2027-01-01')
  t.same(asked.slice(-2).map((q) => `${q.from} ${q.to}`), ['2027-01-01 2027-01-01', '2027-01-01 2027-01-01'])
})

t.test('drill-down to a district, then up again, keeping the state in the URL', async (t) => {
  const view = { from: '2026-01-01', to: '2026-06-30' }
  const { page, complaints } = await openPage(t, `/?from=${view.from}&to=${view.to}#token=good`)
  await waitForView(page, view)
  await page.click(`#agencies a[data-drill="${DISTRICT}"]`)
  await waitForView(page, { ...view, under: DISTRICT })
  t.equal(new URL(page.url()).searchParams.get('under'), DISTRICT)
  t.same(await readDashboard(page), expectedDashboard(fixtureReport({ ...view, under: DISTRICT, by: 'agency' }) as any, fixtureReport({ ...view, under: DISTRICT, by: 'month' }) as any, DISTRICT))
  t.equal(await page.textContent('#breadcrumb [aria-current="page"]'), 'Thành phố Lào Cai')
  t.equal(await page.locator(`#agencies a[data-drill="${DISTRICT}"]`).count(), 0, 'the district shown is no link to itself')
  t.equal(await page.locator('#agencies tr[data-agency="000.01.31.H38"]').getAttribute('data-depth'), '1', 'its commune is indented under it')
  t.equal(await page.inputValue('#under'), DISTRICT)

  await page.click('#up-link')
  await waitForView(page, { ...view, under: PROVINCE })
  await page.goBack()
  await waitForView(page, { ...view, under: DISTRICT })
  await page.goBack()
  await waitForView(page, view)
  t.same(complaints, [])
})

t.test('changing the period asks the API again for the new period', async (t) => {
  const { page } = await openPage(t, '/?from=2026-01-01&to=2026-12-31#token=good')
  await waitForView(page, { from: '2026-01-01', to: '2026-12-31' })
  asked.length = 0
  await page.fill('#from', '2026-03-01')
  await page.fill('#to', '2026-03-31')
  await page.click('#filters button[type="submit"]')
  await waitForView(page, { from: '2026-03-01', to: '2026-03-31' })
  t.same(asked.map((q) => `${q.from} ${q.to} ${q.by}`).sort(), ['2026-03-01 2026-03-31 agency', '2026-03-01 2026-03-31 month'])
  t.equal(new URL(page.url()).search, '?from=2026-03-01&to=2026-03-31')
})

t.test('401 and 403 are said in words, and a token typed in the field is used', async (t) => {
  const { page } = await openPage(t, '/?from=2026-01-01&to=2026-12-31#token=bad')
  await waitForState(page, 'error')
  t.match(await page.textContent('#status'), /Mã truy cập không hợp lệ hoặc đã hết hạn \(HTTP 401 — UNAUTHORIZED: the token is not valid\)/)
  t.equal(await page.locator('#levels tbody tr').count(), 0, 'no figures beside an error')

  await page.fill('#token', 'weak')
  await page.click('#auth button[type="submit"]')
  await waitInPage(page, 'document.querySelector("#status").textContent.includes("403")')
  t.match(await page.textContent('#status'), /Mã truy cập không có quyền xem báo cáo này \(HTTP 403 — FORBIDDEN: the token lacks scope audit:read\)/)

  await page.fill('#token', 'good')
  await page.click('#auth button[type="submit"]')
  await waitForView(page, { from: '2026-01-01', to: '2026-12-31' })
  t.equal(await page.locator('#levels tbody tr').count(), 4)

  await page.click('#forget')
  await waitForState(page, 'no-token')
  t.match(await page.textContent('#status'), /Nhập mã truy cập/)
})
