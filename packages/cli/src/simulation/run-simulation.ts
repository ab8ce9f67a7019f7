import { documentId, type SendDocumentRequest, type SendDocumentResponse } from '@lienthong/contracts'
import { apiCall } from './api-call.ts'
import { inPool } from './pool.ts'
import type { PlannedFile, PlannedSend, SimulationPlan } from './plan.ts'

/** Where the run goes: the services' URLs and a DMS token for any agency. */
export interface SimulationTarget {
  routingUrl: string
  inboxUrl: string
  token: (code: string) => Promise<string>
}

export interface RunOptions {
  concurrency?: number
  /** made part of every notation (`UBND-VP.MP<tag>`), so a second run's numbers are new documents; default: the time */
  runTag?: string
  /** how long an agency's arrivals may take to reach its inbox */
  arrivalTimeoutMs?: number
  progress?: (line: string) => void
}

export interface RunResult {
  /** each planned file's work file id, by the file's key */
  workFiles: Map<string, string>
  documents: number
  steps: number
  ms: number
}

// An access token lives 15 minutes; a long run takes a fresh one before that.
const TOKEN_REUSE_MS = 10 * 60_000
const PAGE = 500

/**
 * Plays a plan through the public APIs, as the agencies' DMSs would: each sender posts its
 * documents, each recipient finds them in its inbox, accepts them in bulk (03) and records 04, 05
 * and 06 on each; the DMS files are opened with `POST /v1/work-files` and taken through the same
 * steps. Every step carries the channel the plan chose. Nothing is read or written but over HTTP.
 */
export async function runSimulation (plan: SimulationPlan, target: SimulationTarget, opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now()
  const concurrency = opts.concurrency ?? 32
  const runTag = opts.runTag ?? started.toString(36)
  const say = opts.progress ?? (() => {})
  const tokens = new Map<string, { at: number, token: Promise<string> }>()
  const token = async (code: string): Promise<string> => {
    const held = tokens.get(code)
    if (held !== undefined && Date.now() - held.at < TOKEN_REUSE_MS) return await held.token
    const fresh = { at: Date.now(), token: target.token(code) }
    fresh.token.catch(() => { tokens.delete(code) })
    tokens.set(code, fresh)
    return await fresh.token
  }
  const ticker = progressTicker(say)
  const workFiles = new Map<string, string>()
  let steps = 0

  // 0. Every agency of the run gets its token first: issuing one is deliberately slow (the
  // registry checks the client secret with scrypt), so it is its own phase, at most two at a time.
  const agencies = [...new Set([...plan.sends.map((s) => s.sender), ...plan.files.map((f) => f.agency)])]
  ticker.phase('tokens', agencies.length)
  await inPool(agencies, Math.min(concurrency, 2), async (code) => { await token(code); ticker.done() })

  // 1. The senders send, and the DMSs open their own files.
  const receivedFrom = new Date(started - 5_000).toISOString()
  const docIds = new Map<number, string>()
  const dmsFiles = plan.files.filter((f) => f.origin === 'dms')
  ticker.phase('sending', plan.sends.length + dmsFiles.length)
  const opening: Array<{ send?: PlannedSend, file?: PlannedFile }> = [...plan.sends.map((send) => ({ send })), ...dmsFiles.map((file) => ({ file }))]
  await inPool(opening, concurrency, async ({ send, file }) => {
    if (send !== undefined) {
      docIds.set(send.index, await sendDocument(target, await token(send.sender), send, runTag))
    } else if (file !== undefined) {
      const opened = await apiCall<{ id: string }>('POST', `${target.inboxUrl}/v1/work-files`, await token(file.agency), { title: file.title, channel: file.openChannel })
      workFiles.set(file.key, opened.id)
    }
    ticker.done()
  })

  // 2. Each recipient waits for its arrivals, then accepts them in bulk, online and paper apart.
  const byAgency = new Map<string, PlannedFile[]>()
  for (const file of plan.files) {
    if (file.origin !== 'exchange') continue
    byAgency.set(file.agency, [...byAgency.get(file.agency) ?? [], file])
  }
  const arrivals = plan.files.length - dmsFiles.length
  ticker.phase('accepting', arrivals)
  await inPool([...byAgency.entries()], concurrency, async ([agency, files]) => {
    const wanted = new Map(files.map((f) => [docIds.get(f.send!)!, f]))
    const items = await awaitArrivals(target, () => token(agency), agency, wanted, receivedFrom, opts.arrivalTimeoutMs ?? 120_000)
    for (const [docId, itemId] of items) workFiles.set(wanted.get(docId)!.key, itemId)
    for (const channel of ['online', 'paper'] as const) {
      const ids = files.filter((f) => f.steps[0]!.channel === channel).map((f) => workFiles.get(f.key)!)
      for (let i = 0; i < ids.length; i += PAGE) {
        const batch = ids.slice(i, i + PAGE)
        const answer = await apiCall<{ results: Array<{ id: string, ok: boolean, code?: string, detail?: string }> }>(
          'POST', `${target.inboxUrl}/v1/inbox/acknowledge`, await token(agency), { ids: batch, channel })
        const failed = answer.results.find((r) => !r.ok)
        if (failed !== undefined) throw new Error(`${agency} could not accept ${failed.id}: ${failed.code ?? ''} ${failed.detail ?? ''}`)
        steps += batch.length
        ticker.done(batch.length)
      }
    }
  })

  // 3. Every file is taken through its remaining steps to 06.
  const remaining = plan.files.reduce((n, f) => n + f.steps.filter((s) => s.code !== '03').length, 0)
  ticker.phase('working', remaining)
  await inPool(plan.files, concurrency, async (file) => {
    const id = workFiles.get(file.key)!
    for (const step of file.steps) {
      if (step.code === '03') continue
      await apiCall('POST', `${target.inboxUrl}/v1/work-files/${id}/status`, await token(file.agency), { code: step.code, channel: step.channel })
      steps++
      ticker.done()
    }
  })
  ticker.stop()
  return { workFiles, documents: plan.sends.length, steps, ms: Date.now() - started }
}

