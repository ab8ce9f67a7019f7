// The auditors' dashboard: reads the period and subtree from the URL, asks the report API
// (by level and agency, and by month) with the auditor's token, and draws what it answers.
// The server decides what the token may see; the page only shows it.
import {
  defaultPeriod, formatCount, formatShare, isAgencyCode, levelLabel, lineage, monthLabel, parentCode
} from './format.js'

const REPORT = '/v1/reports/online-share'
const TOKEN_KEY = 'lienthong.audit.token'
const NAMES_KEY = 'lienthong.audit.names'
const SVG = 'http://www.w3.org/2000/svg'

const $ = (selector) => document.querySelector(selector)

// ---- state: the period and subtree live in the URL query so a view can be linked ----

function readState () {
  const q = new URLSearchParams(location.search)
  const period = defaultPeriod(new Date())
  const under = q.get('under') ?? ''
  return {
    from: q.get('from') || period.from,
    to: q.get('to') || period.to,
    under: isAgencyCode(under) ? under : ''
  }
}

function queryOf (state) {
  const q = new URLSearchParams({ from: state.from, to: state.to })
  if (state.under !== '') q.set('under', state.under)
  return q
}

function go (state) {
  history.pushState(null, '', `?${queryOf(state)}`)
  show(state)
}

// ---- the token: from the fragment (which never reaches a server or its logs) or the form ----

function takeTokenFromFragment () {
  const fragment = new URLSearchParams(location.hash.slice(1))
  const token = fragment.get('token')
  if (token === null) return
  sessionStorage.setItem(TOKEN_KEY, token)
  // Out of the address bar, so it is neither bookmarked nor shared with the link.
  history.replaceState(null, '', `${location.pathname}${location.search}`)
}

const token = () => sessionStorage.getItem(TOKEN_KEY) ?? ''

/** The agency the token speaks for, only to start the breadcrumb there; the server checks the token. */
function tokenAgency () {
  try {
    const payload = token().split('.')[1].replace(/-/g, '+').replace(/_/g, '/')
    const sub = JSON.parse(atob(payload)).sub
    return typeof sub === 'string' ? sub : ''
  } catch {
    return ''
  }
}

// Names seen in the table, so the breadcrumb can name the agencies above the one shown.
function rememberNames (agencies) {
  const names = knownNames()
  for (const a of agencies) names[a.code] = a.name
  sessionStorage.setItem(NAMES_KEY, JSON.stringify(names))
}

function knownNames () {
  try { return JSON.parse(sessionStorage.getItem(NAMES_KEY) ?? '{}') } catch { return {} }
}

// ---- talking to the report API ----

class ReportError extends Error {}

function describeProblem (status, problem) {
  const said = [problem?.code, problem?.detail ?? problem?.title].filter(Boolean).join(': ')
  const words = {
    400: 'Bộ lọc không hợp lệ',
    401: 'Mã truy cập không hợp lệ hoặc đã hết hạn',
    403: 'Mã truy cập không có quyền xem báo cáo này'
  }[status] ?? 'Không lấy được báo cáo'
  return `${words} (HTTP ${status}${said ? ` — ${said}` : ''}).`
}

async function askReport (state, extra) {
  const q = queryOf(state)
  for (const [k, v] of Object.entries(extra)) q.set(k, v)
  let res
  try {
    res = await fetch(`${REPORT}?${q}`, { headers: { authorization: `Bearer ${token()}` } })
  } catch {
    throw new ReportError('Không kết nối được với dịch vụ báo cáo.')
  }
  if (!res.ok) {
    let problem = null
    try { problem = await res.json() } catch {}
    throw new ReportError(describeProblem(res.status, problem))
  }
  return res
}

async function fetchReport (state, extra) {
  return await (await askReport(state, extra)).json()
}

