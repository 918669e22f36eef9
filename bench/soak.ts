/**
 * npm run soak -- [--minutes N] [--lines N]: the long versions of the fuzz and load tests, against one
 * relay-run process. Prints lines lost, crashes and peak RSS; exits 1 if anything was lost or crashed.
 *   --lines    fuzzed protocol lines to send first (default 100000)
 *   --minutes  minutes of load afterwards: rounds of 100 connections x 1,000 requests (default 1)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { batchArbitrary, checkReplies, exchange, expectedReplies, FUZZ_MAX_LINE_BYTES } from '../test/support/fuzz-lines.js';
import { rssOf, startGatedUpstream } from '../test/support/gated-upstream.js';
import { runLoad } from '../test/support/load.js';
import { startRelay } from '../test/support/relay-process.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '1' }, lines: { type: 'string', default: '100000' } } });
const minutes = Number(values.minutes);
const targetLines = Number(values.lines);
if (!(minutes >= 0) || !(targetLines >= 0)) {
  process.stderr.write('usage: npm run soak -- [--minutes N] [--lines N]\n');
  process.exit(2);
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-soak-'));
const upstream = await startGatedUpstream();
const config = path.join(tmp, 'relay.yaml');
await writeFile(config, `limits:\n  maxLineBytes: ${FUZZ_MAX_LINE_BYTES}\n`);
const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, '--server', `steam=${upstream.url}`]);
const pid = relay.child.pid!;
let peak = 0;
const sampler = setInterval(() => {
  rssOf(pid).then((rss) => (peak = Math.max(peak, rss)), () => {});
}, 250);
let crashes = 0;
let stopping = false;
relay.child.once('exit', () => {
  if (!stopping) crashes++;
});
const log = (text: string) => process.stdout.write(`${text}\n`);

// 1. Fuzz.
let fuzzed = 0;
let lost = 0;
const problems: string[] = [];
const started = performance.now();
while (fuzzed < targetLines && crashes === 0) {
  for (const batch of fc.sample(batchArbitrary(100, 140), 20)) {
    fuzzed += batch.lines;
    const expected = expectedReplies(batch.bytes);
    const replies = await exchange({ port: relay.port! }, batch).catch((err: Error) => {
      problems.push(err.message);
      return [] as string[];
    });
    const found = checkReplies(replies, expected);
    if (found.length > 0) {
      const answered = replies.filter((r) => !r.includes('"status":"dispatched"')).length;
      lost += Math.max(1, Math.abs(expected - answered));
      problems.push(...found.slice(0, 3));
    }
  }
  process.stderr.write(`\rfuzz: ${fuzzed} lines`);
}
process.stderr.write('\n');
log(`fuzz: ${fuzzed} lines in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// 2. Load, for the given minutes.
let requests = 0;
let rounds = 0;
const loadEnd = Date.now() + minutes * 60_000;
while (Date.now() < loadEnd && crashes === 0) {
  const result = await runLoad({ target: { port: relay.port! }, clients: 100, perClient: 1_000, halfClose: 10, abrupt: 5, timeoutMs: 300_000 }).catch((err: Error) => {
    problems.push(err.message);
    return { wrong: [err.message], replies: 0, ms: 0 };
  });
  rounds++;
  requests += 100 * 1_000;
  lost += result.wrong.length;
  problems.push(...result.wrong.slice(0, 3));
  process.stderr.write(`\rload: ${rounds} rounds, ${requests} requests, last round ${Math.round(result.ms)} ms`);
}
process.stderr.write('\n');

clearInterval(sampler);
peak = Math.max(peak, await rssOf(pid).catch(() => 0));
const alive = relay.child.exitCode === null;
stopping = true;
await relay.stop();
await upstream.close();
await rm(tmp, { recursive: true, force: true });

log(`load: ${rounds} rounds of 100 connections x 1,000 requests (${requests} requests)`);
log(`lines lost: ${lost}`);
log(`crashes: ${crashes}`);
log(`peak RSS: ${Math.round(peak / 1048576)} MiB`);
for (const p of problems.slice(0, 10)) log(`  ${p}`);
process.exitCode = lost === 0 && crashes === 0 && alive ? 0 : 1;
