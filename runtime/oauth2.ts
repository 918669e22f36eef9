/**
 * OAuth2 client credentials: an access token fetched from the token URL with the configured client id
 * and secret, shared by every request of the API, cached until shortly before it expires, and
 * refreshed once when the upstream answers 401.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
import type { Dispatcher } from 'undici';
import { send } from './dispatch.js';
import { RelayError } from './errors.js';

/** Config for one OAuth2 scheme (`apis.x.credentials.<scheme>`). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Scopes to ask for, space-joined; default none. */
  scopes?: string[];
  /** Overrides the spec's token URL. */
  tokenUrl?: string;
  /** How the client authenticates to the token endpoint: HTTP basic (default, RFC 6749 2.3.1) or form fields. */
  clientAuth?: 'basic' | 'body';
}

/** A token is renewed this long before the server says it expires, to cover clock skew and transit. */
const EXPIRY_MARGIN_MS = 30_000;
/** When the token response names no lifetime, it is kept until a 401 or for this long. */
const DEFAULT_LIFETIME_MS = 3_600_000;
/** The token endpoint's deadlines for its headers and for its body, and the most of a token response read. */
const TOKEN_TIMEOUT_MS = 30_000;
const TOKEN_MAX_BYTES = 1024 * 1024;

/** Fetches and caches the access token of one scheme. One fetch at a time: concurrent requests share it. */
export class TokenSource {
  readonly #scheme: string;
  readonly #url: URL;
  readonly #creds: ClientCredentials;
  #token: { value: string; expires: number } | null = null;
  #pending: Promise<string> | null = null;
  /** Called with each new access token, so that it is redacted like the configured secrets. */
  onToken: (token: string) => void = () => {};

  constructor(scheme: string, tokenUrl: string, creds: ClientCredentials) {
    this.#scheme = scheme;
    this.#url = new URL(tokenUrl);
    this.#creds = creds;
  }

  /**
   * An access token: the cached one unless it is near expiry or `refresh` asks for a new one.
   * `rejected` is the token the upstream refused: when the cache already holds another (a concurrent
   * request refreshed it), that one is returned instead of fetching yet again.
   */
  async token(dispatcher: Dispatcher, refresh: boolean, now = Date.now(), rejected?: string): Promise<string> {
    const fresh = this.#token !== null && this.#token.expires > now;
    if (fresh && (!refresh || (rejected !== undefined && rejected !== this.#token!.value))) return this.#token!.value;
    if (refresh) this.#token = null;
    this.#pending ??= this.#fetch(dispatcher).finally(() => (this.#pending = null));
    return this.#pending;
  }

  async #fetch(dispatcher: Dispatcher): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.#creds.scopes?.length) form.set('scope', this.#creds.scopes.join(' '));
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.#creds.clientAuth === 'body') {
      form.set('client_id', this.#creds.clientId);
      form.set('client_secret', this.#creds.clientSecret);
    } else {
      // RFC 6749 2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
      const pair = `${formEncode(this.#creds.clientId)}:${formEncode(this.#creds.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    const fail = (why: string, cause?: unknown) => new RelayError('AUTH_FAILED', [this.#scheme, this.#url.host, why], { cause });
    let status: number;
    let text: string;
    try {
      const request = { origin: this.#url.origin, path: `${this.#url.pathname}${this.#url.search}`, method: 'POST', headers, body: form.toString() };
      const res = await send(dispatcher, request, this.#url.host, { headersMs: TOKEN_TIMEOUT_MS, bodyMs: TOKEN_TIMEOUT_MS, maxBytes: TOKEN_MAX_BYTES });
      status = res.status;
      text = res.text;
    } catch (err) {
      throw fail(err instanceof Error ? err.message : String(err), err);
    }
    if (status < 200 || status >= 300) {
      // RFC 6749 5.2: the error code is safe to show; the body might echo credentials, so it is not.
      const code = errorCode(text);
      throw fail(`token endpoint answered ${status}${code ? ` (${code})` : ''}`);
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (err) {
      throw fail('token response is not JSON', err);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') throw fail('token response has no access_token');
    const lifetime = Number(body.expires_in);
    const ms = Number.isFinite(lifetime) && lifetime > 0 ? Math.max(lifetime * 1000 - EXPIRY_MARGIN_MS, lifetime * 500) : DEFAULT_LIFETIME_MS;
    this.#token = { value: body.access_token, expires: Date.now() + ms };
    this.onToken(body.access_token);
    return body.access_token;
  }
}

function formEncode(text: string): string {
  return new URLSearchParams({ x: text }).toString().slice(2);
}

function errorCode(text: string): string | null {
  try {
    const code = (JSON.parse(text) as { error?: unknown }).error;
    return typeof code === 'string' && /^[\x20-\x7e]{1,64}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

/** Adds a fetched credential to `headers` (OAuth2 client credentials); `refresh` forces a new one (after a 401). */
export type Authorize = (headers: Record<string, string>, refresh: boolean, dispatcher: Dispatcher) => Promise<void>;

/**
 * Send a request whose credential is fetched first; on 401 fetch a new token and send once more.
 * `send` is the plain HTTP exchange.
 */
export async function sendAuthorized<R extends { status: number }>(
  req: { headers: Record<string, string>; authorize?: Authorize },
  dispatcher: Dispatcher,
  send: () => Promise<R>,
): Promise<R> {
  if (!req.authorize) return send();
  await req.authorize(req.headers, false, dispatcher);
  const first = await send();
  if (first.status !== 401) return first;
  await req.authorize(req.headers, true, dispatcher);
  return send();
}
