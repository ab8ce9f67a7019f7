import t from 'tap'
import type { OnlineShareReport } from '@lienthong/contracts'
import { reportQuery } from '../src/commands/report.ts'
import { formatShare, onlineShareTable } from '../src/online-share-table.ts'

const REPORT: OnlineShareReport = {
  from: '2026-01-01',
  to: '2026-12-31',
  under: null,
  openAt: '2026-11-26T13:00:00.000Z',
  levels: [
    { level: 'province', closed: 500, online: 487, share: 0.974, open: 3, overdue: 1 },
    { level: 'district', closed: 12345, online: 10846, share: 10846 / 12345, open: 0, overdue: 0 },
    { level: 'commune', closed: 700, online: 679, share: 0.97, open: 0, overdue: 0 },
    { level: 'village', closed: 0, online: 0, share: null, open: 2, overdue: 0 }
  ]
}

t.test('the per-level table: Vietnamese names, decimal commas, thousands dots, figures aligned', async (t) => {
  const out = onlineShareTable(REPORT)
  const lines = out.split('\n')
  t.match(lines[0], 'Tỷ lệ hồ sơ công việc xử lý trực tuyến toàn trình, 01/01/2026 – 31/12/2026')
  t.match(lines[1], 'tính đến 26/11/2026 20:00 giờ Việt Nam', 'open files counted at a Viet Nam time')
  t.match(out, /Cấp\s+Hoàn thành\s+Trực tuyến\s+Tỷ lệ\s+Đang xử lý\s+Quá hạn/)
  t.match(out, /Cấp tỉnh\s+500\s+487\s+97,40 %\s+3\s+1\n/)
  t.match(out, /Cấp huyện\s+12\.345\s+10\.846\s+87,86 %\s+0\s+0\n/)
  t.match(out, /Cấp xã\s+700\s+679\s+97,00 %/)
  t.match(out, /Thôn, tổ dân phố\s+0\s+0\s+–\s+2\s+0/, 'a dash where nothing was closed')
  const rows = lines.filter((l) => l.startsWith('Cấp ') && !l.startsWith('Cấp  '))
  t.equal(new Set(rows.map((l) => l.length)).size, 1, 'the rows line up')
})

t.test('agency and month rows follow the level table', async (t) => {
  const out = onlineShareTable({
    ...REPORT,
    under: '000.00.31.H38',
    agencies: [{ code: '000.00.31.H38', name: 'Ủy ban nhân dân thành phố Lào Cai', level: 'district', parent: '000.00.00.H38', hasChildren: true, closed: 10, online: 9, share: 0.9, open: 1, overdue: 1 }],
    months: [{ month: '2026-11', levels: [{ level: 'district', closed: 10, online: 9, share: 0.9 }] }]
  })
  t.match(out, ', thuộc 000.00.31.H38')
  t.match(out, /000\.00\.31\.H38\s+Ủy ban nhân dân thành phố Lào Cai\s+Cấp huyện\s+10\s+9\s+90,00 %\s+1\s+1/)
  t.match(out, /2026-11\s+Cấp huyện\s+10\s+9\s+90,00 %/)
  t.equal(formatShare(0.8785714), '87,86 %')
})

t.test('the query: the current year in Viet Nam by default, options checked', async (t) => {
  // 31 Dec 2026 at 18:00 UTC is already 1 Jan 2027 in Viet Nam
  t.same(Object.fromEntries(reportQuery({}, new Date('2026-12-31T18:00:00Z'))), { from: '2027-01-01', to: '2027-12-31', by: 'level', format: 'json' })
  t.same(Object.fromEntries(reportQuery({ from: '2023-01-01', to: '2023-12-31', under: '000.00.31.H38', by: 'agency', csv: true }, new Date())),
    { from: '2023-01-01', to: '2023-12-31', under: '000.00.31.H38', by: 'agency', format: 'csv' })
  t.throws(() => reportQuery({ from: '1/1/2023' }, new Date()), /--from is a day/)
  t.throws(() => reportQuery({ under: 'H38' }, new Date()), /--under is an agency code/)
  t.throws(() => reportQuery({ by: 'week' }, new Date()), /--by is one of level, agency, month/)
})
