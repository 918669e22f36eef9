/**
 * A loopback HTTP upstream that counts what the relay does to it: requests started, in flight at once
 * (and the most ever), answered, and aborted by the relay before an answer. Requests that `hold`
 * selects wait until `release()`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatedUpstream {
  url: string;
  readonly started: number;
  readonly active: number;
  readonly maxActive: number;
  readonly answered: number;
  readonly aborted: number;
  /** Request targets in arrival order. */
  readonly urls: string[];
  /** Answer every held request now. */
  release(): void;
  /** Resolves when `predicate` holds; rejects after `timeoutMs`. */
  until(predicate: (u: GatedUpstream) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface GatedOptions {
  /** Requests to hold until release(); default none. */
  hold?: (url: string) => boolean;
  /** The JSON body of every answer; default `{"ok":true}`. */
  body?: string;
}

export async function startGatedUpstream(opts: GatedOptions = {}): Promise<GatedUpstream> {
  const body = opts.body ?? '{"ok":true}';
  let held: Array<() => void> = [];
  const counts = { started: 0, active: 0, maxActive: 0, answered: 0, aborted: 0 };
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    counts.started++;
    counts.active++;
    counts.maxActive = Math.max(counts.maxActive, counts.active);
    urls.push(req.url ?? '');
    res.on('close', () => {
      counts.active--;
      if (res.writableFinished) counts.answered++;
      else counts.aborted++;
    });
    const answer = () => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    };
    req.resume();
    if (opts.hold?.(req.url ?? '')) held.push(answer);
    else answer();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const upstream: GatedUpstream = {
    url: `http://127.0.0.1:${port}`,
    get started() { return counts.started; },
    get active() { return counts.active; },
    get maxActive() { return counts.maxActive; },
    get answered() { return counts.answered; },
    get aborted() { return counts.aborted; },
    urls,
    release() {
      const now = held;
      held = [];
      now.forEach((answer) => answer());
    },
    async until(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(upstream)) {
        if (Date.now() > deadline) throw new Error(`upstream condition not met within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return upstream;
}

/** The resident set size of a process in bytes, from /proc/<pid>/status (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) * 1024;
}
