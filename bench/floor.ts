/**
 * Process "floor": the least a Node relay speaking this protocol can do, to measure relay-run against.
 * It reads request lines, parses each, answers `dispatched`, sends the one fixed upstream request with
 * undici's handler interface, and answers the upstream's body; replies of one event-loop turn leave in
 * one write, as relay-run's do. Nothing else: no operation table, validation, timeouts, limits, logs or
 * error handling beyond a failed line. What relay-run spends above this is its own; what this spends
 * above the direct client is the price of any relay hop (a socket read and two reply writes per request,
 * and the extra process wake-ups).
 */
import net from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { jsonArg } from './lib/drive.js';

interface Args {
  origin: string;
  path: string;
  connections: number;
}

const args = jsonArg<Args>();
const agent = new Agent({ connections: args.connections, keepAliveTimeout: 4_000 });
const request: Dispatcher.DispatchOptions = { origin: args.origin, path: args.path, method: 'GET', headers: { accept: 'application/json' } };

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending = '';
  const flush = () => {
    const text = pending;
    pending = '';
    socket.write(text);
  };
  const reply = (line: string) => {
    if (pending === '') setImmediate(flush);
    pending += line;
  };
  let rest = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    for (const line of lines) serve(line, reply);
  });
  socket.on('error', () => {});
});

function serve(line: string, reply: (line: string) => void): void {
  let id: unknown;
  try {
    id = (JSON.parse(line) as { id?: unknown }).id;
  } catch {
    return reply('{"status":"error","id":null,"response":{"error":"bad line"}}\n');
  }
  const idJson = JSON.stringify(id);
  reply(`{"status":"dispatched","id":${idJson}}\n`);
  const started = performance.now();
  const chunks: Buffer[] = [];
  let status = 0;
  agent.dispatch(request, {
    onConnect: () => {},
    onHeaders: (code: number) => {
      status = code;
      return true;
    },
    onData: (chunk: Buffer) => {
      chunks.push(chunk);
      return true;
    },
    onComplete: () => {
      const time = (performance.now() - started) / 1000;
      reply(`{"status":"ok","id":${idJson},"time":${time},"code":${status},"response":${Buffer.concat(chunks).toString()}}\n`);
    },
    onError: (err: Error) => reply(`{"status":"error","id":${idJson},"response":{"error":${JSON.stringify(err.message)}}}\n`),
  });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as net.AddressInfo;
  process.stderr.write(`listening on tcp://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  void agent.close();
  process.exit(0);
});
