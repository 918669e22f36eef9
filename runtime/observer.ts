/**
 * The one seam between serving requests and watching them: relay.ts and upstream.ts report events
 * to an Observer; the logger (log.ts) and the metrics (metrics.ts) are observers.
 */
import type { Logger } from './log.js';
import type { RequestId } from './protocol.js';

/** A dispatched request that got its final reply. */
export interface RequestDone {
  id: RequestId;
  /** The connection it came on (numbered from 1 per process), or null when not served over a socket. */
  connection: number | null;
  /** `api.op` (the request name, presets resolved). */
  operation: string;
  /** Whether the reply says `ok`. */
  ok: boolean;
  /** The upstream's HTTP status, or null when there was none. */
  status: number | null;
  /** The relay error code, when the reply carries one. */
  error: string | null;
  ms: number;
  attempts: number;
}

/** What relay-run reports while serving. Every method must be cheap and must not throw. */
export interface Observer {
  /** A dispatched request got its final reply. */
  requestDone(api: string, done: RequestDone): void;
  /** A line was refused before anything was sent (bad JSON, unknown operation, missing param, ...). */
  refused(code: string): void;
  /** One upstream attempt failed (DNS_FAILED, CONNECT_REFUSED, TLS_FAILED, ...); retries count each. */
  upstreamError(api: string, code: string): void;
  /** A request had to wait in the API's rate-limit queue ('wait'), or was refused RATE_LIMITED ('refused'). */
  rateLimit(api: string, event: 'wait' | 'refused'): void;
}

/** Fan out to several observers. */
export function observers(...list: Array<Partial<Observer>>): Observer {
  const each = <K extends keyof Observer>(key: K) => list.map((o) => o[key]?.bind(o)).filter((f) => f !== undefined) as Array<Observer[K]>;
  const done = each('requestDone');
  const refused = each('refused');
  const upstream = each('upstreamError');
  const rate = each('rateLimit');
  return {
    requestDone: (api, d) => done.forEach((f) => f(api, d)),
    refused: (code) => refused.forEach((f) => f(code)),
    upstreamError: (api, code) => upstream.forEach((f) => f(api, code)),
    rateLimit: (api, event) => rate.forEach((f) => f(api, event)),
  };
}

/** The logger as an observer: one line per completed request. */
export function logObserver(log: Logger): Partial<Observer> {
  return { requestDone: (_api, done) => log.request(done) };
}
