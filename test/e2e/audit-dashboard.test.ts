// The auditors' dashboard on the real stack: a workload sent and handled through the public APIs,
// then the page in headless Chromium, whose every figure must equal the report API's answer.
import { readFileSync } from 'node:fs'
import t from 'tap'
import type { Page } from 'playwright-core'
import { startStack } from '../harness/stack.ts'
import { eventually, request } from '../harness/http.ts'
import { launchChromium } from '../harness/browser.ts'
import { expectedDashboard, readDashboard, waitForState, waitForView } from '../harness/dashboard-page.ts'

const PROVINCE = '000.00.00.H38'
const OFFICE = '000.00.01.H38' // a provincial department: province level, code level 2
const DISTRICT = '000.00.31.H38'
const OTHER_DISTRICT = '000.00.32.H38'
const COMMUNE = '000.01.31.H38'
const OTHER_COMMUNE = '000.02.31.H38'

const stack = await startStack(t, { audit: true })
const browser = await launchChromium(t)

// Report periods are days in Viet Nam.
const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)
const year = Number(today.slice(0, 4))
const thisYear = { from: `${year}-01-01`, to: today }

const tokens = new Map<string, string>()
async function token (code: string): Promise<string> {
  let value = tokens.get(code)
  if (value === undefined) { value = await stack.tokenFor(code); tokens.set(code, value) }
  return value
}

async function send (to: string[], number: string, subject: string): Promise<string> {
  const sent = await request('POST', `${stack.routing.url}/v1/documents`, {
    token: await token(PROVINCE),
    json: { to, document: { number, notation: 'UBND-VP', type: 'Công văn', subject, issuedAt: today } }
  })
  if (sent.status !== 202) throw new Error(`send ${number}: ${sent.status} ${JSON.stringify(sent.body)}`)
  return sent.body.id
}

async function itemFor (agency: string, documentId: string): Promise<string> {
  return await eventually(async () => {
    const list = await request('GET', `${stack.inbox.url}/v1/inbox`, { token: await token(agency) })
    return list.body.items?.find((i: { documentId: string }) => i.documentId === documentId)?.id
  }, 30_000, `${documentId} in the inbox of ${agency}`)
}

async function steps (agency: string, url: string, codes: Array<string | [string, 'paper']>): Promise<void> {
  for (const s of codes) {
    const [code, channel] = typeof s === 'string' ? [s, 'online'] : s
    const done = await request('POST', url, { token: await token(agency), json: { code, channel } })
    if (done.status !== 200) throw new Error(`${agency} step ${code}: ${done.status} ${JSON.stringify(done.body)}`)
  }
}

async function handleItem (agency: string, documentId: string, codes: Array<string | [string, 'paper']>): Promise<void> {
  await steps(agency, `${stack.inbox.url}/v1/inbox/${await itemFor(agency, documentId)}/status`, codes)
}

async function openWorkFile (agency: string, title: string, channel: 'online' | 'paper', dueAt?: string): Promise<string> {
  const opened = await request('POST', `${stack.inbox.url}/v1/work-files`, { token: await token(agency), json: { title, channel, ...(dueAt !== undefined ? { dueAt } : {}) } })
  if (opened.status !== 201) throw new Error(`open work file at ${agency}: ${opened.status} ${JSON.stringify(opened.body)}`)
  return opened.body.id
}

// The workload: two documents from the province to agencies at three levels, handled online,
// partly on paper, or left open; and work files the agencies' DMSs opened themselves.
const circular = await send([OFFICE, DISTRICT, OTHER_DISTRICT, COMMUNE, OTHER_COMMUNE], '101', 'Về việc báo cáo chuyển đổi số')
const plan = await send([DISTRICT, COMMUNE], '102', 'Về kế hoạch cải cách hành chính')
await handleItem(OFFICE, circular, ['03', '06'])
await handleItem(DISTRICT, circular, ['03', '04', '05', '06'])
await handleItem(DISTRICT, plan, ['03', ['05', 'paper'], '06'])
await handleItem(OTHER_DISTRICT, circular, ['03'])
await handleItem(COMMUNE, circular, ['03', '04', '06'])
await handleItem(COMMUNE, plan, [['03', 'paper'], '06'])
await handleItem(OTHER_COMMUNE, circular, ['03', '04', '05', '06'])
const desk = await openWorkFile(COMMUNE, 'Hồ sơ chứng thực nộp tại bộ phận một cửa', 'paper')
await steps(COMMUNE, `${stack.inbox.url}/v1/work-files/${desk}/status`, ['04', '06'])
const internal = await openWorkFile(PROVINCE, 'Hồ sơ tổng hợp báo cáo quý', 'online')
await steps(PROVINCE, `${stack.inbox.url}/v1/work-files/${internal}/status`, ['04', '05', '06'])
await openWorkFile(DISTRICT, 'Hồ sơ thẩm định quá hạn', 'online', `${year}-01-05T17:00:00+07:00`)
const CLOSED = 8
// still open: the other district's copy of the circular, and the district's overdue file
const OPEN = 2

