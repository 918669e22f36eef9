/**
 * Load process "relay": a daemon's side of the line protocol over TCP or a UNIX socket, one
 * connection with N requests in flight. CPU is the relay process's (user+sys from /proc/<pid>/stat).
 * Writes made in one tick go out in one syscall (cork, uncork on the next tick), as a careful daemon would.
 */
import net from 'node:net';
import { cpuTimeUs } from './lib/proc.js';
import { drive, jsonArg, type DriveOptions, type RunResult } from './lib/drive.js';

interface Args extends Omit<DriveOptions, 'inflight'> {
  /** `{ port, host }` for TCP, `{ path }` for a UNIX socket. */
  connect: net.NetConnectOpts;
  /** The request line without its id: `{"request":"steam.x","params":{...}` (the id and `}` are appended). */
  linePrefix: string;
  levels: number[];
  relayPid: number;
}

const args = jsonArg<Args>();
const socket = net.connect(args.connect);
await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
socket.setNoDelay(true);

const waiting = new Map<number, (ok: boolean) => void>();
let nextId = 1;
let corked = false;
const uncork = () => {
  corked = false;
  socket.uncork();
};
const call = () =>
  new Promise<boolean>((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    socket.write(`${args.linePrefix},"id":${id}}\n`);
  });

let rest = '';
let reads = 0;
socket.setEncoding('utf8');
socket.on('data', (text: string) => {
  reads++;
  const lines = (rest + text).split('\n');
  rest = lines.pop()!;
  for (const line of lines) onReply(line);
});
socket.on('error', (err) => {
  process.stderr.write(`load-lines: ${err.message}\n`);
  process.exit(1);
});

const DISPATCHED = '{"status":"dispatched"';
let checked = false;
const OK = '{"status":"ok","id":';
function onReply(line: string): void {
  if (line.startsWith(DISPATCHED)) return;
  // Replies are read the cheap way (the id sits right after the status), so that the client steals
  // as little CPU as possible from the relay on a 2-core machine; the smoke test checks full replies.
  const ok = line.startsWith(OK);
  const from = line.indexOf('"id":') + 5;
  const id = Number(line.slice(from, line.indexOf(',', from)));
  const resolve = waiting.get(id);
  if (!resolve) {
    process.stderr.write(`load-lines: unexpected reply ${line.slice(0, 200)}\n`);
    process.exit(1);
  }
  waiting.delete(id);
  if (!checked) {
    // The first final reply is read in full: the bench measures nothing unless the relay really relays.
    checked = true;
    const reply = JSON.parse(line) as { status?: string; id?: unknown; code?: unknown; response?: { response?: { player_count?: unknown } } };
    if (reply.status !== 'ok' || reply.id !== id || reply.code !== 200 || reply.response?.response?.player_count !== 1234567) {
      process.stderr.write(`load-lines: the relay's reply is not the upstream's answer: ${line.slice(0, 300)}\n`);
      process.exit(1);
    }
  }
  if (!ok) process.stderr.write(`load-lines: error reply ${line.slice(0, 300)}\n`);
  resolve(ok);
}

const results: Array<RunResult & { readsPerReq: number }> = [];
for (const inflight of args.levels) {
  // Socket reads per request over the window: how many separate writes of the relay reach the client
  // (at most 2 per request, a dispatched and a final line; fewer when the relay batches its writes).
  const marks: number[] = [];
  const sample = () => {
    marks.push(reads);
    return cpuTimeUs(args.relayPid);
  };
  const r = await drive({ ...args, inflight }, call, sample);
  results.push({ ...r, readsPerReq: Math.round((100 * (marks[1]! - marks[0]!)) / r.requests) / 100 });
}
socket.end();
process.stdout.write(`${JSON.stringify(results)}\n`);