// A plain link cannot carry the token, so the CSV is fetched and handed over as a file.
async function downloadCsv () {
  const state = readState()
  const say = $('#status')
  try {
    const res = await askReport(state, { by: 'agency', format: 'csv' })
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'online-share.csv'
    const url = URL.createObjectURL(await res.blob())
    const link = el('a', { href: url, download: name })
    document.body.append(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  } catch (err) {
    say.textContent = err instanceof ReportError ? err.message : `Lỗi không mong đợi: ${err}`
  }
}

let shown = 0

async function show (state) {
  fillForm(state)
  const seq = ++shown
  const say = $('#status')
  if (token() === '') {
    clearFigures()
    document.body.dataset.state = 'no-token'
    say.textContent = 'Nhập mã truy cập (phạm vi audit:read) để xem báo cáo.'
    return
  }
  document.body.dataset.state = 'loading'
  say.textContent = 'Đang tải số liệu…'
  try {
    const [byAgency, byMonth] = await Promise.all([fetchReport(state, { by: 'agency' }), fetchReport(state, { by: 'month' })])
    if (seq !== shown) return // a newer view was asked for meanwhile
    rememberNames(byAgency.agencies ?? [])
    renderLevels(byAgency.levels)
    renderMonths(byMonth.months ?? [])
    renderAgencies(byAgency.agencies ?? [], state)
    renderBreadcrumb(state)
    $('#open-at').textContent = `Hồ sơ đang xử lý và quá hạn tính đến ${byAgency.openAt}.`
    say.textContent = `Kỳ báo cáo ${byAgency.from} – ${byAgency.to}${byAgency.under ? `, đơn vị ${byAgency.under}` : ''}.`
    document.body.dataset.query = queryOf(state).toString()
    document.body.dataset.state = 'ready'
  } catch (err) {
    if (seq !== shown) return
    clearFigures()
    say.textContent = err instanceof ReportError ? err.message : `Lỗi không mong đợi: ${err}`
    document.body.dataset.state = 'error'
  }
}

// ---- drawing ----

function el (tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v)
  node.append(...children)
  return node
}

function svg (tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v))
  node.append(...children)
  return node
}

const levelClass = (level) => `level-${/^[a-z]+$/.test(level) ? level : 'other'}`

function figureCell (field, text, data = {}) {
  return el('td', { class: 'num', 'data-field': field, ...data }, text)
}

function shareBar (share) {
  const width = share === null ? 0 : Math.max(0, Math.min(1, share)) * 100
  return svg('svg', { class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
    svg('rect', { class: 'track', width: 100, height: 10 }),
    svg('rect', { class: 'fill', width, height: 10 }))
}

function renderLevels (levels) {
  const rows = levels.map((l) => {
    const data = { 'data-level': l.level }
    return el('tr', { ...data, class: levelClass(l.level) },
      el('th', { scope: 'row' }, levelLabel(l.level)),
      figureCell('closed', formatCount(l.closed), data),
      figureCell('online', formatCount(l.online), data),
      el('td', { class: 'share-col' }, el('div', { class: 'share' }, shareBar(l.share), el('span', { class: 'num', 'data-field': 'share', ...data }, formatShare(l.share)))),
      figureCell('open', formatCount(l.open), data),
      figureCell('overdue', formatCount(l.overdue), data))
  })
  $('#levels tbody').replaceChildren(...rows)
}

function renderMonths (months) {
  const rows = []
  for (const m of months) {
    for (const l of m.levels) {
      const data = { 'data-month': m.month, 'data-level': l.level }
      rows.push(el('tr', data,
        el('th', { scope: 'row' }, monthLabel(m.month)),
        el('td', {}, levelLabel(l.level)),
        figureCell('closed', formatCount(l.closed), data),
        figureCell('online', formatCount(l.online), data),
        figureCell('share', formatShare(l.share), data)))
    }
  }
  $('#months tbody').replaceChildren(...rows)
  drawTrend(months)
}

/** One line per level: the share (0–100 %) month by month; a month with nothing closed breaks the line. */
function drawTrend (months) {
  const W = 720; const H = 260; const left = 52; const right = 110; const top = 14; const bottom = 36
  const plotW = W - left - right; const plotH = H - top - bottom
  const x = (i) => left + (months.length <= 1 ? plotW / 2 : (i * plotW) / (months.length - 1))
  const y = (share) => top + (1 - share) * plotH
  const chart = $('#trend-chart')
  const parts = []
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(svg('line', { class: 'grid', x1: left, x2: left + plotW, y1: y(tick), y2: y(tick) }))
    parts.push(svg('text', { class: 'axis', x: left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, `${tick * 100} %`))
  }
  // At most about twelve month labels, however long the period, so they do not overlap.
  const every = Math.ceil(months.length / 12)
  months.forEach((m, i) => {
    if (i % every === 0) parts.push(svg('text', { class: 'axis', x: x(i), y: H - bottom + 18, 'text-anchor': 'middle' }, monthLabel(m.month)))
  })

  const levels = [...new Set(months.flatMap((m) => m.levels.map((l) => l.level)))]
  levels.forEach((level, n) => {
    const group = svg('g', { class: `series ${levelClass(level)}`, 'data-level': level })
    let run = []
    const flush = () => {
      if (run.length > 1) group.append(svg('polyline', { points: run.join(' ') }))
      run = []
    }
    months.forEach((m, i) => {
      const figures = m.levels.find((l) => l.level === level)
      if (figures === undefined || figures.share === null) { flush(); return }
      run.push(`${x(i)},${y(figures.share)}`)
      group.append(svg('circle', { cx: x(i), cy: y(figures.share), r: 3.5, 'data-month': m.month, 'data-level': level },
        svg('title', {}, `${levelLabel(level)} ${monthLabel(m.month)}: ${formatShare(figures.share)} (${formatCount(figures.online)}/${formatCount(figures.closed)})`)))
    })
    flush()
    const ly = top + 8 + n * 18
    group.append(svg('line', { class: 'key', x1: W - right + 12, x2: W - right + 32, y1: ly, y2: ly }))
    group.append(svg('text', { class: 'legend', x: W - right + 38, y: ly + 4 }, levelLabel(level)))
    parts.push(group)
  })
  if (months.length === 0) parts.push(svg('text', { class: 'axis', x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'Không có số liệu trong kỳ'))
  chart.replaceChildren(...parts)
}

function renderAgencies (agencies, state) {
  const root = state.under !== '' ? state.under : tokenAgency()
  const top = isAgencyCode(root) ? lineage(root).length : 1
  const rows = agencies.map((a) => {
    // The agency shown is already open: its row is its own files, not a way down.
    const name = a.hasChildren && a.code !== root
      ? el('a', { href: `?${queryOf({ ...state, under: a.code })}`, 'data-drill': a.code }, a.name)
      : a.name
    // Indented under the agency shown, so a flat list still reads as a tree.
    const depth = Math.max(0, Math.min(4, lineage(a.code).length - top))
    return el('tr', { 'data-agency': a.code, 'data-level': a.level, 'data-depth': String(depth) },
      el('td', { 'data-field': 'code' }, a.code),
      el('th', { scope: 'row', 'data-field': 'name' }, name),
      el('td', { 'data-field': 'level' }, levelLabel(a.level)),
      figureCell('closed', formatCount(a.closed)),
      figureCell('online', formatCount(a.online)),
      figureCell('share', formatShare(a.share)),
      figureCell('open', formatCount(a.open)),
      figureCell('overdue', formatCount(a.overdue)))
  })
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '8' }, 'Không có đơn vị nào trong phạm vi này.')))
  $('#agencies tbody').replaceChildren(...rows)
}

