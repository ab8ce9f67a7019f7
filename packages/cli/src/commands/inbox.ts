import { parseArgs } from 'node:util'
import { isAgencyCode } from '@lienthong/contracts'
import { requireStack } from '../local-stack.ts'
import { agencyToken } from './token.ts'

const USAGE = 'usage: lienthong inbox <agency code> [--state 01] [--limit 20] [--watch]'

/**
 * An agency's inbox on the local stack, newest first, one line per item; with `--watch`, then
 * its events as they happen (server-sent events), until Ctrl-C.
 */
export async function inboxCommand (args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { state: { type: 'string' }, limit: { type: 'string' }, watch: { type: 'boolean' } } })
  const code = positionals[0]
  if (code === undefined || !isAgencyCode(code)) throw new Error(USAGE)
  const inbox = requireStack().urls.inbox
  const token = await agencyToken(code)
  const query = new URLSearchParams({ limit: values.limit ?? '20', ...(values.state !== undefined ? { state: values.state } : {}) })
  const res = await fetch(`${inbox}/v1/inbox?${query}`, { headers: { authorization: `Bearer ${token}` } })
  const body = await res.json() as { items?: Array<{ id: string, state: string, priority: number, sender: string, receivedAt: string, subject: string }>, detail?: string }
  if (!res.ok) throw new Error(`inbox answered ${res.status}: ${body.detail ?? ''}`)
  for (const i of body.items ?? []) {
    process.stdout.write(`${i.id}  ${i.state}  p${i.priority}  ${i.receivedAt.slice(0, 19)}  ${i.sender}  ${i.subject}\n`)
  }
  if (values.watch !== true) return
  const stream = await fetch(`${inbox}/v1/inbox/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } })
  if (!stream.ok || stream.body === null) throw new Error(`the event stream answered ${stream.status}`)
  const decoder = new TextDecoder()
  let partial = ''
  for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
    // A line may be cut between two chunks: only whole lines are printed.
    const lines = (partial + decoder.decode(chunk, { stream: true })).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) if (line.startsWith('data: ')) process.stdout.write(`${line.slice(6)}\n`)
  }
}
