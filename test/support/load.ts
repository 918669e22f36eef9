/**
 * Load: many concurrent clients, each pipelining many requests; counts what each id got back.
 * Shared by test/connections/load.test.ts and bench/soak.ts.
 */
import net from 'node:net';

export interface LoadOptions {
  target: { port: number } | { path: string };
  clients: number;
  perClient: number;
  /** How many of the clients half-close right after writing their requests. */
  halfClose?: number;
  /** Extra clients that write their requests and then reset the connection mid-flight. */
  abrupt?: number;
  timeoutMs?: number;
}

export interface LoadResult {
  /** Ids that did not get exactly one dispatched and then one ok. */
  wrong: string[];
  /** Replies received by the well-behaved clients. */
  replies: number;
  ms: number;
}

/** Run the load; resolves when every well-behaved client has all its replies. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  const abrupt = Array.from({ length: opts.abrupt ?? 0 }, (_, c) => abruptClient(opts, `a${c}`));
  const results = await Promise.all(Array.from({ length: opts.clients }, (_, c) => client(opts, `c${c}`, c < (opts.halfClose ?? 0))));
  await Promise.all(abrupt);
  return { wrong: results.flatMap((r) => r.wrong), replies: results.reduce((n, r) => n + r.replies, 0), ms: performance.now() - started };
}

function connect(target: LoadOptions['target']): net.Socket {
  return 'path' in target ? net.connect(target.path) : net.connect(target.port, '127.0.0.1');
}

function requests(prefix: string, n: number): string {
  let text = '';
  for (let i = 0; i < n; i++) text += `{"request":"getAppList","id":"${prefix}-${i}"}\n`;
  return text;
}

function client(opts: LoadOptions, prefix: string, halfClose: boolean): Promise<{ wrong: string[]; replies: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(opts.target);
    const seen = new Map<string, string>();
    let buffer = '';
    let replies = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${prefix}: ${replies} of ${2 * opts.perClient} replies within ${opts.timeoutMs ?? 60_000} ms`));
    }, opts.timeoutMs ?? 60_000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const wrong: string[] = [];
      for (let i = 0; i < opts.perClient; i++) {
        const id = `${prefix}-${i}`;
        if (seen.get(id) !== 'dispatched ok') wrong.push(`${id}: ${seen.get(id) ?? 'nothing'}`);
      }
      if (seen.size !== opts.perClient) wrong.push(`${prefix}: replies for ${seen.size} ids, expected ${opts.perClient}`);
      resolve({ wrong, replies });
    };
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      buffer += text;
      let nl;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const reply = JSON.parse(buffer.slice(0, nl)) as { status: string; id: string };
        buffer = buffer.slice(nl + 1);
        replies++;
        const before = seen.get(reply.id);
        seen.set(reply.id, before === undefined ? reply.status : `${before} ${reply.status}`);
      }
      if (replies === 2 * opts.perClient && !halfClose) finish();
    });
    // A half-closed client is answered in full, then relay closes the connection.
    socket.on('close', () => (halfClose ? finish() : undefined));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => {
      const text = requests(prefix, opts.perClient);
      if (halfClose) socket.end(text);
      else socket.write(text);
    });
  });
}

/** A client that sends its requests, reads a little, then resets the connection. */
function abruptClient(opts: LoadOptions, prefix: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(opts.target);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.resetAndDestroy();
      resolve();
    });
    socket.once('connect', () => socket.write(requests(prefix, opts.perClient)));
  });
}
