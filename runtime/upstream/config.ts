/**
 * Upstream policy keys of the config (per API and per operation): timeouts, retries, rate limits,
 * circuit breaker, response size, TLS, redirects and allowed hosts. Their JSON schema (merged into
 * config.ts's), their defaults, and the per-operation policy resolved from them once at start-up.
 */

export interface Timeouts {
  /** TCP (and TLS) connection set-up. */
  connectMs: number;
  /** From sending the request to the response headers. */
  headersMs: number;
  /** From the headers to the end of the body (whole body, not idle time). */
  bodyMs: number;
  /** Everything for one request line: queueing, every attempt, backoff. The request line's `timeout` may only shorten it. */
  totalMs: number;
}

export interface RetryConfig {
  /** Attempts in all, the first included, for idempotent methods; 1 turns retries off. */
  attempts: number;
  /** Backoff before attempt n+1 is random in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))] (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer `Retry-After` is not waited for: the response is the final reply. */
  maxRetryAfterMs: number;
}

export interface RateLimitConfig {
  /** Token bucket: sustained requests per second and burst size. Unset: no rate limit. */
  perSecond?: number;
  burst?: number;
  /** Upstream requests in flight at once for this API. Unset: no cap. */
  maxConcurrent?: number;
  /** Requests waiting for a token or a slot; one more is refused with RATE_LIMITED. */
  maxQueue: number;
}

export interface CircuitBreakerConfig {
  /** Consecutive failed attempts (no status, or 5xx) that open the circuit; 0 turns it off. */
  failures: number;
  /** How long it stays open before one trial request is let through. */
  cooldownMs: number;
}

export interface TlsConfig {
  /** PEM file of the CA certificates to trust instead of Node's store. */
  ca?: string;
  /** PEM files of the client certificate and key, for mutual TLS. */
  cert?: string;
  key?: string;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Accept any certificate. Only for a named API, and it is logged at start-up. */
  dangerouslyDisableVerification?: boolean;
}

/** What an operation may override. */
export interface OperationUpstreamConfig {
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryConfig>;
  maxResponseBytes?: number;
}

/** What an API may set, besides `server` and `credentials`. */
export interface ApiUpstreamConfig extends OperationUpstreamConfig {
  rateLimit?: Partial<RateLimitConfig>;
  circuitBreaker?: Partial<CircuitBreakerConfig>;
  tls?: TlsConfig;
  followRedirects?: boolean;
  /** Host names (or host:port) the API's server may have; `--server` and `server` must match. */
  allowedHosts?: string[];
  operations?: Record<string, OperationUpstreamConfig>;
}

/** Process-wide defaults under the top-level `upstream` key. */
export interface UpstreamDefaults {
  totalTimeoutMs: number;
  retry: RetryConfig;
  rateLimit: { maxQueue: number };
  circuitBreaker: CircuitBreakerConfig;
  maxRedirects: number;
}

export const UPSTREAM_DEFAULTS: UpstreamDefaults = Object.freeze({
  totalTimeoutMs: 120_000,
  retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 },
  rateLimit: { maxQueue: 100 },
  circuitBreaker: { failures: 10, cooldownMs: 30_000 },
  maxRedirects: 5,
});

const positive = { type: 'integer', minimum: 1 };
const natural = { type: 'integer', minimum: 0 };
/** Milliseconds, within what a timer can hold (a larger value would fire at once). */
const ms = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };
const msOrZero = { type: 'integer', minimum: 0, maximum: 2_147_483_647 };
const timeouts = {
  type: 'object',
  additionalProperties: false,
  properties: { connectMs: ms, headersMs: ms, bodyMs: ms, totalMs: ms },
};
const retry = {
  type: 'object',
  additionalProperties: false,
  properties: { attempts: { type: 'integer', minimum: 1, maximum: 10 }, baseDelayMs: msOrZero, maxDelayMs: msOrZero, maxRetryAfterMs: msOrZero },
};
const rateLimit = {
  type: 'object',
  additionalProperties: false,
  properties: { perSecond: { type: 'number', exclusiveMinimum: 0 }, burst: positive, maxConcurrent: positive, maxQueue: natural },
};
const circuitBreaker = { type: 'object', additionalProperties: false, properties: { failures: natural, cooldownMs: ms } };
const operation = { type: 'object', additionalProperties: false, properties: { timeouts, retry, maxResponseBytes: positive } };

/** Schema of the keys in `apis.<name>` that this module owns. */
export const API_UPSTREAM_PROPERTIES = {
  timeouts,
  retry,
  maxResponseBytes: positive,
  rateLimit,
  circuitBreaker,
  tls: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ca: { type: 'string', minLength: 1 },
      cert: { type: 'string', minLength: 1 },
      key: { type: 'string', minLength: 1 },
      minVersion: { enum: ['TLSv1.2', 'TLSv1.3'] },
      dangerouslyDisableVerification: { type: 'boolean' },
    },
    dependencies: { cert: ['key'], key: ['cert'] },
  },
  followRedirects: { type: 'boolean' },
  allowedHosts: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  operations: { type: 'object', additionalProperties: operation },
} as const;

/** Schema of the top-level `upstream` key. */
export const UPSTREAM_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    totalTimeoutMs: ms,
    retry,
    rateLimit: { type: 'object', additionalProperties: false, properties: { maxQueue: natural } },
    circuitBreaker,
    maxRedirects: natural,
  },
} as const;

/** `upstream` from the config file over the defaults. */
export function resolveUpstreamDefaults(raw: Partial<UpstreamDefaults> | undefined): UpstreamDefaults {
  const r = raw ?? {};
  const d = UPSTREAM_DEFAULTS;
  return {
    totalTimeoutMs: r.totalTimeoutMs ?? d.totalTimeoutMs,
    retry: { ...d.retry, ...r.retry },
    rateLimit: { ...d.rateLimit, ...r.rateLimit },
    circuitBreaker: { ...d.circuitBreaker, ...r.circuitBreaker },
    maxRedirects: r.maxRedirects ?? d.maxRedirects,
  };
}

/** What one operation's requests are held to; computed once per operation at start-up. */
export interface OperationPolicy {
  timeouts: Timeouts;
  retry: RetryConfig;
  maxResponseBytes: number;
  followRedirects: boolean;
  maxRedirects: number;
}

/** Global http/limits keys, then `upstream`, then the API's keys, then the operation's. */
export function resolveOperationPolicy(
  base: { http: { connectTimeoutMs: number; headersTimeoutMs: number; bodyTimeoutMs: number }; limits: { maxResponseBytes: number } },
  defaults: UpstreamDefaults,
  api: ApiUpstreamConfig,
  operationName: string,
  operationId?: string | null,
): OperationPolicy {
  // Overrides are keyed by relay's operation name or, as checkOperationKeys allows, the spec's operationId.
  const op = api.operations?.[operationName] ?? (operationId ? api.operations?.[operationId] : undefined) ?? {};
  return {
    timeouts: {
      connectMs: base.http.connectTimeoutMs,
      headersMs: base.http.headersTimeoutMs,
      bodyMs: base.http.bodyTimeoutMs,
      totalMs: defaults.totalTimeoutMs,
      ...api.timeouts,
      ...op.timeouts,
    },
    retry: { ...defaults.retry, ...api.retry, ...op.retry },
    maxResponseBytes: op.maxResponseBytes ?? api.maxResponseBytes ?? base.limits.maxResponseBytes,
    followRedirects: api.followRedirects ?? false,
    maxRedirects: defaults.maxRedirects,
  };
}
