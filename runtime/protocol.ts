/**
 * The line protocol: framing bytes into lines, parsing request lines, and serialising replies.
 * Pure: no sockets, no HTTP. The only place where an error becomes bytes.
 * See docs/protocol.md for the wire format.
 */
import { RelayError } from './errors.js';

export type RequestId = string | number;

/** A request line that parsed and has the required fields. */
export interface RequestMessage {
  request: string;
  id: RequestId;
  params: Record<string, unknown>;
  /** The body, when the line has a `data` field (which may itself be `null`). */
  data: unknown;
  hasData: boolean;
  /** The client's deadline for the final reply in ms, when the line has a `timeout` field. */
  timeout: number | null;
  /** The media type to send `data` as, when the client chose one (`"contentType"`); else null. */
  contentType: string | null;
  /** Whether the final reply should carry selected response headers (`"headers": true`). */
  headers: boolean;
}

export type ParseResult = { ok: true; msg: RequestMessage } | { ok: false; id: RequestId | null; error: RelayError };

/** Fields a request line may carry. Anything else is refused, so that typos do not pass silently. */
const FIELDS = new Set(['request', 'id', 'params', 'data', 'timeout', 'contentType', 'headers']);

/** The largest `timeout` a line may ask for (what setTimeout can hold); the config's deadline caps it further. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Parse one request line (without its line ending). */
export function parseRequest(line: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, id: null, error: new RelayError('BAD_JSON', [(err as Error).message], { cause: err }) };
  }
  return toRequest(value);
}

/** Any line a client may send: a request, a cancel line, an auth line, or one that is refused. */
export type LineMessage =
  | { kind: 'request'; msg: RequestMessage }
  | { kind: 'cancel'; id: RequestId }
  | { kind: 'auth'; token: string }
  | { kind: 'refused'; id: RequestId | null; error: RelayError };

/**
 * Parse one line of any kind. Lines nested deeper than `maxDepth` are refused with TOO_DEEP by a
 * linear scan before JSON.parse sees them. `{"cancel": id}` and `{"auth": "token"}` (each alone on
 * its line) are control lines; everything else is a request.
 */
export function parseLine(line: string, maxDepth = Infinity): LineMessage {
  if (exceedsDepth(line, maxDepth)) return { kind: 'refused', id: null, error: new RelayError('TOO_DEEP', [maxDepth]) };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { kind: 'refused', id: null, error: new RelayError('BAD_JSON', [(err as Error).message], { cause: err }) };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !('id' in value) && !('request' in value)) {
    const obj = value as Record<string, unknown>;
    const control = 'cancel' in obj ? 'cancel' : 'auth' in obj ? 'auth' : null;
    if (control !== null) {
      const extra = Object.keys(obj).find((k) => k !== control);
      if (extra !== undefined) {
        return { kind: 'refused', id: null, error: new RelayError('INVALID_FIELD', [`unknown field ${JSON.stringify(extra)}; a ${control} line has only "${control}"`]) };
      }
      if (control === 'auth') {
        if (typeof obj.auth === 'string') return { kind: 'auth', token: obj.auth };
        return { kind: 'refused', id: null, error: new RelayError('INVALID_FIELD', [`"auth" must be a string, got ${describe(obj.auth)}`]) };
      }
      const id = obj.cancel;
      if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return { kind: 'cancel', id };
      return { kind: 'refused', id: null, error: new RelayError('INVALID_ID', [describe(id)]) };
    }
  }
  const parsed = toRequest(value);
  return parsed.ok ? { kind: 'request', msg: parsed.msg } : { kind: 'refused', id: parsed.id, error: parsed.error };
}

/**
 * Whether JSON text nests arrays/objects deeper than `max`, by one pass over the characters
 * (strings skipped), so that a hostile line never reaches a recursive parser or serialiser.
 */
