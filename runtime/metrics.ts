/**
 * Prometheus metrics with prom-client, in a registry of their own (not prom-client's global one),
 * fed by the Observer events of relay.ts and upstream.ts; gauges are read when scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Observer, RequestDone } from './observer.js';

/** What the gauges read at scrape time. */
export interface MetricsSources {
  /** Requests dispatched and not yet answered. */
  inFlight(): number;
  /** Connections being served. */
  connections(): number;
}

/** Latency buckets in seconds: sub-millisecond relay overhead up to the default 30 s deadline. */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics implements Observer {
  readonly registry = new Registry();
  readonly #requests: Counter<'api' | 'operation' | 'outcome' | 'code'>;
  readonly #duration: Histogram<'api' | 'operation'>;
  readonly #refused: Counter<'code'>;
  readonly #upstreamErrors: Counter<'api' | 'code'>;
  readonly #rateLimit: Counter<'api' | 'event'>;
  #sources: MetricsSources = { inFlight: () => 0, connections: () => 0 };

  constructor() {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'relay_requests_total',
      help: 'Dispatched requests by outcome: ok or error (the reply status), code the HTTP status or the relay error code.',
      labelNames: ['api', 'operation', 'outcome', 'code'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'relay_request_duration_seconds',
      help: 'Time from dispatched to the final reply (the reply time field).',
      labelNames: ['api', 'operation'],
      buckets: BUCKETS,
      registers,
    });
    this.#refused = new Counter({ name: 'relay_refused_total', help: 'Request lines refused before anything was sent, and connections refused (TOO_MANY_CONNECTIONS, UNAUTHORIZED, IDLE_TIMEOUT), by error code.', labelNames: ['code'], registers });
    this.#upstreamErrors = new Counter({
      name: 'relay_upstream_errors_total',
      help: 'Failed upstream attempts by error code (DNS_FAILED, CONNECT_REFUSED, TLS_FAILED, ...); each retry counts.',
      labelNames: ['api', 'code'],
      registers,
    });
    this.#rateLimit = new Counter({
      name: 'relay_rate_limit_total',
      help: 'Requests that waited in the rate-limit queue (event="wait") or were refused RATE_LIMITED (event="refused").',
      labelNames: ['api', 'event'],
      registers,
    });
    const sources = () => this.#sources;
    new Gauge({
      name: 'relay_requests_in_flight',
      help: 'Requests dispatched and not yet answered.',
      registers,
      collect() {
        this.set(sources().inFlight());
      },
    });
    new Gauge({
      name: 'relay_connections',
      help: 'Open client connections being served.',
      registers,
      collect() {
        this.set(sources().connections());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Where the gauges read from, once the relay and the server exist. */
  track(sources: MetricsSources): void {
    this.#sources = sources;
  }

  requestDone(api: string, done: RequestDone): void {
    const code = done.error ?? String(done.status);
    this.#requests.inc({ api, operation: done.operation, outcome: done.ok ? 'ok' : 'error', code });
    this.#duration.observe({ api, operation: done.operation }, done.ms / 1000);
  }

  refused(code: string): void {
    this.#refused.inc({ code });
  }

  upstreamError(api: string, code: string): void {
    this.#upstreamErrors.inc({ api, code });
  }

  rateLimit(api: string, event: 'wait' | 'refused'): void {
    this.#rateLimit.inc({ api, event });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
