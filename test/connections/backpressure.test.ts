/**
 * Backpressure: a connection never has more than limits.maxInFlightPerConnection requests upstream,
 * and a client that does not read its replies stops being read, so relay's memory stays bounded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineClient } from '../support/line-client.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { rssOf, startGatedUpstream, type GatedUpstream } from '../support/gated-upstream.js';

const CAP = 8;

describe('backpressure', () => {
  let tmp: string;
  let upstream: GatedUpstream;
  let relay: RelayProcess;

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-bp-'));
    // 4 KiB answers, so that a client that does not read fills the socket buffers quickly.
    upstream = await startGatedUpstream({ body: JSON.stringify({ pad: 'x'.repeat(4096) }) });
    const config = path.join(tmp, 'relay.yaml');
    await writeFile(config, `limits:\n  maxInFlightPerConnection: ${CAP}\n`);
    relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, '--server', `steam=${upstream.url}`]);
  });
  after(async () => {
    await relay.stop();
    await upstream.close();
    await rm(tmp, { recursive: true, force: true });
  });

  test('a client that writes many requests at once never has more than the cap in flight upstream, and every id is answered once', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const n = 2_000;
    client.socket.write(Array.from({ length: n }, (_, i) => `{"request":"getAppList","id":${i}}\n`).join(''));
    const replies = await client.take(2 * n, 30_000);
    assertEachIdOnce(replies, n);
    assert.ok(upstream.maxActive <= CAP, `upstream saw ${upstream.maxActive} in flight`);
  });

  test('a client that never reads is no longer read: relay memory stays bounded, and it gets every reply once it reads', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.socket.pause();
    const n = 20_000;
    const startedBefore = upstream.started;
    client.socket.write(Array.from({ length: n }, (_, i) => `{"request":"getAppList","id":${i}}\n`).join(''));
    // Wait until the relay stops sending requests upstream: it has stopped reading this client.
    let last = -1;
    while (upstream.started !== last) {
      last = upstream.started;
      await new Promise((r) => setTimeout(r, 500));
    }
    const sent = upstream.started - startedBefore;
    assert.ok(sent < n, `relay kept reading a client that does not read (${sent} of ${n} sent)`);
    const rss = await rssOf(relay.child.pid!);
    assert.ok(rss < 300 * 1024 * 1024, `relay RSS ${Math.round(rss / 1048576)} MiB`);
    assert.ok(upstream.maxActive <= CAP, `upstream saw ${upstream.maxActive} in flight`);
    t.diagnostic(`relay stopped after ${sent} of ${n} requests; RSS ${Math.round(rss / 1048576)} MiB`);
    client.socket.resume();
    assertEachIdOnce(await client.take(2 * n, 60_000), n);
  });
});

/** Each id 0..n-1 got exactly one dispatched line and one ok line after it. */
function assertEachIdOnce(replies: Array<{ status: string; id: unknown }>, n: number): void {
  const seen = new Map<unknown, string[]>();
  for (const r of replies) seen.set(r.id, [...(seen.get(r.id) ?? []), r.status]);
  assert.equal(seen.size, n);
  for (const [id, statuses] of seen) assert.deepEqual(statuses, ['dispatched', 'ok'], `id ${String(id)}`);
}
