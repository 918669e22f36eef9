/**
 * A typed client for the line protocol: one socket (TCP or UNIX), ids generated and correlated,
 * per-call timeouts, AbortSignal cancellation, and reconnection with backoff after a lost connection.
 * Its types come from the generated modules: `createClient<SteamRequests>(...)`.
 */
import net from 'node:net';
import { ERRORS } from './errors.js';
import { LineSplitter, type RequestId } from './protocol.js';

/** What one operation takes and returns, as in a generated module's `Operations` map. */
export interface OperationTypes {
  params: unknown;
  body: unknown;
  response: unknown;
}

/** Operations by full request name (`steam.getNewsForApp`): a generated module's `Requests` type, or several joined with `&`. */
export type RequestMap = { [request: string]: OperationTypes };

/** What an untyped client accepts: any request name (presets too), any params, an unknown response. */
export type AnyRequests = { [request: string]: { params: Record<string, unknown>; body: unknown; response: unknown } };

/** Per-call options. `data` is the request body; it is refused at compile time for operations that take none. */
export type CallOptions<Op extends OperationTypes> = {
  /** Reject with a `TIMEOUT` RelayClientError after this many milliseconds (default: the client's `timeoutMs`). */
  timeoutMs?: number;
  /** Aborting rejects the call with `ABORTED` and sends `{"cancel": id}` to the relay. */
  signal?: AbortSignal;
} & ([Op['body']] extends [never] ? { data?: never } : { data?: Op['body'] });

/** `params` may be left out when the operation has no required parameter. */
export type CallArgs<Op extends OperationTypes> = {} extends Op['params']
  ? [params?: Op['params'], options?: CallOptions<Op>]
  : [params: Op['params'], options?: CallOptions<Op>];

/** Where the relay listens: TCP (`{ port, host? }`, host defaults to 127.0.0.1) or a UNIX socket (`{ path }`). */
export type ClientTarget = { port: number; host?: string } | { path: string };

export interface ClientOptions {
  /** Default per-call timeout in milliseconds; 0 waits for ever. Default 90 s (above relay's own HTTP timeouts). */
  timeoutMs?: number;
  /** Connection attempts per call before giving up, and the backoff between them (doubling from `minDelayMs`). */
  reconnect?: { attempts?: number; minDelayMs?: number; maxDelayMs?: number };
}

const DEFAULT_OPTIONS = { timeoutMs: 90_000, reconnect: { attempts: 5, minDelayMs: 100, maxDelayMs: 5_000 } };

/** Reply lines can carry upstream bodies up to relay's `limits.maxResponseBytes`; this bounds what the client buffers. */
const MAX_REPLY_BYTES = 256 * 1024 * 1024;

/** A final `error` reply from the relay: an upstream error status, a refused line, or a failed exchange. */
export class RelayCallError extends Error {
  /** relay's error code (`MISSING_PARAM`, `CONNECT_REFUSED`, ...), or null for an upstream error status. */
  readonly code: string | null;
  /** The upstream HTTP status, or null when there was none. */
  readonly status: number | null;
  /** The reply's `response`: the upstream body, or relay's `{error, code}`. */
  readonly response: unknown;
  readonly id: RequestId;
  readonly request: string;

  constructor(request: string, id: RequestId, status: number | null, response: unknown) {
    const code = relayCode(status, response);
    const what = code !== null ? `${code}: ${(response as { error: string }).error}` : `HTTP ${status}`;
    super(`${request} failed: ${what}`);
    this.name = 'RelayCallError';
    this.code = code;
    this.status = status;
    this.response = response;
    this.id = id;
    this.request = request;
  }
}

/** Why a call failed on the client's side, without a reply from the relay. */
export type ClientErrorCode = 'TIMEOUT' | 'ABORTED' | 'CONNECTION_LOST' | 'CONNECT_FAILED' | 'CLIENT_CLOSED';

