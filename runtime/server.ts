/**
 * TCP and UNIX socket listeners and their connections.
 * Each connection frames lines, hands them to the relay, and writes the replies back.
 */
import net from 'node:net';
import { unlink } from 'node:fs/promises';
import { RelayError } from './errors.js';
import type { Logger } from './log.js';
import { LineSplitter, refusalLine } from './protocol.js';
import type { Relay } from './relay.js';

export interface TcpAddress {
  host: string;
  port: number;
}

export interface ServerOptions {
  maxLineBytes: number;
  log: Logger;
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
  readonly #opts: ServerOptions;
  readonly #servers: net.Server[] = [];
  readonly #sockets = new Set<net.Socket>();
  readonly #unixPaths: string[] = [];

  constructor(relay: Relay, opts: ServerOptions) {
    this.#relay = relay;
    this.#opts = opts;
  }

  /** Listen on TCP; resolves to `tcp://host:port` with the actual port. */
  async listenTcp(addr: TcpAddress): Promise<string> {
    const server = this.#createServer();
    await listen(server, { host: addr.host, port: addr.port }, `tcp ${formatHostPort(addr.host, addr.port)}`);
    const bound = server.address() as net.AddressInfo;
    return `tcp://${formatHostPort(bound.address, bound.port)}`;
  }

  /** Listen on a UNIX socket. A stale socket file left by a dead process is replaced; a live one is not. */
  async listenUnix(path: string): Promise<string> {
    const server = this.#createServer();
    try {
      await listen(server, { path }, `unix ${path}`);
    } catch (err) {
      const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'EADDRINUSE' && (await isLiveSocket(path)) === false) {
        await unlink(path).catch(() => {});
        await listen(server, { path }, `unix ${path}`);
      } else throw err;
    }
    this.#unixPaths.push(path);
    return `unix://${path}`;
  }

  /** Stop accepting, close every connection, remove UNIX socket files. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await Promise.all(this.#unixPaths.map((p) => unlink(p).catch(() => {})));
  }

  #createServer(): net.Server {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.#connection(socket));
    this.#servers.push(server);
    return server;
  }

  #connection(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    let pending = 0;
    let ended = false;
    const write = (text: string) => {
      if (!socket.destroyed && socket.writable) socket.write(text);
    };
    const finishIfDone = () => {
      if (ended && pending === 0 && !socket.destroyed) socket.end();
    };
    const onLine = (line: string) => {
      const done = this.#relay.handleLine(line, write);
      if (done) {
        pending++;
        void done.finally(() => {
          pending--;
          finishIfDone();
        });
      }
    };
    const { maxLineBytes } = this.#opts;
    const splitter = new LineSplitter(maxLineBytes, onLine, () => write(refusalLine(null, new RelayError('LINE_TOO_LONG', [maxLineBytes]))));
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('end', () => {
      // The client is done sending; answer what it asked, then close our side.
      splitter.end();
      ended = true;
      finishIfDone();
    });
    socket.on('error', (err) => this.#opts.log.debug(`connection error: ${err.message}`));
    socket.on('close', () => this.#sockets.delete(socket));
  }
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'address already in use (is another relay running? choose another address with --tcp or --unix)',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name not found',
};

function listen(server: net.Server, options: net.ListenOptions, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const hint = LISTEN_HINTS[err.code ?? ''] ?? err.message;
      reject(new Error(`cannot listen on ${label}: ${hint}`, { cause: err }));
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
