/**
 * The HTTP exchange: one shared undici dispatcher (keep-alive pools per origin, TLS verified),
 * reading the response within a size cap, and mapping failures that produced no status to RelayErrors.
 */
import { Agent, type Dispatcher } from 'undici';
import { RelayError } from './errors.js';
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

/** The one dispatcher a relay process uses. TLS verification is undici's default and is not turned off. */
export function createDispatcher(http: RelayConfig['http']): Dispatcher {
  return new Agent({
    connections: http.connectionsPerOrigin,
    connect: { timeout: http.connectTimeoutMs },
    headersTimeout: http.headersTimeoutMs,
    bodyTimeout: http.bodyTimeoutMs,
    keepAliveTimeout: 4_000,
  });
}

/** Send `req` and read the whole response (up to `maxBytes`). Rejects with a RelayError. */
export async function send(dispatcher: Dispatcher, req: OutgoingRequest, host: string, maxBytes: number): Promise<UpstreamResponse> {
  let res: Dispatcher.ResponseData;
  try {
    res = await dispatcher.request({
      origin: req.origin,
      path: req.path,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
    });
  } catch (err) {
    throw upstreamError(err, host);
  }
  const contentType = String(res.headers['content-type'] ?? '');
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.body.destroy();
        throw new RelayError('RESPONSE_TOO_LARGE', [host, maxBytes]);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof RelayError) throw err;
    throw upstreamError(err, host);
  }
  const bytes = Buffer.concat(chunks, size);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { status: res.statusCode, contentType, text: bytes.toString('utf8'), bytes, headers };
}

/** Whether a media type is JSON (`application/json`, `+json`, `text/json`). */
export function isJson(contentType: string): boolean {
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  return base === 'application/json' || base === 'text/json' || base.endsWith('+json');
}

/** Node's TLS verification codes, in words. */
const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate is signed by an unknown authority',
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