/** A call that got no final reply: timed out, aborted, the connection dropped or could not be made, or the client was closed. */
export class RelayClientError extends Error {
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RelayClientError';
    this.code = code;
  }
}

/** relay's own code when `response` is its `{error, code}` body (and not an upstream body that looks alike). */
function relayCode(status: number | null, response: unknown): string | null {
  if (response === null || typeof response !== 'object' || Array.isArray(response)) return null;
  const body = response as Record<string, unknown>;
  if (Object.keys(body).length !== 2 || typeof body.error !== 'string' || typeof body.code !== 'string') return null;
  // With an HTTP status, only a code relay defines (e.g. RESPONSE_TOO_LARGE) is relay's.
  return status === null || body.code in ERRORS ? body.code : null;
}

interface Pending {
  request: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** The socket the request went out on, so that losing it fails only its own calls. */
  socket: net.Socket;
}

/** A line-protocol client; one connection, opened on the first call and reopened after a loss. */
export class RelayClient<R extends RequestMap = AnyRequests> {
  readonly #target: ClientTarget;
  readonly #opts: typeof DEFAULT_OPTIONS;
  readonly #pending = new Map<string, Pending>();
  #socket: net.Socket | null = null;
  #connecting: Promise<net.Socket> | null = null;
  #nextId = 1;
  #closed = false;

