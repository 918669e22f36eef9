/**
 * The upstream side of relay-run: for each operation its dispatcher (shared, or per TLS config),
 * policy, rate limiter and circuit breaker, all set up once at start-up; and `execute`, which runs
 * one request through them: deadline, admission, attempts with backoff, redirects.
 * The retry loop is ours rather than undici's `interceptors.retry`: each attempt must pass the rate
 * limiter and the breaker and be counted for `attempts`, and the backoff must stay inside the deadline.
 */
import type { ConnectionOptions } from 'node:tls';
import { Abort, type AbortLike } from '../abort.js';
import type { Dispatcher } from 'undici';
import type { CompiledOperation } from '../catalog.js';
import type { ApiConfig, RelayConfig } from '../config.js';
import { createDispatcher, send, type UpstreamResponse } from '../dispatch.js';
import { RelayError } from '../errors.js';
import type { Observer } from '../observer.js';
import type { OutgoingRequest } from '../request.js';
import { checkAllowedHosts } from './allowed-hosts.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { resolveOperationPolicy, type OperationPolicy } from './config.js';
import { RateLimiter } from './rate-limit.js';
import { isRedirect, redirectTarget } from './redirect.js';
import { backoffMs, isIdempotent, isRetryableError, isRetryableStatus, parseRetryAfter } from './retry.js';

/** How a request ended: a response, or a failure; either way after `attempts` tries (redirects not counted). */
export type Outcome = { attempts: number } & ({ ok: true; response: UpstreamResponse } | { ok: false; error: RelayError });

export interface ExecuteOptions {
  /** The request line's `timeout` in ms: shortens the configured total deadline, never extends it. */
  timeout?: number | null;
  /** Aborts the request (cancellation, client gone); the outcome then carries the signal's reason. */
  signal?: AbortLike;
  /** Kept at the number of tries so far while the request runs, for a reply written by whoever aborts it. */
  progress?: { attempts?: number };
}

export interface UpstreamOptions {
  operations: Iterable<CompiledOperation>;
  /** The config, with `--server` overrides already merged into `apis`. */
  config: Pick<RelayConfig, 'apis' | 'http' | 'limits' | 'upstream'>;
  /** TLS connection options by API (from upstream/tls.ts). */
  tls: Map<string, ConnectionOptions>;
  /** Told of failed attempts and rate-limit waits (metrics). */
  observer?: Pick<Observer, 'upstreamError' | 'rateLimit'>;
  /**
   * The Upstream this one replaces (a reload): its rate limiters and circuit breakers are taken over
   * where their settings are unchanged, so that a reload keeps a 429's pause, an open circuit and the
   * count of requests in flight (those of the old setup included) instead of starting afresh.
   */
  previous?: Upstream;
}

/** A limiter or breaker, with its settings in a canonical form (so that a reload can tell whether they changed). */
interface Kept<T> {
  value: T;
  settings: string;
}

interface Route {
  policy: OperationPolicy;
  dispatcher: Dispatcher;
  limiter: RateLimiter;
  breaker: CircuitBreaker;
}

export class Upstream {
  readonly #routes = new Map<CompiledOperation, Route>();
  readonly #dispatchers = new Map<string, Dispatcher>();
  /** Rate limiters by API, circuit breakers by origin. */
  readonly #limiters = new Map<string, Kept<RateLimiter>>();
  readonly #breakers = new Map<string, Kept<CircuitBreaker>>();
  readonly #observer: UpstreamOptions['observer'];

