/**
 * End to end: relay-run with `--metrics`, a loopback upstream and real clients; /metrics is parsed
 * as Prometheus text and its samples must move with the requests; /healthz turns 503 on SIGTERM.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineClient } from '../support/line-client.js';
import { logLines } from '../support/log-lines.js';
import { scrape, sampleValue, type Exposition } from '../support/prometheus.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { closedPort, startUpstream, type Upstream } from '../support/upstream.js';

const STEAM = 'generated/steam.ts';
const NEWS = { api: 'steam', operation: 'steam.getNewsForApp' };

let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-metrics-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The metrics URL from the start-up line `metrics on http://host:port/metrics and /healthz`. */
function metricsUrl(relay: RelayProcess): string {
  const m = /metrics on (http:\/\/[^/\s]+)\/metrics/.exec(relay.stderr());
  assert.ok(m, `no metrics line in:\n${relay.stderr()}`);
  return m[1]!;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('relay-run --metrics against a loopback upstream', () => {
  let upstream: Upstream;
  let relay: RelayProcess;
  let base: string;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const metrics = (): Promise<Exposition> => scrape(`${base}/metrics`);
  // Kept open across tests: their held requests are still in flight when SIGTERM comes.
  let a: LineClient;
  let b: LineClient;

  before(async () => {
    upstream = await startUpstream(async (req) => {
      if (req.url.includes('appid=404')) return { status: 404, body: { missing: true } };
      if (req.url.includes('appid=7&') || req.url.includes('appid=8&')) await gate;
      return { body: { appnews: { appid: 1, newsitems: [] } } };
    });
    const config = path.join(tmp, 'relay.yaml');
    // One request at a time to the API and a queue of one, so that waits and refusals can be made on purpose.
    await writeFile(config, `apis:\n  steam:\n    rateLimit: { maxConcurrent: 1, maxQueue: 1 }\nupstream:\n  retry: { attempts: 1 }\nshutdown: { graceMs: 20000 }\n`);
    relay = await startRelay(['--tcp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--config', config, '--server', `steam=${upstream.url}`, STEAM]);
    base = metricsUrl(relay);
  });
  after(async () => {
    release();
    a?.close();
    b?.close();
    await relay.stop();
    await upstream.close();
  });

  test('serves parseable Prometheus text with the relay families typed, and /healthz ok', async () => {
    const exp = await metrics();
    assert.equal(exp.types.get('relay_requests_total'), 'counter');
    assert.equal(exp.types.get('relay_request_duration_seconds'), 'histogram');
    assert.equal(exp.types.get('relay_requests_in_flight'), 'gauge');
    assert.equal(exp.types.get('relay_connections'), 'gauge');
    assert.equal(exp.types.get('relay_upstream_errors_total'), 'counter');
    assert.equal(exp.types.get('relay_rate_limit_total'), 'counter');
    assert.equal(sampleValue(exp, 'relay_requests_in_flight'), 0);
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok\n');
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  test('counts an ok request, an error status and refused lines, and times them in the histogram', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send({ request: 'steam.getNewsForApp', id: 'a', params: { appid: 440 } });
    assert.equal((await client.take(2))[1]!.status, 'ok');
    client.send({ request: 'steam.getNewsForApp', id: 'b', params: { appid: 404 } });
    const [, notFound] = await client.take(2);
    assert.equal(notFound!.code, 404);
    client.send('{"request": nope');
    client.send({ request: 'steam.noSuchThing', id: 'c' });
    await client.take(2);

    const exp = await metrics();
    assert.equal(sampleValue(exp, 'relay_requests_total', { ...NEWS, outcome: 'ok', code: '200' }), 1);
    assert.equal(sampleValue(exp, 'relay_requests_total', { ...NEWS, outcome: 'error', code: '404' }), 1);
    assert.equal(sampleValue(exp, 'relay_refused_total', { code: 'BAD_JSON' }), 1);
    assert.equal(sampleValue(exp, 'relay_refused_total', { code: 'UNKNOWN_REQUEST' }), 1);
    assert.equal(sampleValue(exp, 'relay_request_duration_seconds_count', NEWS), 2);
    assert.equal(sampleValue(exp, 'relay_request_duration_seconds_bucket', { ...NEWS, le: '+Inf' }), 2);
    assert.ok(sampleValue(exp, 'relay_request_duration_seconds_sum', NEWS) > 0);
  });

  test('gauges show open connections and requests in flight; rate-limit waits and refusals are counted', async () => {
    a = await LineClient.connect({ port: relay.port! });
    b = await LineClient.connect({ port: relay.port! });
    // The upstream holds 7 (the one permit), 8 waits in the queue of one, 9 finds the queue full.
    a.send({ request: 'steam.getNewsForApp', id: 7, params: { appid: 7 } });
    assert.equal((await a.next()).status, 'dispatched');
    await until('the upstream to get appid 7', async () => (upstream.received.some((r) => r.url.includes('appid=7&')) ? true : undefined));
    b.send({ request: 'steam.getNewsForApp', id: 8, params: { appid: 8 } });
    assert.equal((await b.next()).status, 'dispatched');
    b.send({ request: 'steam.getNewsForApp', id: 9, params: { appid: 9 } });
    const [, limited] = await b.take(2);
    assert.deepEqual([limited!.id, (limited!.response as { code: string }).code], [9, 'RATE_LIMITED']);

    const exp = await until('two in flight', async () => {
      const e = await metrics();
      return sampleValue(e, 'relay_requests_in_flight') === 2 ? e : undefined;
    });
    assert.equal(sampleValue(exp, 'relay_connections'), 2);
    assert.equal(sampleValue(exp, 'relay_rate_limit_total', { api: 'steam', event: 'wait' }), 1);
    assert.equal(sampleValue(exp, 'relay_rate_limit_total', { api: 'steam', event: 'refused' }), 1);
    assert.equal(sampleValue(exp, 'relay_requests_total', { ...NEWS, outcome: 'error', code: 'RATE_LIMITED' }), 1);
    // A second request with the id of one in flight is refused, and counted like any refused line.
    a.send({ request: 'steam.getNewsForApp', id: 7, params: { appid: 70 } });
    const duplicate = await a.next();
    assert.equal((duplicate.response as { code: string }).code, 'DUPLICATE_ID');
    assert.equal(sampleValue(await metrics(), 'relay_refused_total', { code: 'DUPLICATE_ID' }), 1);
  });

  test('/healthz answers 503 during the SIGTERM grace period while requests finish, then the relay exits 0', async () => {
    // appid 7 and 8 are still held from the test before: the grace period waits for them.
    assert.equal(sampleValue(await metrics(), 'relay_requests_in_flight'), 2);
    relay.child.kill('SIGTERM');
    await until('/healthz 503', async () => {
      const res = await fetch(`${base}/healthz`);
      return res.status === 503 ? true : undefined;
    });
    assert.equal(relay.child.exitCode, null);
    release();
    assert.equal((await a.take(1))[0]!.status, 'ok');
    assert.equal((await b.take(1))[0]!.status, 'ok');
    assert.equal(await relay.stop(), 0);
    const requests = logLines(relay.stderr()).filter((l) => l.msg === 'request');
    assert.deepEqual(requests.filter((l) => l.id === 7 || l.id === 8).map((l) => l.status), [200, 200]);
  });
});

describe('relay-run --metrics with an unreachable upstream', () => {
  test('counts each failed attempt by error code, and the request by its final code', async (t) => {
    const config = path.join(tmp, 'refused.yaml');
    await writeFile(config, 'upstream:\n  retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 }\n');
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--config', config, '--server', `steam=http://127.0.0.1:${await closedPort()}`, STEAM]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send({ request: 'steam.getNewsForApp', id: 'x', params: { appid: 440 } });
    const [, final] = await client.take(2);
    assert.equal((final!.response as { code: string }).code, 'CONNECT_REFUSED');
    const exp = await scrape(`${metricsUrl(relay)}/metrics`);
    assert.equal(sampleValue(exp, 'relay_upstream_errors_total', { api: 'steam', code: 'CONNECT_REFUSED' }), 2);
    assert.equal(sampleValue(exp, 'relay_requests_total', { ...NEWS, outcome: 'error', code: 'CONNECT_REFUSED' }), 1);
  });
});
