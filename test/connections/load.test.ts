/**
 * Load: 100 concurrent connections x 1,000 requests against a fast loopback upstream, with clients
 * that half-close and clients that reset mid-flight: every id gets exactly one dispatched and one
 * final reply, none lost or duplicated. The time bound is generous: measured 25-45 s on a shared
 * 2-core machine (the relay spends ~200 µs of CPU per request), more when the machine is busy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rssOf, startGatedUpstream } from '../support/gated-upstream.js';
import { runLoad } from '../support/load.js';
import { startRelay } from '../support/relay-process.js';

test('100 connections x 1,000 requests: every id gets one dispatched and one final reply, while other clients half-close or reset', async (t) => {
  const upstream = await startGatedUpstream();
  t.after(() => upstream.close());
  const relay = await startRelay(['--tcp', '127.0.0.1:0', '--server', `steam=${upstream.url}`]);
  t.after(() => relay.stop());
  const result = await runLoad({ target: { port: relay.port! }, clients: 100, perClient: 1_000, halfClose: 10, abrupt: 5, timeoutMs: 150_000 });
  const rss = await rssOf(relay.child.pid!);
  t.diagnostic(`${result.replies} replies in ${Math.round(result.ms)} ms; ${upstream.started} upstream requests, ${upstream.aborted} aborted; relay RSS ${Math.round(rss / 1048576)} MiB`);
  assert.deepEqual(result.wrong.slice(0, 10), []);
  assert.equal(result.replies, 200_000);
  assert.equal(relay.child.exitCode, null);
  assert.doesNotMatch(relay.stderr(), /internal error|lost/);
});
