/**
 * The relay core: one request line in, its replies out.
 * parse -> look up -> build -> `dispatched` -> HTTP -> exactly one final reply.
 * Knows nothing of sockets: replies go to the `write` callback of the connection.
 */
import type { AbortLike } from './abort.js';
import type { Catalog } from './catalog.js';
import type { RelayConfig } from './config.js';
import { RelayError } from './errors.js';
import { sendAuthorized } from './oauth2.js';
import { pickHeaders, replyBody } from './response.js';
import type { Logger } from './log.js';
import type { Observer } from './observer.js';
import { dispatchedLine, failureLine, refusalLine, responseLine, type RequestId, type RequestMessage } from './protocol.js';
import type { Redactor } from './redact.js';
import { buildRequest } from './request.js';
import type { Outcome, Upstream } from './upstream/upstream.js';

export interface RelayOptions {
  catalog: Catalog;
  /** Timeouts, retries, limits, breaker and TLS around each HTTP exchange. */
  upstream: Upstream;
  /** Connection limits (line length, in-flight cap, depth, ...), read by each connection. */
  limits: RelayConfig['limits'];
  redactor: Redactor;
  log: Logger;
  /** Told of each completed or refused request (logs, metrics); see observer.ts. */
  observer?: Observer;
}

/** How a request is served: its abort signal, its connection, and its tries so far. */
export interface Serving {
  /** Aborts the upstream exchange (cancel, a client gone, shutdown). */
  signal?: AbortLike;
  /** The connection it came on (numbered per process), for the log line; null or absent: none. */
  connection?: number | null;
  /** Kept at the number of tries so far (see ExecuteOptions), for the reply of whoever aborts the request. */
  attempts?: number;
}

export class Relay {
  #opts: RelayOptions;
  #inFlight = 0;
  /** Requests in flight per options object, so that replaced options can be closed once idle. */
  readonly #users = new Map<RelayOptions, { count: number; idle: Array<() => void> }>();

  constructor(opts: RelayOptions) {
    this.#opts = opts;
  }

  /** The options new requests use (SIGHUP may replace them). */
  get options(): RelayOptions {
    return this.#opts;
  }

  /**
   * Serve new requests with `next`; requests in flight finish on the old options.
   * Resolves once no request uses the old options any more (then its dispatcher may be closed).
   */
  replace(next: RelayOptions): Promise<void> {
    const old = this.#opts;
    this.#opts = next;
    const users = this.#users.get(old);
    if (!users) return Promise.resolve();
    return new Promise((resolve) => users.idle.push(resolve));
  }

  /** Requests dispatched and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Serve one parsed request: exactly one final reply through `write`; returns a promise settled after it
   * when the request was dispatched, else null. `serving.signal` aborts the upstream exchange (cancel, a
   * client gone, shutdown); whoever aborts writes the final reply, so writes after it must be dropped.
   */
  handleRequest(msg: RequestMessage, write: (text: string) => void, serving: Serving = {}): Promise<void> | null {
    const { signal } = serving;
    const connection = serving.connection ?? null;
    const opts = this.#opts;
    let target;
    let request;
    try {
      target = opts.catalog.lookup(msg.request);
      const preset = target.preset;
      const params = preset?.params ? { ...preset.params, ...msg.params } : msg.params;
      const hasData = msg.hasData || (preset !== null && 'data' in preset);
      const data = msg.hasData ? msg.data : preset?.data;
      request = buildRequest(target.op, params, hasData, data, msg.contentType);
    } catch (err) {
      const error = this.#asRelayError(err, msg.id, opts);
      opts.observer?.refused(error.code);
      write(refusalLine(msg.id, error));
      return null;
    }
    write(dispatchedLine(msg.id));
    this.#inFlight++;
    let users = this.#users.get(opts);
    if (!users) this.#users.set(opts, (users = { count: 0, idle: [] }));
    users.count++;
    const started = performance.now();
    const { op } = target;
    const redact = (text: string) => opts.redactor.redact(text);
    const observe = (ok: boolean, ms: number, status: number | null, error: RelayError | null, attempts: number) =>
      opts.observer?.requestDone(op.api, { id: msg.id, connection, operation: op.fullName, ok, status, error: error?.code ?? null, ms: Math.round(ms * 100) / 100, attempts });
    const settle = () => {
      this.#inFlight--;
      if (--users.count === 0) {
        this.#users.delete(opts);
        for (const resolve of users.idle.splice(0)) resolve();
      }
    };
    // A throwing `write`: the connection is gone and there is no one to tell.
    const lost = (err: unknown) => opts.log.error(`reply to ${String(msg.id)} lost: ${(err as Error).message}`);
    const answer = (out: Outcome) => {
      try {
        if (out.ok) {
          const res = out.response;
          const headers = msg.headers ? pickHeaders(res, op.replyHeaders, redact) : undefined;
          const ok = op.isSuccess(res.status);
          const ms = performance.now() - started;
          write(responseLine(msg.id, ok, ms, res.status, replyBody(res, redact), out.attempts, headers));
          observe(ok, ms, res.status, null, out.attempts);
        } else {
          const ms = performance.now() - started;
          const error = this.#asRelayError(out.error, msg.id, opts);
          write(failureLine(msg.id, ms, error, out.error.status ?? null, out.attempts));
          observe(false, ms, out.error.status ?? null, error, out.attempts);
        }
      } catch (err) {
        lost(err);
      }
      settle();
    };
    // Only a failed token fetch rejects (AUTH_FAILED, no status): the request itself was never sent.
    const unsent = (err: unknown): Outcome => ({ ok: false, error: this.#asRelayError(err, msg.id, opts), attempts: 0 });
    const execute = () => opts.upstream.execute(op, request, { timeout: msg.timeout, signal, progress: serving });
    // OAuth2 credentials are fetched (and refreshed once on a 401) around the whole upstream exchange.
    const outcome = request.authorize
      ? sendAuthorized(request, opts.upstream.dispatcher(op), () => execute().then((out) => Object.assign(out, { status: out.ok ? out.response.status : 0 })))
      : execute();
    return outcome.then(answer, (err: unknown) => answer(unsent(err)));
  }

  /** RelayErrors pass through with secrets masked; anything else is a bug: logged, and INTERNAL to the client. */
  #asRelayError(err: unknown, id: RequestId, opts: RelayOptions): RelayError {
    if (err instanceof RelayError) {
      const redacted = opts.redactor.redact(err.message);
      if (redacted === err.message) return err;
      const copy = new RelayError(err.code, [], { cause: err });
      copy.message = redacted;
      return copy;
    }
    opts.log.error(`internal error on request ${JSON.stringify(id)}: ${(err as Error)?.stack ?? String(err)}`);
    return new RelayError('INTERNAL', [], { cause: err });
  }
}
