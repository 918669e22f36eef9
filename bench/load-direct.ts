/**
 * Load process "direct": an undici Pool calling the upstream itself, the physical limit the relay is
 * measured against. Prints one JSON line: a RunResult per in-flight level, CPU being this process's own.
 */
import { Pool } from 'undici';
import { drive, jsonArg, ownCpuUs, type DriveOptions, type RunResult } from './lib/drive.js';

interface Args extends Omit<DriveOptions, 'inflight'> {
  origin: string;
  path: string;
  levels: number[];
  connections: number;
}

const args = jsonArg<Args>();
// The same pool shape as relay-run's dispatcher (connectionsPerOrigin, keep-alive), so both pay alike.
const pool = new Pool(args.origin, { connections: args.connections, keepAliveTimeout: 4_000 });
const call = async () => {
  const res = await pool.request({ path: args.path, method: 'GET', headers: { accept: 'application/json' } });
  const text = await res.body.text();
  // A direct caller parses the body too: the relay does the same work before replying.
  JSON.parse(text);
  return res.statusCode === 200;
};
const results: RunResult[] = [];
for (const inflight of args.levels) results.push(await drive({ ...args, inflight }, call, ownCpuUs));
await pool.close();
process.stdout.write(`${JSON.stringify(results)}\n`);
