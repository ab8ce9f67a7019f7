import { connect } from 'node:net';

export type NatsInfo = Record<string, unknown>;

/**
 * Reads the INFO line a NATS server sends first on every connection; undefined when nothing
 * answers on the port or what answers is not NATS.
 */
export function readNatsInfo(port: number, timeoutMs = 2000): Promise<NatsInfo | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (info: NatsInfo | undefined): void => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('end', () => finish(undefined));
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
      const lineEnd = received.indexOf('\r\n');
      if (lineEnd === -1) {
        if (received.length > 64 * 1024) finish(undefined);
        return;
      }
      const line = received.slice(0, lineEnd);
      if (!line.startsWith('INFO {')) return finish(undefined);
      try {
        finish(JSON.parse(line.slice('INFO '.length)) as NatsInfo);
      } catch {
        finish(undefined);
      }
    });
  });
}
