/**
 * One HTTP exchange: the undici call with its headers and whole-body timeouts, reading the
 * response within a size cap, and mapping failures that produced no status to RelayErrors.
 * Retries, limits and the breaker around it live in upstream/.
 */
import { Agent, util, type Dispatcher } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import { RelayError } from './errors.js';
import { isJsonMediaType } from './media-type.js';
import type { OutgoingRequest } from './request.js';
import type { RelayConfig } from './config.js';
import type { AbortLike } from './abort.js';

const { headerNameToString } = util;

export interface UpstreamResponse {
  status: number;
  contentType: string;
  /** The body as text (UTF-8), decoded on first use. */
  readonly text: string;
  /** The body as received, for binary responses. */
  bytes: Buffer;
  /** Response headers, lower-case names, repeated ones joined with `, `. */
  readonly headers: Record<string, string>;
}

export interface SendOptions {
  /** Milliseconds to the response headers, and from them to the end of the body. */
  headersMs: number;
  bodyMs: number;
  maxBytes: number;
  /** Aborts the exchange; `send` then rejects with the signal's reason. */
  signal?: AbortLike;
}

/**
 * A dispatcher with a connect timeout and TLS options. TLS verification is undici's default and
 * is turned off only when `tls.rejectUnauthorized` is false (see upstream/tls.ts).
 */
export function createDispatcher(http: RelayConfig['http'], connectMs = http.connectTimeoutMs, tls: ConnectionOptions = {}): Dispatcher {
  return new Agent({
    connections: http.connectionsPerOrigin,
    connect: { ...tls, timeout: connectMs },
    headersTimeout: http.headersTimeoutMs,
    bodyTimeout: http.bodyTimeoutMs,
    keepAliveTimeout: 4_000,
  });
}

/**
 * Send `req` once and read the whole response (up to `maxBytes`). Rejects with a RelayError, or the
 * signal's reason as soon as it aborts.
 * Uses undici's handler interface rather than `request()`: no Readable stream, async iterator or
 * promise per chunk stands between the socket and the collected body (about a fifth of relay's CPU
 * per request at 256 in flight; see docs/performance.md).
 */
export function send(dispatcher: Dispatcher, req: OutgoingRequest, host: string, opts: SendOptions): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    new Exchange(host, opts, resolve, reject).start(dispatcher, req);
  });
}

/** One request's handler: collects the response, enforces the whole-body timeout and the size cap. */
class Exchange implements Dispatcher.DispatchHandler {
  readonly #host: string;
  readonly #opts: SendOptions;
  readonly #resolve: (res: UpstreamResponse) => void;
  readonly #reject: (err: unknown) => void;
  /** undici's abort for this request, once it is assigned to a connection. */
  #abortRequest: ((err: Error) => void) | null = null;
  /** Why the request must stop (signal, body timeout, size cap), kept until undici can be told. */
  #stopReason: Error | null = null;
  #settled = false;
  #status = 0;
  #rawHeaders: Buffer[] = [];
  #chunks: Buffer[] = [];
  #size = 0;
  #bodyTimer: NodeJS.Timeout | null = null;
  readonly #onAbort = () => this.#stop(this.#opts.signal!.reason, true);
  readonly #armBodyTimer = () => {
    if (!this.#settled) this.#bodyTimer = setTimeout(() => this.#stop(new RelayError('BODY_TIMEOUT', [this.#host]), false), this.#opts.bodyMs);
  };

