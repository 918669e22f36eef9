/**
 * One client connection: framing, the requests it has in flight (cancel, duplicate ids), backpressure,
 * client authentication, the idle timeout, and its part in a graceful shutdown.
 * The relay core (relay.ts) serves each request; this file owns the socket and the per-connection state.
 */
import type net from 'node:net';
import { Abort } from './abort.js';
import { tokenMatches } from './client-auth.js';
import { RelayError } from './errors.js';
import type { Logger } from './log.js';
import { AUTHENTICATED_LINE, LineSplitter, cancelRefusalLine, failureLine, parseLine, refusalLine, type RequestId } from './protocol.js';
import type { Relay } from './relay.js';

export interface ConnectionOptions {
  relay: Relay;
  log: Logger;
  /** The token this connection must present in its first line, or null when it needs none. */
  token: string | null;
  /** How long it has to present the token before it is closed (UNAUTHORIZED). */
  authTimeoutMs: number;
  /** This connection's number, for the per-request log lines (see observer.ts). */
  id?: number;
}

/** A request in flight; it is also how relay.ts serves it (its Serving): the signal, the connection and the tries so far. */
interface InFlight {
  id: RequestId;
  signal: Abort;
  connection: number | null;
  /** Tries made so far (kept by upstream.ts), for the reply written when the request is aborted. */
  attempts: number;
  started: number;
  /** Set once the final reply is written (or the client is gone): later writes are dropped. */
  done: boolean;
}

/** A queued line, or null for a line that was too long. */
type Queued = string | null;

/** How long a connection being closed by relay waits for the client to close its side. */
const CLOSE_WAIT_MS = 2_000;

export class Connection {
  readonly #socket: net.Socket;
  readonly #opts: ConnectionOptions;
  readonly #inFlight = new Map<string, InFlight>();
  readonly #splitter: LineSplitter;
  /** Lines read but not yet served because the connection is at its in-flight cap or cannot write. */
  #queue: Queued[] = [];
  #head = 0;
  #authenticated: boolean;
  #writeBlocked = false;
  /** Lines written this turn of the event loop, sent together by #flush. */
  #pending = '';
  #paused = false;
  #clientEnded = false;
  #closing = false;
  #shuttingDown = false;
  #idleTimer: NodeJS.Timeout | null = null;
  #settledWaiters: Array<() => void> = [];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;

