import { OnlineShareQuery, OnlineShareReport, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { AuditContext } from '../context.ts'
import { readableRoot, reportRoot } from '../domain/auditor-scope.ts'
import { onlineShareReport } from '../domain/online-share-report.ts'
import { reportCsv } from '../domain/report-csv.ts'

/** The longest period one report covers: ten years of days. */
const MAX_PERIOD_DAYS = 3_653

export async function reportRoutes (app: ServiceApp, ctx: AuditContext): Promise<void> {
  app.get('/v1/reports/online-share', {
    onRequest: app.requireScopes(SCOPES.auditRead),
    schema: {
      tags: ['reports'],
      summary: 'Share of work files handled fully online, per level, over a period and a subtree',
      description: 'Work files completed (06) in the period (whole days in Viet Nam, `from` and `to` included) at agencies of the subtree `under` ' +
        '(default: all the token may read), and of them fully online (arrived through the exchange with valid signatures, no step on paper; ' +
        'files the DMS opened itself never are), per government level; beside it the files open at the end of the period and of them overdue. ' +
        '`by=agency` adds a row per agency (its own files), `by=month` a row per month and level. `format=csv` answers the same as CSV.',
      querystring: OnlineShareQuery,
      response: { 200: OnlineShareReport }
    }
  }, async (request, reply) => {
    const q = request.query
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000
    if (days < 0) throw ctx.fail('INVALID_PERIOD', `from ${q.from} is after to ${q.to}`)
    if (days >= MAX_PERIOD_DAYS) throw ctx.fail('INVALID_PERIOD', `the period is ${days + 1} days; at most ${MAX_PERIOD_DAYS}`)
    const root = readableRoot(request.tokenClaims!)
    const under = reportRoot(q.under, root)
    if (under === 'outside') throw ctx.fail('OUTSIDE_SUBTREE', `this token reads ${root ?? 'everything'} and below, not ${q.under ?? ''}`)
    if (under !== null && ctx.directory.get(under) === undefined) throw ctx.fail('UNKNOWN_AGENCY', `${under} is not in the directory`)
    const report = await onlineShareReport(ctx.sql, ctx.directory, { from: q.from, to: q.to, under, by: q.by })
    if (q.format === 'csv') {
      const name = `online-share_${q.from}_${q.to}${under === null ? '' : `_${under}`}.csv`
      return await reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(reportCsv(report) as never)
    }
    return report
  })
}
