import { DeliverPolicy, type Consumer, type ConsumerMessages } from '@nats-io/jetstream'
import { z } from 'zod'
import { SCOPES, STREAMS, agencyEventsFilter } from '@lienthong/contracts'
import { AppError, type ServiceApp } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { formatServerSentEvent, heartbeat } from '../domain/server-sent-events.ts'

/**
 * The token agency's events as server-sent events, straight from the EVENTS stream: each event's
 * id is its stream sequence, so a client that reconnects with `Last-Event-ID` (browsers do it by
 * themselves) gets exactly what came after, in the stream's order, even across inbox copies.
 */
export async function eventRoutes (app: ServiceApp, ctx: InboxContext): Promise<void> {
  // Open streams end before the server closes, or it would wait on them for ever.
  const open = new Set<() => void>()
  app.addHook('preClose', async () => { for (const end of open) end() })
  // Each stream is a consumer on the NATS server: one token must not be able to open thousands.
  const perAgency = new Map<string, number>()
  const release = (agency: string): void => {
    const left = (perAgency.get(agency) ?? 1) - 1
    if (left > 0) perAgency.set(agency, left)
    else perAgency.delete(agency)
  }

  app.get('/v1/inbox/events', {
    onRequest: app.requireScopes(SCOPES.inboxRead),
    schema: {
      tags: ['inbox'],
      summary: 'Server-sent events: arrivals, steps and work-file changes of this agency, and status messages of the documents it sent',
      description: 'Resumable: send `Last-Event-ID` (or `lastEventId` in the query) with the id of the last event received; `lastEventId=0` replays from the oldest event kept. Without either, only new events come. Each event\u2019s `event:` is its type (`item.arrived`, `work-file.step`, `document.status`, …) and `data:` the event as JSON.',
      headers: z.object({ 'last-event-id': z.string().optional() }).loose(),
      querystring: z.object({ lastEventId: z.string().optional() })
    }
  }, async (request, reply) => {
    const given = request.headers['last-event-id'] ?? request.query.lastEventId
    const after = given === undefined ? undefined : Number(given)
    if (given !== undefined && (!/^\d{1,15}$/.test(given) || !Number.isSafeInteger(after))) {
      throw ctx.fail('EVENT_ID_INVALID', `"${given}" is not an event id: ids are the stream sequence numbers this endpoint sends`)
    }
    const agency = request.agency
    const held = perAgency.get(agency) ?? 0
    if (held >= ctx.config.SSE_MAX_PER_AGENCY) {
      throw ctx.fail('RATE_LIMITED', `${agency} already has ${held} event streams open here (at most ${ctx.config.SSE_MAX_PER_AGENCY}); close one, or use a webhook`)
    }
    perAgency.set(agency, held + 1)
    let released = false
    const releaseOnce = (): void => { if (!released) { released = true; release(agency) } }
    let messages: ConsumerMessages
    let consumer: Consumer
    try {
      if (after !== undefined) {
        // An id past the stream's end is not one this stream sent (it was reset, or the id is made
        // up): waiting for it would silently drop everything until the stream caught up.
        const last = (await (await ctx.js.streams.get(STREAMS.events.name)).info()).state.last_seq
        if (after > last) throw ctx.fail('EVENT_ID_INVALID', `event ${after} is past the end of the stream (its last event is ${last}); resume from ${last} or connect without Last-Event-ID`, { lastEventId: last })
      }
      consumer = await ctx.js.consumers.get(STREAMS.events.name, {
        filter_subjects: agencyEventsFilter(request.agency, 'inbox'),
        ...(after === undefined ? { deliver_policy: DeliverPolicy.New } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 })
      })
      messages = await consumer.consume({ max_messages: 256 })
    } catch (err) {
      releaseOnce()
      if (err instanceof AppError) throw err
      ctx.log.warn({ err }, 'event stream not opened')
      throw ctx.fail('UNAVAILABLE', 'the event stream cannot be read right now; reconnect with the same Last-Event-ID')
    }

    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // proxies such as nginx would otherwise hold events back in their buffers
      'x-accel-buffering': 'no'
    })
    const beat = setInterval(() => { res.write(heartbeat()) }, ctx.config.SSE_HEARTBEAT_MS)
    // The token was checked once, at the start: the stream ends when it expires, and the client
    // reconnects with a fresh one and Last-Event-ID, so a revoked client does not read for ever.
    const exp = (request.tokenClaims as { exp?: number } | undefined)?.exp
    const expiresIn = typeof exp === 'number' ? exp * 1000 - Date.now() : undefined
    const expiry = expiresIn === undefined ? undefined : setTimeout(() => { end() }, Math.max(0, Math.min(expiresIn, 2 ** 31 - 1)))
    const close = (): void => {
      releaseOnce()
      clearInterval(beat)
      clearTimeout(expiry)
      open.delete(end)
      // Closed by the client or by us, the stream's consumer goes at once rather than idling on the
      // server for its inactivity threshold (which still covers a copy that dies).
      void messages.close().then(async () => await consumer.delete()).catch(() => {})
    }
    const end = (): void => { close(); res.end() }
    open.add(end)
    res.once('close', close)
    // The client may have gone while the consumer was being made: its 'close' came before anyone listened.
    if (request.raw.destroyed || res.destroyed) {
      close()
      return
    }
    res.write(heartbeat())
    const gone = new Promise<void>((resolve) => res.once('close', resolve))
    try {
      for await (const m of messages) {
        const type = (m.json<{ type?: string }>()).type ?? 'event'
        // A slow client is waited for, not buffered without end: the consumer then waits too.
        if (!res.write(formatServerSentEvent(String(m.seq), type, m.string()))) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), gone])
        if (res.destroyed) break
      }
    } catch (err) {
      ctx.log.debug({ err }, 'event stream ended')
    } finally {
      close()
      res.end()
    }
  })
}
