/**
 * One event in the text/event-stream format (WHATWG HTML, server-sent events). The data is one
 * line of JSON, but any line breaks in it are split into `data:` lines as the format requires.
 */
export function formatServerSentEvent (id: string, event: string, data: string): string {
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join('\n')
  return `id: ${id}\nevent: ${event}\n${lines}\n\n`
}

/** A comment line: ignored by clients, it keeps idle connections open through proxies. */
export function heartbeat (): string {
  return ': heartbeat\n\n'
}
