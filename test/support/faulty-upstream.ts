/**
 * A fault-injecting upstream: a real HTTP (or HTTPS) server on loopback whose path picks a fault.
 * `/f/<mode>/<tag>` (the `fault` operation of test/fixtures/e2e/faulty.yaml); `<tag>` keeps
 * per-test counters apart:
 *   ok            200 {"mode":"ok","tag":...}
 *   status        answers `?status=` (default 500)
 *   storm         the first `?fail=` hits answer `?status=` (default 503), then 200
 *   retry-after   the first `?fail=` hits answer 429 with `Retry-After: <?retryAfter>`, then 200
 *   reset         sends the headers and part of the body, then destroys the socket
 *   slow-headers  waits `?ms=` before the headers
 *   slow-body     sends the headers, then a byte every 20 ms for `?ms=` (never idle for long)
 *   big           a body of `?bytes=` bytes
 *   redirect      `?status=` (default 302) to `?to=`
 * `/small/<tag>?bytes=N` (the `small` operation) answers N bytes too.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface FaultyUpstream {
  url: string;
  port: number;
  /** Requests received per `<mode>/<tag>` (and `small/<tag>`). */
  hits(key: string): number;
  /** Arrival times (performance.now()) per key. */
  arrivals(key: string): number[];
  close(): Promise<void>;
}

export interface FaultyOptions {
  /** Serve HTTPS with these options (key, cert, ca, requestCert, ...). */
  tls?: https.ServerOptions;
}

export async function startFaultyUpstream(opts: FaultyOptions = {}): Promise<FaultyUpstream> {
  const arrivals = new Map<string, number[]>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://faulty.invalid');
    const q = url.searchParams;
    const parts = url.pathname.split('/').filter(Boolean);
    const [mode, tag] = parts[0] === 'small' ? ['small', parts[1] ?? ''] : [parts[1] ?? '', parts[2] ?? ''];
    const key = `${mode}/${tag}`;
    const seen = [...(arrivals.get(key) ?? []), performance.now()];
    arrivals.set(key, seen);
    const n = seen.length;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const num = (name: string, fallback: number) => (q.has(name) ? Number(q.get(name)) : fallback);
    switch (mode) {
      case 'ok':
        return json(200, { mode, tag, hit: n });
      case 'status':
        return json(num('status', 500), { mode, tag, hit: n });
      case 'storm':
        return n <= num('fail', 3) ? json(num('status', 503), { mode, tag, hit: n }) : json(200, { mode, tag, hit: n });
      case 'retry-after':
        return n <= num('fail', 1) ? json(429, { mode, tag, hit: n }, { 'retry-after': q.get('retryAfter') ?? '1' }) : json(200, { mode, tag, hit: n });
      case 'reset':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"partial":');
        return later(20, () => res.socket?.destroy());
      case 'slow-headers':
        return later(num('ms', 5_000), () => json(200, { mode, tag, hit: n }));
      case 'slow-body': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const until = performance.now() + num('ms', 5_000);
        const drip = () => {
          if (res.destroyed) return;
          if (performance.now() >= until) return void res.end('.');
          res.write('.');
          later(20, drip);
        };
        return drip();
      }
      case 'big':
      case 'small':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('x'.repeat(num('bytes', 1_000_000)));
      case 'redirect':
        res.writeHead(num('status', 302), { location: q.get('to') ?? '/' });
        return res.end();
      default:
        return json(404, { error: `unknown mode ${mode}` });
    }
  };
  const server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
  // A TLS handshake the client aborts is expected here, not a test failure.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    hits: (key) => arrivals.get(key)?.length ?? 0,
    arrivals: (key) => arrivals.get(key) ?? [],
    close: () =>
      new Promise((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
