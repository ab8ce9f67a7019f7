import type { ExchangeClient } from './exchange-client.ts'
import type { Official } from './official-logins.ts'

export interface StepOutcome { code: string, recorded: boolean, reason?: string }

/** A step beyond acceptance on a document that only arrived: the official took it in by answering it. */
const NEEDS_ACCEPTANCE_FIRST = new Set(['04', '05', '06'])

/**
 * Records the step an official's reply names (`#hoanthanh` → 06) on their agency's item of the
 * document, through the inbox's API like a DMS would. From 01, a later step is preceded by 03: an
 * official completing a document has accepted it. The inbox decides what is allowed; a refusal is
 * told back, it does not undo the answer that already went.
 */
export async function recordAnswerStep (exchange: ExchangeClient, official: Official, documentId: string, code: string, note: string | undefined): Promise<StepOutcome> {
  try {
    const found = await exchange.findItem(official.token, documentId)
    const item = found.status === 200 ? found.body.items?.[0] : undefined
    if (item === undefined) return { code, recorded: false, reason: 'văn bản chưa có trong hộp văn bản đến của cơ quan' }
    if (item.state === code) return { code, recorded: true }
    const steps = item.state === '01' && NEEDS_ACCEPTANCE_FIRST.has(code) ? ['03', code] : [code]
    for (const step of steps) {
      const answer = await exchange.recordStep(official.token, item.id, {
        code: step,
        channel: 'online',
        ...(note !== undefined && step === code ? { note } : {}),
        official: { id: official.address, name: official.name ?? official.address }
      })
      if (answer.status >= 300) return { code, recorded: false, reason: `${answer.body.code ?? answer.status}: ${answer.body.detail ?? answer.body.title ?? ''}`.trim() }
    }
    return { code, recorded: true }
  } catch (err) {
    return { code, recorded: false, reason: `hộp văn bản đến không trả lời (${(err as Error).message})` }
  }
}
