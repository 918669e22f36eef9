/**
 * TCP and UNIX socket listeners and their connections.
 * Socket security (file mode, loopback warning, connection cap) and graceful shutdown live here;
 * each connection's own work is in connection.ts.
 */
import net from 'node:net';
import { chmod, chown, unlink } from 'node:fs/promises';
import { Connection } from './connection.js';
import { RelayError } from './errors.js';
import type { Logger } from './log.js';
import type { Relay } from './relay.js';
import { resolveSocketOwner, type SocketOwner } from './socket-owner.js';

export interface TcpAddress {
  host: string;
  port: number;
}

export interface ServerOptions {
  log: Logger;
  /** The token TCP connections must present first (`auth.token`); null: no client authentication. */
  token: string | null;
  /** How long a connection has to present it (`auth.timeoutMs`). */
  authTimeoutMs: number;
  /** The UNIX socket's file mode, octal text (`listen.unixMode`). */
  unixMode: string;
  /** The user and group the UNIX socket is given to, names or numeric ids (`listen.unixOwner`, `listen.unixGroup`); absent or null: relay-run's own. */
  unixOwner?: string | null;
  unixGroup?: string | null;
}

/** Parse `HOST:PORT` or `[v6]:PORT`. Throws an Error that says what is expected. */
export function parseTcpAddress(text: string): TcpAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new Error(`invalid TCP address ${JSON.stringify(text)}; expected HOST:PORT, e.g. 127.0.0.1:9876 or [::1]:9876`);
  return { host: (match[1] ?? match[2])!, port };
}

export class RelayServer {
  readonly #relay: Relay;
  #opts: ServerOptions;
  readonly #servers: net.Server[] = [];
  /** Connections being served (those refused for the connection cap are not counted). */
  readonly #connections = new Set<Connection>();
  /** Every open connection, refused ones included, so that close() can drop them all. */
  readonly #all = new Set<Connection>();
  readonly #unixPaths: string[] = [];
  /** The number of the last accepted connection. */
  #lastId = 0;

  constructor(relay: Relay, opts: ServerOptions) {
    this.#relay = relay;
    this.#opts = opts;
  }

  /** New settings (SIGHUP): they apply to connections accepted from now on. */
  configure(opts: ServerOptions): void {
    this.#opts = opts;
  }

  /** Connections being served. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Listen on TCP; resolves to `tcp://host:port` with the actual port. Warns when the address is not loopback. */
  async listenTcp(addr: TcpAddress): Promise<string> {
    const server = this.#createServer('tcp');
    await listen(server, { host: addr.host, port: addr.port }, `on tcp ${formatHostPort(addr.host, addr.port)}`);
    const bound = server.address() as net.AddressInfo;
    if (!isLoopback(bound.address)) {
      const auth = this.#opts.token === null ? ' and no auth.token is set' : '';
      this.#opts.log.warn(`listening on non-loopback address ${bound.address}${auth}: any host that can reach it can make requests with relay's credentials`);
    }
    return `tcp://${formatHostPort(bound.address, bound.port)}`;
  }