async function sendDocument (target: SimulationTarget, token: string, send: PlannedSend, runTag: string): Promise<string> {
  const document = { ...send.document, notation: `${send.document.notation}.MP${runTag}` }
  const body: SendDocumentRequest = { to: send.group ?? send.recipients, document: { ...document, priority: 0 } }
  const answer = await apiCall<SendDocumentResponse>('POST', `${target.routingUrl}/v1/documents`, token, body)
  const delivered = [...answer.recipients].sort()
  if (delivered.join() !== send.recipients.join()) {
    throw new Error(`${answer.id} went to ${delivered.length} agencies where the plan has ${send.recipients.length}: is the directory the scenario's?`)
  }
  return documentId(send.sender, document)
}

/** The inbox items of the documents wanted, by document id, once all of them have arrived. */
async function awaitArrivals (
  target: SimulationTarget, token: () => Promise<string>, agency: string, wanted: Map<string, unknown>, receivedFrom: string, timeoutMs: number
): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let cursor: string | null = null
    do {
      const query = new URLSearchParams({ state: '01', receivedFrom, limit: String(PAGE), ...(cursor !== null ? { cursor } : {}) })
      const page: { items: Array<{ id: string, documentId: string }>, next: string | null } =
        await apiCall('GET', `${target.inboxUrl}/v1/inbox?${query.toString()}`, await token())
      for (const item of page.items) if (wanted.has(item.documentId)) found.set(item.documentId, item.id)
      cursor = page.next
    } while (cursor !== null)
    if (found.size === wanted.size) return found
    if (Date.now() > deadline) throw new Error(`${agency}: ${wanted.size - found.size} of ${wanted.size} documents did not arrive within ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** A line on the phase's progress every two seconds, and one when it ends. */
function progressTicker (say: (line: string) => void): { phase: (name: string, total: number) => void, done: (n?: number) => void, stop: () => void } {
  let name = ''
  let total = 0
  let count = 0
  let phaseStart = Date.now()
  const line = (): void => { say(`${name}: ${count}/${total} (${((Date.now() - phaseStart) / 1000).toFixed(1)} s)`) }
  const timer = setInterval(() => { if (name !== '' && count < total) line() }, 2_000)
  timer.unref()
  return {
    phase: (next, size) => {
      if (name !== '') line()
      name = next
      total = size
      count = 0
      phaseStart = Date.now()
    },
    done: (n = 1) => { count += n },
    stop: () => { line(); clearInterval(timer) }
  }
}
