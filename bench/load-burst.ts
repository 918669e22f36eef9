/**
 * Load process "scale": `requests` lines written at once, spread over `connections` sockets to the
 * relay, then every final reply awaited. Prints `dispatched` when the relay has acknowledged them all
 * (so that the orchestrator can sample the relay while all are in flight), then one JSON line
 * `{"sent","ok","errors","dispatched","elapsedMs"}`.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { jsonArg } from './lib/drive.js';

interface Args {
  connect: net.NetConnectOpts;
  linePrefix: string;
  requests: number;
  connections: number;
}

const args = jsonArg<Args>();
const started = performance.now();
let dispatched = 0;
let ok = 0;
let errors = 0;
const perConnection = Math.ceil(args.requests / args.connections);
let nextId = 1;

const connection = (count: number) =>
  new Promise<void>((resolve, reject) => {
    const socket = net.connect(args.connect);
    socket.setEncoding('utf8');
    let finals = 0;
    let rest = '';
    socket.once('connect', () => {
      const lines: string[] = [];
      for (let i = 0; i < count; i++) lines.push(`${args.linePrefix},"id":${nextId++}}\n`);
      socket.write(lines.join(''));
    });
    socket.on('data', (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('{"status":"dispatched"')) {
          if (++dispatched === args.requests) process.stdout.write('dispatched\n');
          continue;
        }
        if (line.startsWith('{"status":"ok"')) ok++;
        else {
          errors++;
          if (errors <= 3) process.stderr.write(`load-burst: error reply ${line.slice(0, 300)}\n`);
        }
        if (++finals === count) {
          socket.end();
          resolve();
        }
      }
    });
    socket.on('error', reject);
  });

const counts = Array.from({ length: args.connections }, (_, i) => Math.max(0, Math.min(perConnection, args.requests - i * perConnection)));
await Promise.all(counts.filter((c) => c > 0).map(connection));
process.stdout.write(`${JSON.stringify({ sent: args.requests, ok, errors, dispatched, elapsedMs: Math.round(performance.now() - started) })}\n`);
