/**
 * One HTTP exchange: the undici call with its headers and whole-body timeouts, reading the
 * response within a size cap, and mapping failures that produced no status to RelayErrors.
 * Retries, limits and the breaker around it live in upstream/.
 */
import { Agent, type Dispatcher } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import { RelayError } from './errors.js';
import { isJsonMediaType } from './media-type.js';
import type { OutgoingRequest } from './request.js';
import type { RelayConfig } from './config.js';

export interface UpstreamResponse {
  status: number;
  contentType: string;
  /** The body as text (UTF-8). */
  text: string;
  /** The body as received, for binary responses. */
  bytes: Buffer;
  /** Response headers, lower-case names, repeated ones joined with `, `. */
  headers: Record<string, string>;
}

export interface SendOptions {
  /** Milliseconds to the response headers, and from them to the end of the body. */
  headersMs: number;
  bodyMs: number;
  maxBytes: number;
  /** Aborts the exchange; `send` then rejects with the signal's reason. */
  signal?: AbortSignal;
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

/** Send `req` once and read the whole response (up to `maxBytes`). Rejects with a RelayError, or the signal's reason. */
export async function send(dispatcher: Dispatcher, req: OutgoingRequest, host: string, opts: SendOptions): Promise<UpstreamResponse> {
  const { signal } = opts;
  let res: Dispatcher.ResponseData;
  try {
    res = await dispatcher.request({
      origin: req.origin,
      path: req.path,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
      headersTimeout: opts.headersMs,
      // undici's bodyTimeout is idle time; the whole-body timer below is the stricter bound.
      bodyTimeout: opts.bodyMs,
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw upstreamError(err, host);
  }
  const contentType = String(res.headers['content-type'] ?? '');
  const chunks: Buffer[] = [];
  let size = 0;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    res.body.destroy(new RelayError('BODY_TIMEOUT', [host]));
  }, opts.bodyMs);
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > opts.maxBytes) {
        res.body.destroy();
        const err = new RelayError('RESPONSE_TOO_LARGE', [host, opts.maxBytes]);
        err.status = res.statusCode;
        throw err;
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut) throw new RelayError('BODY_TIMEOUT', [host], { cause: err });
    if (err instanceof RelayError) throw err;
    throw upstreamError(err, host);
  } finally {
    clearTimeout(timer);
  }
  const bytes = Buffer.concat(chunks, size);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { status: res.statusCode, contentType, text: bytes.toString('utf8'), bytes, headers };
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
