/**
 * Property-based fuzzing of the line protocol against a relay-run process: random bytes, deep
 * nesting, huge numbers, wrong types, partial lines and CRLF mixes, written in random chunks.
 * Every complete line gets exactly one reply, the process lives on, and its memory stays bounded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { batchArbitrary, checkReplies, exchange, expectedReplies, FUZZ_MAX_LINE_BYTES } from '../support/fuzz-lines.js';
import { rssOf, startGatedUpstream, type GatedUpstream } from '../support/gated-upstream.js';
import { LineClient } from '../support/line-client.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

let tmp: string;
let upstream: GatedUpstream;
let relay: RelayProcess;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-fuzz-'));
  upstream = await startGatedUpstream();
  const config = path.join(tmp, 'relay.yaml');
  await writeFile(config, `limits:\n  maxLineBytes: ${FUZZ_MAX_LINE_BYTES}\n`);
  relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, '--server', `steam=${upstream.url}`]);
});
after(async () => {
  await relay.stop();
  await upstream.close();
  await rm(tmp, { recursive: true, force: true });
});

test('every complete line of 10,000+ fuzzed lines gets exactly one reply, and the relay lives on in bounded memory', async (t) => {
  let lines = 0;
  let peak = 0;
  await fc.assert(
    fc.asyncProperty(batchArbitrary(100, 140), async (batch) => {
      lines += batch.lines;
      const replies = await exchange({ port: relay.port! }, batch);
      assert.deepEqual(checkReplies(replies, expectedReplies(batch.bytes)), []);
      assert.equal(relay.child.exitCode, null, `relay died:\n${relay.stderr()}`);
      peak = Math.max(peak, await rssOf(relay.child.pid!));
    }),
    { numRuns: 100 },
  );
  t.diagnostic(`${lines} lines, ${upstream.started} upstream requests, peak RSS ${Math.round(peak / 1048576)} MiB`);
  assert.ok(lines >= 10_000);
  assert.ok(upstream.started > 100, 'the fuzz dispatched requests, too');
  assert.ok(peak < 300 * 1024 * 1024, `peak RSS ${peak}`);
  assert.doesNotMatch(relay.stderr(), /internal error/);
  // Still serving.
  const client = await LineClient.connect({ port: relay.port! });
  t.after(() => client.close());
  client.send({ request: 'getAppList', id: 'alive' });
  assert.deepEqual((await client.take(2)).map((r) => r.status), ['dispatched', 'ok']);
});
