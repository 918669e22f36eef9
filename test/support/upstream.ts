/**
 * A real HTTP server on loopback that records what it receives, for end-to-end tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  /** The raw request target, exactly as sent on the request line. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body bytes as received. */
  bytes: Buffer;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | object | Buffer;
  /** Milliseconds to wait before answering. */
  delay?: number;
}

export type Handler = (req: Received) => Reply | Promise<Reply>;

export interface Upstream {
  url: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/** Start a server on 127.0.0.1 (or `host`), on a free port (or `port`), answering through `handler`. */
export async function startUpstream(handler: Handler, host = '127.0.0.1', port = 0): Promise<Upstream> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const bytes = Buffer.concat(chunks);
      const record: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: bytes.toString(), bytes };
      received.push(record);
      const reply = await handler(record);
      if (reply.delay) await new Promise((r) => setTimeout(r, reply.delay));
      if (Buffer.isBuffer(reply.body)) {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/octet-stream', ...reply.headers });
        res.end(reply.body);
        return;
      }
      const isText = typeof reply.body === 'string' || reply.body === undefined;
      res.writeHead(reply.status ?? 200, { 'content-type': isText ? 'text/plain' : 'application/json', ...reply.headers });
      res.end(isText ? (reply.body ?? '') : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