  /** Throws an Error naming the config key when an operation override or an allowed host does not fit. */
  constructor(opts: UpstreamOptions) {
    const { config, tls, observer } = opts;
    this.#observer = observer;
    const operations = [...opts.operations];
    checkAllowedHosts(operations, config.apis);
    checkOperationKeys(operations, config.apis);
    const previous = opts.previous;
    const [oldLimiters, oldBreakers] = previous ? [previous.#limiters, previous.#breakers] : [undefined, undefined];
    for (const op of operations) {
      const api: ApiConfig = config.apis[op.api] ?? {};
      const policy = resolveOperationPolicy(config, config.upstream, api, op.name, op.spec.operationId);
      const tlsOptions = tls.get(op.api);
      const key = `${tlsOptions ? op.api : ''}|${policy.timeouts.connectMs}`;
      let dispatcher = this.#dispatchers.get(key);
      if (!dispatcher) {
        dispatcher = createDispatcher(config.http, policy.timeouts.connectMs, tlsOptions);
        this.#dispatchers.set(key, dispatcher);
      }
      // Every API has a limiter, even without limits: a 429 pauses it.
      const limiter = keep(this.#limiters, oldLimiters, op.api, { ...config.upstream.rateLimit, ...api.rateLimit }, (s) => new RateLimiter(op.api, s));
      const origin = op.origin ?? op.api;
      const breaker = keep(this.#breakers, oldBreakers, origin, { ...config.upstream.circuitBreaker, ...api.circuitBreaker }, (s) => new CircuitBreaker(origin, s));
      this.#routes.set(op, { policy, dispatcher, limiter, breaker });
    }
    for (const [api, { value: limiter }] of this.#limiters) limiter.onEvent = observer ? (event) => observer.rateLimit(api, event) : null;
    // Taken over only now that this Upstream is complete: the old one no longer closes them.
    if (previous) {
      for (const [api, kept] of this.#limiters) if (previous.#limiters.get(api) === kept) previous.#limiters.delete(api);
      for (const [origin, kept] of this.#breakers) if (previous.#breakers.get(origin) === kept) previous.#breakers.delete(origin);
    }
  }

  /** The dispatcher an operation's requests go through (also used to fetch its OAuth2 tokens). */
  dispatcher(op: CompiledOperation): Dispatcher {
    return this.#route(op).dispatcher;
  }

  /** The policy an operation's requests are held to. */
  policy(op: CompiledOperation): OperationPolicy {
    return this.#route(op).policy;
  }

  /** Run `req` for `op` through deadline, limiter, breaker, attempts and redirects. Never rejects for upstream failures. */
  async execute(op: CompiledOperation, req: OutgoingRequest, opts: ExecuteOptions = {}): Promise<Outcome> {
    const { policy, dispatcher, limiter, breaker } = this.#route(op);
    const totalMs = Math.min(policy.timeouts.totalMs, opts.timeout ?? Infinity);
    // Aborted by the deadline, or by the caller's signal forwarded into it (see abort.ts for why not AbortSignal.any).
    const signal = new Abort();
    const timer = setTimeout(() => signal.abort(new RelayError('REQUEST_TIMEOUT', [op.host, totalMs])), totalMs);
    const caller = opts.signal;
    const forward = () => signal.abort(caller!.reason);
    if (caller?.aborted) forward();
    else caller?.addEventListener('abort', forward, { once: true });
    const endsAt = performance.now() + totalMs;
    const maxAttempts = isIdempotent(req.method) ? policy.retry.attempts : 1;
    let attempts = 0;
    let redirects = 0;
    let current = req;
    let last: Outcome | null = null;
    const aborted = (): Outcome => ({ ok: false, error: abortReason(signal, op.host), attempts });
    /** Wait before the next try, unless the deadline would pass first: then `last` is the answer. */
    const pause = async (ms: number): Promise<boolean> => {
      if (performance.now() + ms >= endsAt) return false;
      await sleep(ms, signal);
      return !signal.aborted;
    };
    try {
      for (;;) {
        let release: () => void = () => {};
        try {
          release = (signal.aborted ? null : limiter.tryAcquire()) ?? (await limiter.acquire(signal));
          breaker.enter();
        } catch (err) {
          release();
          if (signal.aborted) return aborted();
          // Refused before sending: a retry in progress reports what the upstream last said.
          return last ?? { ok: false, error: err as RelayError, attempts };
        }
        attempts++;
        if (opts.progress) opts.progress.attempts = attempts;
        let response: UpstreamResponse;
        try {
          response = await send(dispatcher, current, op.host, { headersMs: policy.timeouts.headersMs, bodyMs: policy.timeouts.bodyMs, maxBytes: policy.maxResponseBytes, signal });
        } catch (err) {
          if (signal.aborted) {
            breaker.neutral();
            return aborted();
          }
          if (!(err instanceof RelayError)) throw err;
          this.#observer?.upstreamError(op.api, err.code);
          if (err.code === 'RESPONSE_TOO_LARGE') breaker.success();
          else breaker.failure();
          last = { ok: false, error: err, attempts };
          if (attempts < maxAttempts && isRetryableError(err.code) && (await pause(backoffMs(attempts, policy.retry)))) continue;
          return signal.aborted ? aborted() : last;
        } finally {
          release();
        }
        const status = response.status;
        if (status >= 500) breaker.failure();
        else breaker.success();
        // Headers are decoded only for the statuses that need them (see Collected in dispatch.ts); 429 is retryable.
        const retryAfter = isRetryableStatus(status) ? parseRetryAfter(response.headers['retry-after']) : null;
        if (status === 429 && retryAfter !== null) limiter.pause(Math.min(retryAfter, policy.retry.maxRetryAfterMs));
        if (policy.followRedirects && status >= 300 && status < 400 && isRedirect(status, response.headers.location)) {
          const next = redirectTarget(current, status, response.headers.location as string, op.host);
          if (next instanceof RelayError) return { ok: false, error: next, attempts };
          if (++redirects > policy.maxRedirects) {
            return { ok: false, error: new RelayError('REDIRECT_REFUSED', [op.host, `more than ${policy.maxRedirects} redirects`]), attempts };
          }
          current = next;
          attempts--;
          if (opts.progress) opts.progress.attempts = attempts;
          continue;
        }
        last = { ok: true, response, attempts };
        if (attempts >= maxAttempts || !isRetryableStatus(status)) return last;
        // Honour Retry-After within the cap; past the cap, the upstream's answer is the reply.
        if (retryAfter !== null && retryAfter > policy.retry.maxRetryAfterMs) return last;
        if (!(await pause(retryAfter ?? backoffMs(attempts, policy.retry)))) return signal.aborted ? aborted() : last;
      }
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', forward);
    }
  }

  /** Close every dispatcher and refuse whatever still waits for a permit. */
  async close(): Promise<void> {
    for (const { value: limiter } of this.#limiters.values()) limiter.close(new RelayError('UPSTREAM_FAILED', ['relay', 'shutting down']));
    await Promise.all([...this.#dispatchers.values()].map((d) => d.close().catch(() => {})));
  }

  #route(op: CompiledOperation): Route {
    const route = this.#routes.get(op);
    if (!route) throw new Error(`operation ${op.fullName} is not known to this Upstream`);
    return route;
  }
}

/**
 * The limiter or breaker for `key` in `mine`: made once with `settings`, or the previous Upstream's
 * when it was made with the same settings.
 */
function keep<T, S extends object>(mine: Map<string, Kept<T>>, theirs: Map<string, Kept<T>> | undefined, key: string, settings: S, make: (settings: S) => T): T {
  const found = mine.get(key);
  if (found) return found.value;
  const canonical = JSON.stringify(settings, Object.keys(settings).sort());
  const old = theirs?.get(key);
  const kept = old?.settings === canonical ? old : { value: make(settings), settings: canonical };
  mine.set(key, kept);
  return kept.value;
}

/** `apis.<name>.operations.<op>` must name an operation of that API. */
function checkOperationKeys(operations: CompiledOperation[], apis: Record<string, ApiConfig>): void {
  for (const [api, config] of Object.entries(apis)) {
    for (const name of Object.keys(config.operations ?? {})) {
      const ours = operations.filter((o) => o.api === api);
      if (ours.length === 0 || ours.some((o) => o.name === name || o.spec.operationId === name)) continue;
      throw new Error(`config apis.${api}.operations.${name}: API ${api} has no operation ${name} (it has: ${ours.map((o) => o.name).join(', ')})`);
    }
  }
}

/** The deadline's REQUEST_TIMEOUT, or the caller's reason when it is a RelayError. */
function abortReason(signal: AbortLike, host: string): RelayError {
  const reason: unknown = signal.reason;
  if (reason instanceof RelayError) return reason;
  return new RelayError('UPSTREAM_FAILED', [host, 'request aborted'], { cause: reason });
}

function sleep(ms: number, signal: AbortLike): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
