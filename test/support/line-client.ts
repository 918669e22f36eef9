/**
 * A line-protocol client over a real TCP or UNIX socket, like a daemon would use.
 */
import net from 'node:net';

export type ReplyLine = {
  status: 'dispatched' | 'ok' | 'error';
  id: string | number | null;
  time?: number;
  code?: number | null;
  response?: unknown;
};

export class LineClient {
  readonly socket: net.Socket;
  readonly #lines: string[] = [];
  readonly #waiters: Array<() => void> = [];
  #buffer = '';
  #closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.#buffer += text;
      let nl;
      while ((nl = this.#buffer.indexOf('\n')) !== -1) {
        this.#lines.push(this.#buffer.slice(0, nl));
        this.#buffer = this.#buffer.slice(nl + 1);
      }
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static connect(options: { port: number; host?: string } | { path: string }): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = 'path' in options ? net.connect(options.path) : net.connect(options.port, options.host ?? '127.0.0.1');
      socket.once('connect', () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Write a request: an object is serialised, a string is sent as-is; a newline is added. */
  send(request: object | string): void {
    this.socket.write(`${typeof request === 'string' ? request : JSON.stringify(request)}\n`);
  }

  /** The next reply line, parsed. Rejects after `timeoutMs` or when the connection closes first. */
  async next(timeoutMs = 10_000): Promise<ReplyLine> {
    return JSON.parse(await this.nextRaw(timeoutMs)) as ReplyLine;
  }

  /** The next reply line as text. */
  async nextRaw(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.#lines.length === 0) {
      if (this.#closed) throw new Error('connection closed while waiting for a reply');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#lines.shift()!;
  }

  /** The next `n` reply lines. */
  async take(n: number, timeoutMs = 10_000): Promise<ReplyLine[]> {
    const out: ReplyLine[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next(timeoutMs));
    return out;
  }

  /** Resolves when the relay closes the connection. */
  async closed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}
