/**
 * The optional HTTP listener for operators (`--metrics HOST:PORT`, config `metrics.listen`):
 * `GET /metrics` (Prometheus text) and `GET /healthz` (200 `ok` while serving, 503 once stopping).
 */
import http from 'node:http';
import type net from 'node:net';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { LISTEN_HINTS, formatHostPort, isLoopback, listen, type TcpAddress } from './server.js';

const METRICS_HINTS = { ...LISTEN_HINTS, EADDRINUSE: 'address already in use (choose another with --metrics)' };

export class MetricsServer {
  readonly #server: http.Server;
  readonly #log: Logger;
  #stopping = false;

  constructor(metrics: Metrics, log: Logger) {
    this.#server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      } else if (path === '/healthz') {
        res.writeHead(this.#stopping ? 503 : 200, { 'content-type': 'text/plain' }).end(this.#stopping ? 'shutting down\n' : 'ok\n');
      } else if (path === '/metrics') {
        metrics.text().then(
          (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
          (err: unknown) => {
            log.error(`metrics: ${(err as Error).message}`);
            res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n');
          },
        );
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
      }
    });
    // Scrapers keep connections alive; they must not hold up shutdown.
    this.#server.keepAliveTimeout = 5_000;
    this.#log = log;
  }

  /** Listen; resolves to `http://host:port` with the actual port. Warns when the address is not loopback. */
  async listen(addr: TcpAddress): Promise<string> {
    await listen(this.#server, { host: addr.host, port: addr.port }, `for metrics on ${formatHostPort(addr.host, addr.port)}`, METRICS_HINTS);
    const bound = this.#server.address() as net.AddressInfo;
    if (!isLoopback(bound.address)) {
      this.#log.warn(`metrics listener bound to non-loopback address ${bound.address}: any host that can reach it can read relay's metrics`);
    }
    return `http://${formatHostPort(bound.address, bound.port)}`;
  }

  /** From now on /healthz answers 503 (graceful shutdown has begun). */
  stopping(): void {
    this.#stopping = true;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