const auditor = await stack.tokenFor(PROVINCE, ['audit:read'])

async function report (query: Record<string, string>): Promise<any> {
  const answer = await request('GET', `${stack.audit.url}/v1/reports/online-share?${new URLSearchParams(query)}`, { token: auditor })
  if (answer.status !== 200) throw new Error(`report ${JSON.stringify(query)}: ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer.body
}

// The audit service follows the events: wait until every file, closed or open, has reached the
// report (the last one opened may come after every closed one).
await eventually(async () => {
  const levels = (await report({ ...thisYear, by: 'level' })).levels as Array<{ closed: number, open: number }>
  const sum = (f: (l: { closed: number, open: number }) => number): number => levels.reduce((total, l) => total + f(l), 0)
  return sum((l) => l.closed) === CLOSED && sum((l) => l.open) === OPEN ? true : undefined
}, 60_000, `${CLOSED} closed and ${OPEN} open work files in the report`)

async function apiView (view: { from: string, to: string, under?: string }): Promise<ReturnType<typeof expectedDashboard>> {
  const base = { from: view.from, to: view.to, ...(view.under !== undefined ? { under: view.under } : {}) }
  return expectedDashboard(await report({ ...base, by: 'agency' }), await report({ ...base, by: 'month' }), view.under ?? PROVINCE)
}

async function openDashboard (t: { teardown: (fn: () => Promise<void>) => void }, complaints: string[] = []): Promise<Page> {
  const context = await browser.newContext({ timezoneId: 'UTC' })
  t.teardown(async () => { await context.close() })
  const page = await context.newPage()
  page.on('console', (m) => { if (m.type() === 'error') complaints.push(m.text()) })
  page.on('pageerror', (e) => complaints.push(e.message))
  await page.goto(`${stack.audit.url}/#token=${auditor}`)
  await waitForView(page, thisYear)
  return page
}

t.test('the dashboard shows the report API\u2019s figures for each level, month and agency', async (t) => {
  const complaints: string[] = []
  const page = await openDashboard(t, complaints)
  const shown = await readDashboard(page)
  t.same(shown, await apiView(thisYear))
  t.same(complaints, [], 'no script error, nothing refused by the CSP of the service\u2019s own page')
  const closedShown = shown.levels.reduce((sum, l) => sum + Number(l.closed), 0)
  t.equal(closedShown, CLOSED, 'the levels add up to the files closed')
  t.ok(shown.levels.some((l) => l.share !== '100,00 %' && l.share !== '—'), 'paper steps lowered some level\u2019s share')
  t.ok(shown.months.length > 0, 'this month is in the trend')
  t.ok(shown.trendPoints.length > 0, 'the trend chart has points')
  // The workload's own measure, once in plain figures: at each level two files of four closed
  // are fully online (a paper step, or a file the DMS opened, is not).
  const level = (name: string) => shown.levels.find((l) => l.level === name)
  t.match(level('province'), { closed: '2', online: '1', share: '50,00 %' })
  t.match(level('district'), { closed: '2', online: '1', share: '50,00 %', open: '2', overdue: '1' })
  t.match(level('commune'), { closed: '4', online: '2', share: '50,00 %' })
  const agency = (code: string) => shown.agencies.find((a) => a.code === code)
  t.match(agency(COMMUNE), { closed: '3', online: '1', share: '33,33 %', level: 'Xã', drill: true })
  t.match(agency(OTHER_DISTRICT), { closed: '0', open: '1', share: '—' })
})

t.test('a district clicked in the table shows its subtree, equal to the API\u2019s under=<district>', async (t) => {
  const page = await openDashboard(t)
  await drillTo(page, DISTRICT)
  t.equal(new URL(page.url()).searchParams.get('under'), DISTRICT)
  const shown = await readDashboard(page)
  t.same(shown, await apiView({ ...thisYear, under: DISTRICT }))
  t.ok(shown.agencies.some((a) => a.code === COMMUNE), 'its commune is in the table')
  t.notOk(shown.agencies.some((a) => a.code === OTHER_DISTRICT), 'another district is not')
  t.equal(await page.textContent('#breadcrumb [aria-current="page"]'), 'Ủy ban nhân dân thành phố Lào Cai')

  await page.click('#up-link')
  await waitForView(page, thisYear)
  t.same(await readDashboard(page), await apiView(thisYear), 'up again: the whole province')
})

t.test('a district auditor sees its own subtree, and is told in words when it asks for another', async (t) => {
  const districtAuditor = await stack.tokenFor(DISTRICT, ['audit:read'])
  const context = await browser.newContext({ timezoneId: 'UTC' })
  t.teardown(async () => { await context.close() })
  const page = await context.newPage()
  await page.goto(`${stack.audit.url}/?from=${thisYear.from}&to=${thisYear.to}#token=${districtAuditor}`)
  await waitForView(page, thisYear)
  const shown = await readDashboard(page)
  t.same(shown.levels.map((l) => l.level), ['district', 'commune', 'village'], 'no province level in a district’s subtree')
  t.notOk(shown.agencies.some((a) => a.code === OTHER_DISTRICT || a.code === OFFICE), 'nothing outside its subtree')
  t.ok(shown.agencies.some((a) => a.code === COMMUNE), 'its commune is there')

  await page.fill('#under', OTHER_DISTRICT)
  await page.click('#filters button[type="submit"]')
  await waitForState(page, 'error')
  t.match(await page.textContent('#status'), /Mã truy cập không có quyền xem báo cáo này \(HTTP 403 — AUD_OUTSIDE_SUBTREE/)
  t.equal(await page.locator('#agencies tbody tr[data-agency]').count(), 0, 'no figures beside the refusal')
})

t.test('the CSV button downloads the API\u2019s CSV for the view shown', async (t) => {
  const page = await openDashboard(t)
  await drillTo(page, DISTRICT)
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')])
  t.equal(download.suggestedFilename(), `online-share_${thisYear.from}_${thisYear.to}_${DISTRICT}.csv`)
  const path = await download.path()
  // Byte for byte (the BOM included, which a text decoder would drop).
  const csv = await fetch(`${stack.audit.url}/v1/reports/online-share?${new URLSearchParams({ ...thisYear, under: DISTRICT, by: 'agency', format: 'csv' })}`, { headers: { authorization: `Bearer ${auditor}` } })
  const bytes = Buffer.from(await csv.arrayBuffer())
  t.equal(csv.status, 200)
  t.ok(readFileSync(path).equals(bytes), 'the file is the API\u2019s CSV')
  t.match(bytes.toString('utf8'), COMMUNE)
})

t.test('a new period is asked for and shown', async (t) => {
  const page = await openDashboard(t)
  const lastYear = { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` }
  await page.fill('#from', lastYear.from)
  await page.fill('#to', lastYear.to)
  await page.click('#filters button[type="submit"]')
  await waitForView(page, lastYear)
  const shown = await readDashboard(page)
  t.same(shown, await apiView(lastYear))
  t.same(shown.levels.map((l) => l.closed), shown.levels.map(() => '0'), 'nothing was closed last year')
})

/** The codes above `code`, nearest first: the most specific non-zero part zeroed, again and again. */
function ancestors (code: string): string[] {
  const parts = code.split('.')
  const above: string[] = []
  for (let i = 0; i < 3; i++) {
    if (/^0+$/.test(parts[i] ?? '')) continue
    parts[i] = (parts[i] ?? '').replace(/\d/g, '0')
    above.push(parts.join('.'))
  }
  return above
}

/** Clicks down the tree until `code`'s subtree is shown: from the top, its row may be under an agency above it. */
async function drillTo (page: Page, code: string): Promise<void> {
  for (let depth = 0; depth < 4; depth++) {
    const links = await page.evaluate(`[...document.querySelectorAll('#agencies a[data-drill]')].map((a) => a.dataset.drill)`) as string[]
    const current = new URL(page.url()).searchParams.get('under')
    const step = [code, ...ancestors(code)].find((c) => c !== current && links.includes(c))
    if (step === undefined) throw new Error(`no way down to ${code} in the agency table (links: ${links.join(', ')})`)
    await page.click(`#agencies a[data-drill="${step}"]`)
    await waitForView(page, { ...thisYear, under: step })
    if (step === code) return
  }
  throw new Error(`${code} not reached`)
}
