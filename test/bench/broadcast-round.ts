// One broadcast: a directive from the provincial People's Committee to every other agency in Lào
// Cai (the subtree group of 000.00.00.H38), timed from the 202 to the last recipient's
// `item.arrived` and to the last 01 the sender sees.
import type { ArrivalWatch } from './arrival-watch.ts'
import { call } from './http-client.ts'

export const PROVINCE = '000.00.00.H38'

export interface BroadcastRound { recipients: number, acceptMs: number, lastInboxMs: number, lastStatusMs: number | null }

export async function broadcastRound (opts: { routingUrl: string, token: string, watch: ArrivalWatch, notation: string, number: number, waitForReceipts: boolean, timeoutMs?: number }): Promise<BroadcastRound> {
  const { watch } = opts
  const sentAt = performance.now()
  const answer = await call('POST', `${opts.routingUrl}/v1/documents`, opts.token, JSON.stringify({
    to: { group: 'subtree', of: PROVINCE },
    document: { number: String(opts.number), notation: opts.notation, type: 'Chỉ thị', subject: `Chỉ thị về tăng cường phòng, chống thiên tai, số ${opts.number}`, issuedAt: new Date().toISOString().slice(0, 10), priority: 0 }
  }))
  const acceptedAt = performance.now()
  if (answer.status !== 202) throw new Error(`broadcast → ${answer.status} ${answer.body}`)
  const { id, recipients } = JSON.parse(answer.body) as { id: string, recipients: string[] }
  const timeout = new Promise<never>((_resolve, reject) => { setTimeout(() => { reject(new Error(`broadcast ${id} not in every inbox within ${opts.timeoutMs ?? 60_000} ms`)) }, opts.timeoutMs ?? 60_000).unref() })
  const lastInbox = await Promise.race([watch.whenAll(id, recipients.length, 'arrived'), timeout])
  const lastStatus = opts.waitForReceipts ? await Promise.race([watch.whenAll(id, recipients.length, 'status'), timeout]) : null
  return { recipients: recipients.length, acceptMs: acceptedAt - sentAt, lastInboxMs: lastInbox - acceptedAt, lastStatusMs: lastStatus === null ? null : lastStatus - acceptedAt }
}
