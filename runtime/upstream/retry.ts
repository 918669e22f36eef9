/**
 * Retry decisions: which requests may be repeated, after which outcomes, and how long to wait
 * (exponential backoff with full jitter; `Retry-After` honoured within a cap). Pure.
 */
import type { ErrorCode } from '../errors.js';
import type { RetryConfig } from './config.js';

/** Methods that RFC 9110 §9.2.2 makes idempotent (TRACE aside): repeating them is safe. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Statuses worth another attempt: the upstream or a gateway was overloaded or briefly away. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Failures without a status that are worth another attempt: the request did not reach the upstream
 * or the connection broke. Timeouts of headers or body are not retried: their time is already spent.
 */
const RETRY_ERRORS = new Set<ErrorCode>(['CONNECT_REFUSED', 'CONNECT_TIMEOUT', 'CONNECTION_RESET']);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

export function isRetryableStatus(status: number): boolean {
  return RETRY_STATUSES.has(status);
}

export function isRetryableError(code: ErrorCode): boolean {
  return RETRY_ERRORS.has(code);
}

/**
 * Full jitter: a random delay in [0, min(max, base * 2^(attempt-1))] before attempt `attempt + 1`.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffMs(attempt: number, retry: RetryConfig, random: () => number = Math.random): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` in milliseconds from now: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Null when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a day or month; this keeps Date.parse from reading '-5' as a year.
  if (!/[a-z]{3}/i.test(text)) return null;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
