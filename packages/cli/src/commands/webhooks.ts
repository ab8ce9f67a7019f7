import { parseArgs } from 'node:util'
import { isAgencyCode } from '@lienthong/contracts'
import { listDeadLetters, replayDeadLetters, type DeadLetter } from '../inbox-admin.ts'
import { operatorCredentials, requireStack } from '../local-stack.ts'
import { issueToken } from '../registry-admin.ts'

const USAGE = `usage: lienthong webhooks dead-letters [--agency <code>]
       lienthong webhooks replay [--agency <code>] [id…]   (ids, an agency, or both)`

/** The operator's hand on webhook calls the inbox gave up: list them, and send them again. */
export async function webhooksCommand (args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { agency: { type: 'string' } } })
  const [sub, ...rest] = positionals
  const agency = values.agency
  if (agency !== undefined && !isAgencyCode(agency)) throw new Error(`${agency} is not an agency code\n${USAGE}`)
  const stack = requireStack()
  if (sub === 'dead-letters' && rest.length === 0) {
    const token = await issueToken(stack.urls.registry, operatorCredentials())
    const letters = await listDeadLetters(stack.urls.inbox, token, agency)
    for (const d of letters) process.stdout.write(line(d) + '\n')
    process.stderr.write(`${letters.length} dead letter${letters.length === 1 ? '' : 's'}${agency !== undefined ? ` of ${agency}` : ''}\n`)
    return
  }
  if (sub === 'replay') {
    const ids = rest.map(Number)
    if (ids.some((id) => !Number.isInteger(id) || id < 1)) throw new Error(`ids are whole numbers, as dead-letters lists them\n${USAGE}`)
    if (ids.length === 0 && agency === undefined) throw new Error(`name what to replay\n${USAGE}`)
    const token = await issueToken(stack.urls.registry, operatorCredentials())
    const replayed = await replayDeadLetters(stack.urls.inbox, token, { ...(ids.length > 0 ? { ids } : {}), ...(agency !== undefined ? { agency } : {}) })
    process.stdout.write(`replayed ${replayed}\n`)
    return
  }
  throw new Error(USAGE)
}

function line (d: DeadLetter): string {
  return [d.id, d.agency, d.eventType, d.eventId, `attempts=${d.attempts}`, `given up ${d.finishedAt ?? '?'}`, d.lastError ?? ''].join('\t')
}