function renderBreadcrumb (state) {
  const names = knownNames()
  const own = tokenAgency()
  let chain = state.under === '' ? [] : lineage(state.under)
  // An auditor's view starts at their own agency, which "all" already is: the ones above it are not theirs to open.
  if (chain.includes(own)) chain = chain.slice(chain.indexOf(own) + 1)
  const crumb = (under, label, current) => el('li', {},
    current ? el('span', { 'aria-current': 'page' }, label) : el('a', { href: `?${queryOf({ ...state, under })}`, 'data-drill': under }, label))
  const items = [crumb('', 'Tất cả đơn vị được xem', chain.length === 0)]
  chain.forEach((code, i) => items.push(crumb(code, names[code] ?? code, i === chain.length - 1)))
  $('#breadcrumb ol').replaceChildren(...items)

  const up = $('#up')
  if (state.under === '') { up.replaceChildren(); return }
  const above = parentCode(state.under)
  const parent = state.under === own || above === own || above === null ? '' : above
  up.replaceChildren(el('a', { href: `?${queryOf({ ...state, under: parent })}`, 'data-drill': parent, id: 'up-link' }, '↑ Lên một cấp'))
}

function clearFigures () {
  for (const id of ['#levels', '#months', '#agencies']) $(`${id} tbody`).replaceChildren()
  $('#trend-chart').replaceChildren()
  $('#open-at').textContent = ''
}

function fillForm (state) {
  $('#from').value = state.from
  $('#to').value = state.to
  $('#under').value = state.under
}

// ---- wiring ----

function start () {
  takeTokenFromFragment()
  $('#filters').addEventListener('submit', (event) => {
    event.preventDefault()
    const under = $('#under').value.trim()
    go({ from: $('#from').value, to: $('#to').value, under: isAgencyCode(under) ? under : '' })
  })
  $('#auth').addEventListener('submit', (event) => {
    event.preventDefault()
    const value = $('#token').value.trim()
    if (value !== '') sessionStorage.setItem(TOKEN_KEY, value)
    $('#token').value = ''
    show(readState())
  })
  $('#csv').addEventListener('click', () => { downloadCsv() })
  $('#forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY)
    show(readState())
  })
  // Drill-down, breadcrumb and "up" are real links (they open in a new tab too); here they stay in the page.
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[data-drill]') : null
    if (link === null || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return
    event.preventDefault()
    go({ ...readState(), under: link.dataset.drill })
  })
  window.addEventListener('popstate', () => show(readState()))
  show(readState())
}

start()
