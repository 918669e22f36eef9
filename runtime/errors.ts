/**
 * relay's own failures: one error class and one table of codes.
 * Codes are public API (clients match on them): add new ones, never rename or reuse.
 * Every code is listed in the README's error-code table; a test keeps the two in step.
 */
import { format } from 'node:util';

/** Every error code with its message template (`%s` filled in order). */
export const ERRORS = {
  // The request line itself.
  BAD_JSON: 'line is not valid JSON: %s',
  NOT_AN_OBJECT: 'request line must be a JSON object, got %s',
  LINE_TOO_LONG: 'line longer than %s bytes refused',
  MISSING_ID: 'request has no "id" (a string or a number)',
  INVALID_ID: '"id" must be a string or a finite number, got %s',
  MISSING_REQUEST: 'request has no "request" naming an operation (api.operation or a preset)',
  INVALID_FIELD: '%s',
  // What it asks for.
  UNKNOWN_REQUEST: 'unknown request: %s',
  AMBIGUOUS_REQUEST: 'request %s is defined by several APIs (%s); name one as api.operation',
  MISSING_PARAM: 'missing required parameter: %s',
  UNKNOWN_PARAM: 'unknown parameter: %s (this operation takes: %s)',
  INVALID_PARAM: 'invalid parameter %s: %s',
  MISSING_BODY: 'operation %s requires a request body in "data"',
  UNEXPECTED_BODY: 'operation %s takes no request body, but "data" was given',
  UNSUPPORTED_MEDIA_TYPE: 'cannot encode "data" as %s for operation %s',
  MISSING_CREDENTIALS: 'operation %s needs credentials for security scheme %s; set apis.%s.credentials.%s in the config',
  NO_SERVER: 'API %s has no absolute server URL; set one with --server %s=URL or apis.%s.server in the config',
  // The HTTP exchange, when it produced no status.
  DNS_FAILED: 'could not resolve host %s',
  CONNECT_REFUSED: 'connection refused by %s',
  CONNECT_TIMEOUT: 'timed out connecting to %s',
  HEADERS_TIMEOUT: 'timed out waiting for response headers from %s',
  BODY_TIMEOUT: 'timed out reading the response body from %s',
  CONNECTION_RESET: 'connection to %s closed unexpectedly: %s',
  TLS_FAILED: 'TLS failure with %s: %s',
  UPSTREAM_FAILED: 'request to %s failed: %s',
  RESPONSE_TOO_LARGE: 'response from %s is larger than %s bytes; cut off',
  // Upstream policies (runtime/upstream/): deadlines, rate limits, circuit breaker, redirects.
  REQUEST_TIMEOUT: 'no final response from %s within the %s ms deadline',
  RATE_LIMITED: 'too many requests waiting for API %s (queue of %s is full)',
  CIRCUIT_OPEN: 'circuit for %s is open after %s consecutive failures; failing fast for %s ms more',
  REDIRECT_REFUSED: 'redirect from %s refused: %s',
  // Connections: cancellation, shutdown, client authentication and limits (server.ts, connection.ts).
  CANCELLED: 'request cancelled by the client',
  NOT_IN_FLIGHT: 'no request with id %s is in flight on this connection',
  DUPLICATE_ID: 'a request with id %s is already in flight on this connection',
  SHUTTING_DOWN: 'relay is shutting down',
  UNAUTHORIZED: 'this connection must first send {"auth":"<token>"} with the configured token; closing',
  TOO_MANY_CONNECTIONS: 'too many connections (limits.maxConnections is %s); closing',
  IDLE_TIMEOUT: 'no request for %s ms (limits.idleTimeoutMs); closing',
  TOO_DEEP: 'JSON nested deeper than %s levels (limits.maxJsonDepth)',
  // OpenAPI coverage: schema validation and fetched credentials.
  INVALID_PARAMS: 'request does not match the operation\'s schema: %s',
  AUTH_FAILED: 'could not get an OAuth2 token for security scheme %s from %s: %s',
  // Anything else is a bug in relay; the details go to the log, not the client.
  INTERNAL: 'internal error; see the relay log',
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** A failure relay itself reports, with a stable `code`. */
export class RelayError extends Error {
  readonly code: ErrorCode;
  /** The HTTP status, when one came back before the failure (e.g. a body cut off for size). */
  status?: number;

  constructor(code: ErrorCode, args: Array<string | number> = [], options?: { cause?: unknown }) {
    super(format(ERRORS[code], ...args), options);
    this.name = 'RelayError';
    this.code = code;
  }
}

/** Shorthand: `fail('MISSING_PARAM', 'appid')`. */
export function relayError(code: ErrorCode, ...args: Array<string | number>): RelayError {
  return new RelayError(code, args);
}
