import { parseArgs } from 'node:util'
import { OnlineShareReport, REPORT_GROUPINGS, REPORT_UTC_OFFSET_HOURS, SCOPES, isAgencyCode } from '@lienthong/contracts'
import { requireStack } from '../local-stack.ts'
import { onlineShareTable } from '../online-share-table.ts'
import { apiCall } from '../simulation/api-call.ts'
import { agencyToken } from './token.ts'

const USAGE = 'usage: lienthong report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--under <code>] [--by level|agency|month] [--csv]'
const PROVINCE = '000.00.00.H38'
const AUDIT_PORT = 7105

/**
 * The auditors' online-share report of the local stack, read from the audit service with the
 * province's `audit:read` token: a table per level (and per agency or month with `--by`), or with
 * `--csv` the service's CSV as it is. The period defaults to the current year in Viet Nam.
 */
export async function reportCommand (args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { from: { type: 'string' }, to: { type: 'string' }, under: { type: 'string' }, by: { type: 'string' }, csv: { type: 'boolean' } }
  })
  const query = reportQuery(values, new Date())
  const url = `${auditUrl()}/v1/reports/online-share?${query.toString()}`
  const token = await agencyToken(PROVINCE, [SCOPES.auditRead])
  if (values.csv === true) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    const text = await res.text()
    if (!res.ok) throw new Error(`GET /v1/reports/online-share → ${res.status} ${text}`)
    process.stdout.write(text.endsWith('\n') ? text : text + '\n')
    return
  }
  const report = OnlineShareReport.parse(await apiCall('GET', url, token))
  process.stdout.write(onlineShareTable(report))
}

/** The report's query string from the command's options; `now` fixes the default period (the year in Viet Nam). */
export function reportQuery (values: { from?: string, to?: string, under?: string, by?: string, csv?: boolean }, now: Date): URLSearchParams {
  const date = /^\d{4}-\d{2}-\d{2}$/
  for (const name of ['from', 'to'] as const) {
    const value = values[name]
    if (value !== undefined && !date.test(value)) throw new Error(`--${name} is a day, YYYY-MM-DD\n${USAGE}`)
  }
  if (values.under !== undefined && !isAgencyCode(values.under)) throw new Error(`--under is an agency code, e.g. 000.00.31.H38\n${USAGE}`)
  if (values.by !== undefined && !(REPORT_GROUPINGS as readonly string[]).includes(values.by)) throw new Error(`--by is one of ${REPORT_GROUPINGS.join(', ')}\n${USAGE}`)
  const year = new Date(now.getTime() + REPORT_UTC_OFFSET_HOURS * 3_600_000).getUTCFullYear()
  return new URLSearchParams({
    from: values.from ?? `${year}-01-01`,
    to: values.to ?? `${year}-12-31`,
    ...(values.under !== undefined ? { under: values.under } : {}),
    by: values.by ?? 'level',
    format: values.csv === true ? 'csv' : 'json'
  })
}

/** The local stack's audit service: where `up` says it is, else its default port. */
function auditUrl (): string {
  return process.env.AUDIT_URL ?? requireStack().urls.audit ?? `http://127.0.0.1:${AUDIT_PORT}`
}