  /**
   * Listen on a UNIX socket created with mode `listen.unixMode` (0600 by default), given to
   * `listen.unixOwner` and `listen.unixGroup` when set. A stale socket file left by a dead process is
   * replaced; a live one is not.
   */
  async listenUnix(path: string): Promise<string> {
    const mode = parseInt(this.#opts.unixMode, 8);
    const owner = await resolveSocketOwner(this.#opts.unixOwner ?? null, this.#opts.unixGroup ?? null);
    const server = this.#createServer('unix');
    try {
      await listenWithMode(server, path, mode, owner);
    } catch (err) {
      const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'EADDRINUSE' && (await isLiveSocket(path)) === false) {
        await unlink(path).catch(() => {});
        await listenWithMode(server, path, mode, owner);
      } else throw err;
    }
    this.#unixPaths.push(path);
    return `unix://${path}`;
  }

  /**
   * Graceful stop: stop accepting, refuse new lines with SHUTTING_DOWN, let requests in flight finish
   * until `graceMs` has passed (or `force` settles), answer the rest SHUTTING_DOWN, then close.
   */
  async shutdown(graceMs: number, force: Promise<void> = new Promise(() => {})): Promise<void> {
    const stopped = this.#stopListening();
    for (const conn of this.#all) conn.drain();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all([...this.#all].map((c) => c.settled())), deadline, force]);
    clearTimeout(timer);
    for (const conn of this.#all) conn.expire();
    // Give clients a moment to read their last replies and close; then drop whoever is left.
    const closing = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
    await Promise.race([Promise.all([...this.#all].map((c) => c.closed)), closing]);
    clearTimeout(timer);
    for (const conn of this.#all) conn.destroy();
    await stopped;
  }

  /** Stop accepting, close every connection, remove UNIX socket files. */
  async close(): Promise<void> {
    for (const conn of this.#all) conn.destroy();
    await this.#stopListening();
  }

  /** Stop accepting now (a UNIX socket file goes at once); resolves when every connection has closed. */
  async #stopListening(): Promise<void> {
    const closed = this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    // libuv unlinks the socket file as it closes the listener; this catches a platform that does not.
    // Done at once, not after connections close, so it cannot remove the socket of a relay started since.
    await Promise.all(this.#unixPaths.splice(0).map((p) => unlink(p).catch(() => {})));
    await Promise.all(closed);
  }

  #createServer(transport: 'tcp' | 'unix'): net.Server {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.#connection(socket, transport));
    this.#servers.push(server);
    return server;
  }

  #connection(socket: net.Socket, transport: 'tcp' | 'unix'): void {
    const { log, token, authTimeoutMs } = this.#opts;
    // UNIX connections are vouched for by the socket's file mode; the token guards TCP.
    const id = ++this.#lastId;
    const conn = new Connection(socket, { relay: this.#relay, log, token: transport === 'tcp' ? token : null, authTimeoutMs, id });
    this.#all.add(conn);
    log.debug(`connection ${id} opened (${transport}${transport === 'tcp' ? ` from ${formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0)}` : ''})`);
    const { maxConnections } = this.#relay.options.limits;
    if (this.#connections.size >= maxConnections) {
      log.debug(`connection refused: ${maxConnections} connections already open`);
      conn.refuseAndClose(new RelayError('TOO_MANY_CONNECTIONS', [maxConnections]));
    } else this.#connections.add(conn);
    void conn.closed.then(() => {
      this.#opts.log.debug(`connection ${id} closed`);
      this.#all.delete(conn);
      this.#connections.delete(conn);
    });
  }
}

/** How long shutdown waits for clients to close after their last replies. */
const CLOSE_WAIT_MS = 2_000;

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address);
}

/** `host:port`, or `[v6]:port` for an IPv6 address. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The usual reasons a listen fails, in words, by error code. */
export const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'address already in use (is another relay running? choose another address with --tcp or --unix)',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name not found',
};

/** Listen, or reject with `cannot listen <where>: <hint>`, the hint in words for the usual error codes. */
export function listen(server: net.Server, options: net.ListenOptions, where: string, hints = LISTEN_HINTS): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const hint = hints[err.code ?? ''] ?? err.message;
      reject(new Error(`cannot listen ${where}: ${hint}`, { cause: err }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options);
  });
}

/**
 * Listen on a UNIX socket that is created with `mode`: the umask is narrowed around the bind (which
 * node does synchronously inside listen), so the socket is never reachable with wider permissions,
 * then chmod makes the mode exact. Given to another owner or group, it is created for its owner only
 * and opened up to `mode` once it has them, so that relay-run's own group never gets it.
 */
async function listenWithMode(server: net.Server, path: string, mode: number, owner: SocketOwner | null): Promise<void> {
  const first = owner === null ? mode : mode & 0o700;
  const umask = process.umask(~first & 0o777);
  let listening: Promise<void>;
  try {
    listening = listen(server, { path }, `on unix ${path}`);
  } finally {
    process.umask(umask);
  }
  await listening;
  if (owner !== null) {
    try {
      await chown(path, owner.uid, owner.gid);
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(path).catch(() => {});
      const why = (err as NodeJS.ErrnoException).code === 'EPERM' ? 'operation not permitted (only root gives a socket to another user, and relay-run can give it only to a group its user belongs to)' : (err as Error).message;
      throw new Error(`cannot give unix socket ${path} to ${owner.label}: ${why}`, { cause: err });
    }
  }
  await chmod(path, mode);
}

/** Whether something accepts connections on the UNIX socket at `path` (null when there is no socket). */
function isLiveSocket(path: string): Promise<boolean | null> {
  return new Promise((resolve) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? false : null));
  });
}