  constructor(host: string, opts: SendOptions, resolve: (res: UpstreamResponse) => void, reject: (err: unknown) => void) {
    this.#host = host;
    this.#opts = opts;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(dispatcher: Dispatcher, req: OutgoingRequest): void {
    const { signal } = this.#opts;
    if (signal?.aborted) return this.#settle(signal.reason, null);
    signal?.addEventListener('abort', this.#onAbort);
    dispatcher.dispatch(
      {
        origin: req.origin,
        path: req.path,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        headersTimeout: this.#opts.headersMs,
        // undici's bodyTimeout is idle time; the whole-body timer is the stricter bound.
        bodyTimeout: this.#opts.bodyMs,
      },
      this,
    );
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#stopReason) abort(this.#stopReason);
    else this.#abortRequest = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.#status = statusCode;
    this.#rawHeaders = rawHeaders;
    // A small body usually completes in the same parse as its headers: the timer is armed only if not.
    queueMicrotask(this.#armBodyTimer);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#size += chunk.length;
    if (this.#size > this.#opts.maxBytes) {
      const err = new RelayError('RESPONSE_TOO_LARGE', [this.#host, this.#opts.maxBytes]);
      err.status = this.#status;
      this.#stop(err, false);
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    const bytes = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#size);
    this.#settle(null, new Collected(this.#status, bytes, this.#rawHeaders));
  }

  onError(err: Error): void {
    // After #stop, undici reports the reason it was given: it is already the answer.
    if (this.#settled) return;
    this.#settle(err instanceof RelayError ? err : upstreamError(err, this.#host), null);
  }

  /** Settle with `reason` now and have undici abort the request (at once, or when it gets a connection). */
  #stop(reason: unknown, fromSignal: boolean): void {
    if (this.#settled) return;
    const err = reason instanceof Error ? reason : new Error(String(reason));
    this.#settle(fromSignal ? reason : err, null);
    if (this.#abortRequest) this.#abortRequest(err);
    else this.#stopReason = err;
  }

  #settle(err: unknown, res: UpstreamResponse | null): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#bodyTimer) clearTimeout(this.#bodyTimer);
    this.#opts.signal?.removeEventListener('abort', this.#onAbort);
    if (res) this.#resolve(res);
    else this.#reject(err);
  }
}

/**
 * A response read whole. Its text and headers are decoded when asked for: a binary body goes out as
 * base64 and never needs its text, and a plain success needs no header but its content type (the
 * header object cost about 2 % of relay's CPU per request at 256 in flight; docs/performance.md).
 */
class Collected implements UpstreamResponse {
  readonly contentType: string;
  readonly #raw: Buffer[];
  #text: string | undefined;
  #headers: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    readonly bytes: Buffer,
    raw: Buffer[],
  ) {
    this.#raw = raw;
    this.contentType = contentTypeOf(raw);
  }

  get text(): string {
    return (this.#text ??= this.bytes.toString('utf8'));
  }

  get headers(): Record<string, string> {
    return (this.#headers ??= parseRawHeaders(this.#raw));
  }
}

/** The Content-Type header's value ('' without one; repeated ones joined, as in `headers`). */
function contentTypeOf(raw: Buffer[]): string {
  let found: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    // headerNameToString returns interned lower-case names for known headers: the compare is cheap.
    if (headerNameToString(raw[i]!) !== 'content-type') continue;
    const value = raw[i + 1]!.toString('latin1');
    found = found === undefined ? value : `${found}, ${value}`;
  }
  return found ?? '';
}

/** Response headers by lower-case name; repeated ones joined with `, `. */
function parseRawHeaders(raw: Buffer[]): Record<string, string> {
  // A plain object is faster than a null-prototype one; a `__proto__` header is the one name it cannot hold.
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = headerNameToString(raw[i]!);
    if (name === '__proto__') continue;
    const value = raw[i + 1]!.toString('latin1');
    const seen = Object.hasOwn(headers, name) ? headers[name] : undefined;
    headers[name] = seen === undefined ? value : `${seen}, ${value}`;
  }
  return headers;
}

/** Whether a media type is JSON (`application/json`, `+json`, `text/json`). */
export const isJson = isJsonMediaType;

/** Node's TLS verification codes, in words. */
const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate is signed by an unknown authority',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server requires a client certificate',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the server refused the handshake (a client certificate may be required)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the server refused the client certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the server does not trust the client certificate',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'no TLS version in common with the server',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'no TLS version in common with the server',
};

/**
 * Map an undici/Node failure to a RelayError by `code` (undici's advice: match codes, not classes).
 * Connection errors may arrive wrapped (`cause`) or aggregated (happy eyeballs), so all are searched.
 */
export function upstreamError(err: unknown, host: string): RelayError {
  const codes = collectCodes(err);
  const has = (...wanted: string[]) => wanted.find((c) => codes.includes(c));
  const make = (code: ConstructorParameters<typeof RelayError>[0], ...args: Array<string | number>) =>
    new RelayError(code, args, { cause: err });
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL')) return make('DNS_FAILED', host.replace(/:\d+$/, ''));
  if (has('ECONNREFUSED')) return make('CONNECT_REFUSED', host);
  if (has('UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT')) return make('CONNECT_TIMEOUT', host);
  if (has('UND_ERR_HEADERS_TIMEOUT')) return make('HEADERS_TIMEOUT', host);
  if (has('UND_ERR_BODY_TIMEOUT')) return make('BODY_TIMEOUT', host);
  const tls = codes.find((c) => c in TLS_REASONS || c.startsWith('ERR_TLS_') || c.startsWith('ERR_SSL_') || /CERT/.test(c));
  if (tls) return make('TLS_FAILED', host, TLS_REASONS[tls] ?? messageOf(err));
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED')) return make('CONNECTION_RESET', host, messageOf(err));
  return make('UPSTREAM_FAILED', host, messageOf(err));
}

function collectCodes(err: unknown, depth = 0): string[] {
  if (err === null || typeof err !== 'object' || depth > 4) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => collectCodes(x, depth + 1)) : [];
  return [...own, ...nested, ...collectCodes(e.cause, depth + 1)];
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