export function exceedsDepth(text: string, max: number): boolean {
  if (max === Infinity) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function toRequest(value: unknown): ParseResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, id: null, error: new RelayError('NOT_AN_OBJECT', [describe(value)]) };
  }
  const obj = value as Record<string, unknown>;
  if (!('id' in obj) || obj.id === null) return { ok: false, id: null, error: new RelayError('MISSING_ID') };
  const id = obj.id;
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) {
    return { ok: false, id: null, error: new RelayError('INVALID_ID', [describe(id)]) };
  }
  const fail = (error: RelayError): ParseResult => ({ ok: false, id, error });
  if (typeof obj.request !== 'string' || obj.request === '') return fail(new RelayError('MISSING_REQUEST'));
  for (const key of Object.keys(obj)) {
    if (!FIELDS.has(key)) {
      return fail(new RelayError('INVALID_FIELD', [`unknown field ${JSON.stringify(key)}; a request line has: ${[...FIELDS].join(', ')}`]));
    }
  }
  const params = obj.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return fail(new RelayError('INVALID_FIELD', [`"params" must be a JSON object, got ${describe(params)}`]));
  }
  const timeout = obj.timeout ?? null;
  if (timeout !== null && !(typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0 && timeout <= MAX_TIMEOUT_MS)) {
    return fail(new RelayError('INVALID_FIELD', [`"timeout" must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(timeout)}`]));
  }
  const contentType = obj.contentType ?? null;
  if (contentType !== null && (typeof contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType) || /[\r\n\0]/.test(contentType))) {
    return fail(new RelayError('INVALID_FIELD', [`"contentType" must be a media type such as "application/json", got ${describe(contentType)}`]));
  }
  const headers = obj.headers ?? false;
  if (typeof headers !== 'boolean') return fail(new RelayError('INVALID_FIELD', [`"headers" must be true or false, got ${describe(headers)}`]));
  return {
    ok: true,
    msg: { request: obj.request, id, params: params as Record<string, unknown>, data: obj.data, hasData: 'data' in obj, timeout, contentType, headers },
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Seconds with five decimals, as txhttprelay reported them. */
export function seconds(ms: number): number {
  return Math.round(ms * 100) / 100000;
}

/** `{"status":"dispatched","id":...}` */
export function dispatchedLine(id: RequestId): string {
  return `{"status":"dispatched","id":${JSON.stringify(id)}}\n`;
}

/** JSON text known to be one valid value on one line (see json-line.ts): a reply carries it as it is. */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * The final reply to a request that got an HTTP status. `ok` says whether the status is a documented success;
 * `attempts` counts the tries (retries included); `headers`, when given (the request asked with
 * `"headers": true`), comes last.
 */
export function responseLine(
  id: RequestId,
  ok: boolean,
  ms: number,
  code: number,
  response: unknown,
  attempts = 1,
  headers?: Record<string, string>,
): string {
  if (response instanceof RawJson) {
    // The same bytes JSON.stringify would write for the parsed body, in the same key order, without parsing it.
    // Numbers print as JSON.stringify prints them; the id is the only value that needs escaping.
    const tail = headers ? `,"headers":${JSON.stringify(headers)}}\n` : '}\n';
    return `{"status":"${ok ? 'ok' : 'error'}","id":${JSON.stringify(id)},"time":${seconds(ms)},"code":${code},"attempts":${attempts},"response":${response.text}${tail}`;
  }
  const reply: Record<string, unknown> = { status: ok ? 'ok' : 'error', id, time: seconds(ms), code, attempts, response };
  if (headers) reply.headers = headers;
  return `${JSON.stringify(reply)}\n`;
}

/**
 * The final reply to a request that was dispatched but failed: with no HTTP status (DNS, refused,
 * timeout, TLS, ...) `code` is null; a response cut off for size keeps its status.
 */
export function failureLine(id: RequestId, ms: number, error: RelayError, code: number | null = null, attempts = 1): string {
  return `${JSON.stringify({ status: 'error', id, time: seconds(ms), code, attempts, response: errorBody(error) })}\n`;
}

/** The only reply to a line that could not be served; nothing was dispatched. */
export function refusalLine(id: RequestId | null, error: RelayError): string {
  return `${JSON.stringify({ status: 'error', id, response: errorBody(error) })}\n`;
}

/** The reply to a cancel line that could not be applied: `cancel` names the id it asked for. */
export function cancelRefusalLine(id: RequestId, error: RelayError): string {
  return `${JSON.stringify({ status: 'error', id: null, cancel: id, response: errorBody(error) })}\n`;
}

/** The reply to an accepted `{"auth": ...}` line. */
export const AUTHENTICATED_LINE = '{"status":"authenticated"}\n';

function errorBody(error: RelayError): { error: string; code: string } {
  return { error: error.message, code: error.code };
}

/**
 * Splits a byte stream into lines ended by `\n` (a preceding `\r` is dropped).
 * A line longer than `maxBytes` is reported once through `onTooLong` and its bytes are discarded
 * as they arrive, so memory stays bounded whatever the peer sends.
 */
export class LineSplitter {
  readonly #maxBytes: number;
  readonly #onLine: (line: string) => void;
  readonly #onTooLong: () => void;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #discarding = false;

  constructor(maxBytes: number, onLine: (line: string) => void, onTooLong: () => void) {
    this.#maxBytes = maxBytes;
    this.#onLine = onLine;
    this.#onTooLong = onTooLong;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.#discarding) {
        if (this.#pendingBytes + (end - start) > this.#maxBytes + 1) {
          // +1 tolerates the `\r` of a CRLF line that is exactly maxBytes long.
          this.#discarding = true;
          this.#pending = [];
          this.#pendingBytes = 0;
          this.#onTooLong();
        } else if (newline !== -1) {
          const part = chunk.subarray(start, end);
          const bytes = this.#pendingBytes === 0 ? part : Buffer.concat([...this.#pending, part]);
          this.#pending = [];
          this.#pendingBytes = 0;
          this.#emit(bytes);
        } else {
          this.#pending.push(chunk.subarray(start, end));
          this.#pendingBytes += end - start;
        }
      }
      if (newline === -1) break;
      this.#discarding = false;
      start = newline + 1;
    }
  }

  /** The peer finished sending: a last line without a newline is still served. */
  end(): void {
    if (!this.#discarding && this.#pendingBytes > 0) this.#emit(Buffer.concat(this.#pending));
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#discarding = false;
  }

  #emit(bytes: Buffer): void {
    const length = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    if (length > this.#maxBytes) {
      this.#onTooLong();
      return;
    }
    const line = bytes.toString('utf8', 0, length);
    // Blank lines are allowed as keep-alives and ignored.
    if (line.trim() !== '') this.#onLine(line);
  }
}