  constructor(socket: net.Socket, opts: ConnectionOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.#authenticated = opts.token === null;
    const { maxLineBytes } = opts.relay.options.limits;
    this.#splitter = new LineSplitter(maxLineBytes, (line) => this.#onLine(line), () => this.#onLine(null));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#touch();
      if (!this.#closing) this.#splitter.push(chunk);
    });
    socket.on('end', () => {
      // The client is done sending; answer what it asked, then close our side.
      this.#clientEnded = true;
      if (!this.#closing) this.#splitter.end();
      this.#maybeFinish();
    });
    socket.on('error', (err) => opts.log.debug(`connection error: ${err.message}`));
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.#gone();
      resolve();
    }));
    this.#touch();
    if (!this.#authenticated) {
      // A client that never authenticates must not hold a connection slot for long.
      setTimeout(() => {
        if (!this.#authenticated) this.refuseAndClose(new RelayError('UNAUTHORIZED'));
      }, opts.authTimeoutMs).unref();
    }
  }

  /** Requests this connection has in flight. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Refuse one connection-level error line and close (TOO_MANY_CONNECTIONS, UNAUTHORIZED, IDLE_TIMEOUT). */
  refuseAndClose(error: RelayError): void {
    if (this.#closing) return;
    this.#refuse(null, error);
    this.#close(CLOSE_WAIT_MS);
  }

  /** Shutdown, first step: refuse new lines with SHUTTING_DOWN; close once nothing is in flight. */
  drain(): void {
    this.#shuttingDown = true;
    this.#pump();
    this.#maybeFinish();
  }

  /** Resolves when nothing is in flight (immediately if nothing is). */
  settled(): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /** Shutdown deadline: answer every request still in flight SHUTTING_DOWN, abort it upstream, close. */
  expire(): void {
    for (const [key, entry] of this.#inFlight) this.#abort(key, entry, new RelayError('SHUTTING_DOWN'));
    this.#maybeFinish();
  }

  /** Close now, whatever is pending. */
  destroy(): void {
    this.#socket.destroy();
  }

  #onLine(line: Queued): void {
    if (this.#closing) return;
    if (this.#head === this.#queue.length && this.#canServe()) this.#serve(line);
    else this.#queue.push(line);
    this.#updateReading();
  }

  /** Serve queued lines while there is room, then pause or resume reading to match. */
  #pump(): void {
    while (this.#head < this.#queue.length && this.#canServe() && !this.#closing) {
      const line = this.#queue[this.#head]!;
      this.#queue[this.#head++] = null;
      this.#serve(line);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    this.#updateReading();
    this.#maybeFinish();
  }

  /**
   * Whether the next line may be served now: the client reads its replies, and a request has room
   * under the in-flight cap (during shutdown lines are only refused, which takes no room).
   */
  #canServe(): boolean {
    if (this.#writeBlocked) return false;
    return this.#shuttingDown || this.#inFlight.size < this.#opts.relay.options.limits.maxInFlightPerConnection;
  }

  #updateReading(): void {
    const pause = !this.#closing && (this.#head < this.#queue.length || !this.#canServe());
    if (pause && !this.#paused) this.#socket.pause();
    else if (!pause && this.#paused) this.#socket.resume();
    this.#paused = pause;
  }

  #serve(line: Queued): void {
    const { relay } = this.#opts;
    const { maxLineBytes, maxJsonDepth } = relay.options.limits;
    if (!this.#authenticated) {
      // The first line must be the token; anything else closes the connection.
      const parsed = line === null ? null : parseLine(line, maxJsonDepth);
      if (parsed?.kind === 'auth') this.#authLine(parsed.token);
      else this.refuseAndClose(new RelayError('UNAUTHORIZED'));
      return;
    }
    if (line === null) {
      this.#refuse(null, new RelayError('LINE_TOO_LONG', [maxLineBytes]));
      return;
    }
    const parsed = parseLine(line, maxJsonDepth);
    switch (parsed.kind) {
      case 'refused':
        this.#refuse(parsed.id, parsed.error);
        return;
      case 'auth':
        // Clients may always send one, also when no token is needed or they already authenticated.
        this.#authLine(parsed.token);
        return;
      case 'cancel':
        this.#cancel(parsed.id);
        return;
      case 'request':
        break;
    }
    const { msg } = parsed;
    if (this.#shuttingDown) {
      this.#refuse(msg.id, new RelayError('SHUTTING_DOWN'));
      return;
    }
    const key = idKey(msg.id);
    if (this.#inFlight.has(key)) {
      this.#refuse(msg.id, new RelayError('DUPLICATE_ID', [JSON.stringify(msg.id)]));
      return;
    }
    const entry: InFlight = { id: msg.id, signal: new Abort(), connection: this.#opts.id ?? null, attempts: 0, started: performance.now(), done: false };
    this.#inFlight.set(key, entry);
    const done = relay.handleRequest(msg, (text) => entry.done || this.#write(text), entry);
    if (done === null) {
      this.#inFlight.delete(key);
      return;
    }
    const finished = () => {
      entry.done = true;
      if (this.#inFlight.get(key) === entry) this.#release(key);
    };
    void done.then(finished, finished);
  }

  /** An auth line: accepted when it carries the token (or none is needed), else UNAUTHORIZED and close. */
  #authLine(token: string): void {
    if (this.#opts.token === null || tokenMatches(token, this.#opts.token)) {
      this.#authenticated = true;
      this.#write(AUTHENTICATED_LINE);
    } else this.refuseAndClose(new RelayError('UNAUTHORIZED'));
  }

  /** Refuse a line (or, with a null id, the connection) with `error`, counted in the metrics. */
  #refuse(id: RequestId | null, error: RelayError): void {
    this.#opts.relay.options.observer?.refused(error.code);
    this.#write(refusalLine(id, error));
  }

  #cancel(id: RequestId): void {
    const key = idKey(id);
    const entry = this.#inFlight.get(key);
    if (!entry) {
      this.#write(cancelRefusalLine(id, new RelayError('NOT_IN_FLIGHT', [JSON.stringify(id)])));
      return;
    }
    this.#abort(key, entry, new RelayError('CANCELLED'));
  }

  /** Write `error` as the final reply of an in-flight request and abort it upstream; `attempts` counts the tries made, the one in progress included. */
  #abort(key: string, entry: InFlight, error: RelayError): void {
    this.#write(failureLine(entry.id, performance.now() - entry.started, error, null, entry.attempts));
    entry.done = true;
    entry.signal.abort(error);
    this.#release(key);
  }

  #release(key: string): void {
    this.#inFlight.delete(key);
    if (this.#inFlight.size === 0) {
      this.#touch();
      for (const resolve of this.#settledWaiters.splice(0)) resolve();
    }
    this.#pump();
  }

  #write(text: string): true {
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) return true;
    // Replies written in the same turn of the event loop leave in one write of one string: a syscall
    // per line costs more than the rest of a request, and one string is cheaper than a writev of many.
    if (this.#pending === '') setImmediate(this.#flush);
    this.#pending += text;
    return true;
  }

  /** Write what is pending; when the client is not reading, stop reading its requests until it catches up. */
  readonly #flush = (): void => {
    const text = this.#pending;
    if (text === '') return;
    this.#pending = '';
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) return;
    if (!socket.write(text) && !this.#writeBlocked) {
      this.#writeBlocked = true;
      socket.once('drain', () => {
        this.#writeBlocked = false;
        this.#pump();
      });
      this.#updateReading();
    }
  };

  /** End our side once the client has nothing more coming: it half-closed, or relay is shutting down. */
  #maybeFinish(): void {
    if (this.#closing || this.#inFlight.size > 0 || this.#head < this.#queue.length) return;
    // A half-closed client gets all its replies, however slowly it reads; during shutdown the server bounds the wait.
    if (this.#clientEnded || this.#shuttingDown) this.#close(null);
  }

  /** End our side; when relay is the one closing, drop the socket after `waitMs` if the client does not close. */
  #close(waitMs: number | null): void {
    this.#closing = true;
    this.#clearIdle();
    this.#flush();
    this.#socket.end();
    // Keep reading (and discarding) so that unread input does not turn our close into a reset that
    // could destroy the last replies.
    this.#socket.resume();
    this.#paused = false;
    if (waitMs !== null) setTimeout(() => this.#socket.destroy(), waitMs).unref();
  }

  /** The socket closed: requests still in flight have no one to answer to, so they are aborted upstream. */
  #gone(): void {
    this.#closing = true;
    this.#clearIdle();
    for (const entry of this.#inFlight.values()) {
      entry.done = true;
      entry.signal.abort(new RelayError('CANCELLED'));
    }
    this.#inFlight.clear();
    for (const resolve of this.#settledWaiters.splice(0)) resolve();
  }

  #touch(): void {
    const ms = this.#opts.relay.options.limits.idleTimeoutMs;
    if (ms === 0 || this.#closing) return;
    if (this.#idleTimer) this.#idleTimer.refresh();
    else this.#idleTimer = setTimeout(() => this.#onIdle(ms), ms).unref();
  }

  #onIdle(ms: number): void {
    if (this.#inFlight.size > 0 || this.#head < this.#queue.length) {
      this.#idleTimer!.refresh();
      return;
    }
    this.refuseAndClose(new RelayError('IDLE_TIMEOUT', [ms]));
  }

  #clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}

/** Ids are compared as JSON values: "1" and 1 are different requests. */
function idKey(id: RequestId): string {
  return typeof id === 'string' ? `s${JSON.stringify(id)}` : `n${id}`;
}