  constructor(target: ClientTarget, options: ClientOptions = {}) {
    this.#target = target;
    this.#opts = Object.freeze({
      timeoutMs: options.timeoutMs ?? DEFAULT_OPTIONS.timeoutMs,
      reconnect: { ...DEFAULT_OPTIONS.reconnect, ...options.reconnect },
    });
  }

  /** Calls waiting for their final reply. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Call an operation; resolves to its success response. Rejects with RelayCallError for an
   * `error` reply and RelayClientError when no reply came.
   */
  call<N extends keyof R & string>(request: N, ...args: CallArgs<R[N]>): Promise<R[N]['response']> {
    const [params, options = {}] = args as [unknown, { timeoutMs?: number; signal?: AbortSignal; data?: unknown }?];
    const id = String(this.#nextId++);
    const timeoutMs = options.timeoutMs ?? this.#opts.timeoutMs;
    const signal = options.signal;

    return new Promise<R[N]['response']>((resolve, reject) => {
      if (this.#closed) return reject(new RelayClientError('CLIENT_CLOSED', `${request}: the client is closed`));
      if (signal?.aborted) return reject(new RelayClientError('ABORTED', `${request} aborted`, { cause: signal.reason }));
      let line: string;
      try {
        line = JSON.stringify({ request, id, ...(params === undefined ? {} : { params }), ...(options.data === undefined ? {} : { data: options.data }) });
      } catch (err) {
        // A BigInt or a cycle in params or data: nothing was sent.
        return reject(new TypeError(`${request}: params and data must be JSON: ${(err as Error).message}`, { cause: err }));
      }
      let done = false;
      let sent: net.Socket | null = null;
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: Error | null, value?: unknown, cancel = false) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
        // Tell the relay to drop the request; a relay without cancel support refuses the line, which is harmless.
        if (cancel && sent !== null && !sent.destroyed) sent.write(`${JSON.stringify({ cancel: id })}\n`);
        if (err) reject(err);
        else resolve(value as R[N]['response']);
      };
      const onAbort = () => finish(new RelayClientError('ABORTED', `${request} aborted`, { cause: signal?.reason }), undefined, true);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs > 0) {
        timer = setTimeout(() => finish(new RelayClientError('TIMEOUT', `${request}: no reply within ${timeoutMs} ms`), undefined, true), timeoutMs);
      }
      this.#connect().then(
        (socket) => {
          if (done) return;
          if (this.#closed) return finish(new RelayClientError('CLIENT_CLOSED', `${request}: the client was closed`));
          sent = socket;
          this.#pending.set(id, { request, socket, resolve: (v) => finish(null, v), reject: (e) => finish(e) });
          socket.write(`${line}\n`);
        },
        (err: Error) => finish(err),
      );
    });
  }

  /** Open the connection now instead of on the first call. */
  async connect(): Promise<void> {
    await this.#connect();
  }

  /** Close the connection; calls in flight fail with CLIENT_CLOSED, later calls too. */
  close(): void {
    this.#closed = true;
    this.#socket?.destroy();
    this.#socket = null;
    this.#failAll(null, (p) => new RelayClientError('CLIENT_CLOSED', `${p.request}: the client was closed`));
  }

  /** The open socket, or a new one: up to `attempts` tries with doubling delays, shared by concurrent calls. */
  #connect(): Promise<net.Socket> {
    if (this.#socket !== null && !this.#socket.destroyed) return Promise.resolve(this.#socket);
    this.#connecting ??= (async () => {
      const { attempts, minDelayMs, maxDelayMs } = this.#opts.reconnect;
      let last: Error | undefined;
      for (let attempt = 0; attempt < Math.max(1, attempts); attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(maxDelayMs, minDelayMs * 2 ** (attempt - 1))));
        if (this.#closed) throw new RelayClientError('CLIENT_CLOSED', 'the client was closed');
        let socket: net.Socket;
        try {
          socket = await this.#open();
        } catch (err) {
          last = err as Error;
          continue;
        }
        if (this.#closed) {
          socket.destroy();
          throw new RelayClientError('CLIENT_CLOSED', 'the client was closed');
        }
        this.#socket = socket;
        return socket;
      }
      throw new RelayClientError('CONNECT_FAILED', `cannot connect to the relay at ${describeTarget(this.#target)}: ${last?.message}`, { cause: last });
    })().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  #open(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const t = this.#target;
      const socket = 'path' in t ? net.connect(t.path) : net.connect(t.port, t.host ?? '127.0.0.1');
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        const splitter = new LineSplitter(MAX_REPLY_BYTES, (line) => this.#onLine(line), () => {
          socket.destroy(new Error(`a reply line is longer than ${MAX_REPLY_BYTES} bytes`));
        });
        socket.on('data', (chunk: Buffer) => splitter.push(chunk));
        socket.on('error', () => {});
        socket.on('close', () => {
          if (this.#socket === socket) this.#socket = null;
          this.#failAll(socket, (p) => new RelayClientError('CONNECTION_LOST', `${p.request}: the connection to the relay was lost before the reply`));
        });
        resolve(socket);
      });
    });
  }

  #onLine(line: string): void {
    let reply: { status?: unknown; id?: unknown; code?: unknown; response?: unknown };
    try {
      reply = JSON.parse(line) as typeof reply;
    } catch {
      return;
    }
    // Replies to calls that timed out or were aborted, and refusals without an id, belong to no one.
    const pending = typeof reply.id === 'string' ? this.#pending.get(reply.id) : undefined;
    if (pending === undefined || reply.status === 'dispatched') return;
    if (reply.status === 'ok') pending.resolve(reply.response);
    else pending.reject(new RelayCallError(pending.request, reply.id as string, typeof reply.code === 'number' ? reply.code : null, reply.response ?? null));
  }

  #failAll(socket: net.Socket | null, error: (p: Pending) => Error): void {
    for (const p of [...this.#pending.values()]) if (socket === null || p.socket === socket) p.reject(error(p));
  }
}

function describeTarget(t: ClientTarget): string {
  return 'path' in t ? `unix://${t.path}` : `tcp://${t.host ?? '127.0.0.1'}:${t.port}`;
}

/** `createClient<SteamRequests>({ port: 9876 })`: a client typed by the generated modules' `Requests`. */
export function createClient<R extends RequestMap = AnyRequests>(target: ClientTarget, options?: ClientOptions): RelayClient<R> {
  return new RelayClient<R>(target, options);
}
