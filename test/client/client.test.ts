/**
 * The typed client against a real relay-run process and a loopback fake Steam: replies, errors,
 * timeouts, aborts and reconnecting after the relay restarts. One test uses a bare line server to
 * see exactly what the client writes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, RelayCallError, RelayClientError } from '../../runtime/client.js';
import type { Requests as SteamRequests } from '../../generated/steam.js';
import { steamHandler } from '../support/fake-steam.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

/** appid 999 answers only after this long: longer than any timeout or abort in these tests. */
const SLOW_MS = 4_000;

function isClientError(code: string) {
  return (err: unknown) => {
    assert.ok(err instanceof RelayClientError, `a RelayClientError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

describe('the typed client', () => {
  let tmp: string;
  let upstream: Upstream;
  let relay: RelayProcess;
  const socket = () => path.join(tmp, 'relay.sock');
  const start = () => startRelay(['--unix', socket(), '--tcp', '127.0.0.1:0', '--server', `steam=${upstream.url}`]);

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-client-'));
    upstream = await startUpstream(async (req) => ({ ...(await steamHandler(req)), ...(req.url.includes('appid=999') ? { delay: SLOW_MS } : {}) }));
    relay = await start();
  });
  after(async () => {
    await relay.stop();
    await upstream.close();
    await rm(tmp, { recursive: true, force: true });
  });

  for (const transport of ['tcp', 'unix'] as const) {
    test(`resolves a call over ${transport} to the success response`, async (t) => {
      const client = createClient<SteamRequests>(transport === 'tcp' ? { port: relay.port! } : { path: socket() });
      t.after(() => client.close());
      const news = await client.call('steam.getNewsForApp', { appid: 440, count: 3 });
      assert.equal(news.appnews.appid, 440);
      assert.equal(news.appnews.newsitems.length, 3);
      assert.match(upstream.received.at(-1)!.url, /^\/ISteamNews\/GetNewsForApp\/v2\/\?appid=440&count=3&maxlength=0&format=json$/);
    });
  }

  test('correlates concurrent calls on one connection by the ids it generates', async (t) => {
    const client = createClient<SteamRequests>({ path: socket() });
    t.after(() => client.close());
    const appids = [1, 2, 3, 4, 5, 6, 7, 8];
    const replies = await Promise.all(appids.map((appid) => client.call('steam.getNewsForApp', { appid, count: 1 })));
    assert.deepEqual(replies.map((r) => r.appnews.appid), appids);
    assert.equal(client.inFlight, 0);
  });

  test('rejects an upstream error status with RelayCallError carrying status and body, code null', async (t) => {
    const client = createClient<SteamRequests>({ path: socket() });
    t.after(() => client.close());
    await assert.rejects(client.call('steam.getNumberOfCurrentPlayers', { appid: 0 }), (err: unknown) => {
      assert.ok(err instanceof RelayCallError);
      assert.equal(err.status, 404);
      assert.equal(err.code, null);
      assert.deepEqual(err.response, { response: { result: 42 } });
      assert.equal(err.request, 'steam.getNumberOfCurrentPlayers');
      return true;
    });
  });

  test("rejects a refused line with RelayCallError carrying relay's code and no status", async (t) => {
    const client = createClient({ path: socket() });
    t.after(() => client.close());
    await assert.rejects(client.call('steam.getNewsForApp', { count: 1 }), (err: unknown) => {
      assert.ok(err instanceof RelayCallError);
      assert.equal(err.code, 'MISSING_PARAM');
      assert.equal(err.status, null);
      assert.match(err.message, /MISSING_PARAM: missing required parameter: appid/);
      return true;
    });
    await assert.rejects(client.call('steam.noSuchThing'), (err: unknown) => err instanceof RelayCallError && err.code === 'UNKNOWN_REQUEST');
  });

  test('rejects with TIMEOUT when no final reply comes in time, and later calls still work', async (t) => {
    const client = createClient<SteamRequests>({ path: socket() });
    t.after(() => client.close());
    await assert.rejects(client.call('steam.getNewsForApp', { appid: 999 }, { timeoutMs: 200 }), isClientError('TIMEOUT'));
    assert.equal(client.inFlight, 0);
    const ok = await client.call('steam.getNumberOfCurrentPlayers', { appid: 440 });
    assert.equal(ok.response.player_count, 1234);
  });

  test('rejects with ABORTED when the signal aborts, at once when it already has', async (t) => {
    const client = createClient<SteamRequests>({ path: socket() });
    t.after(() => client.close());
    const controller = new AbortController();
    const call = client.call('steam.getNewsForApp', { appid: 999 }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user gave up')), 100);
    await assert.rejects(call, (err: unknown) => {
      isClientError('ABORTED')(err);
      assert.equal(((err as Error).cause as Error).message, 'user gave up');
      return true;
    });
    await assert.rejects(client.call('steam.getAppList', {}, { signal: AbortSignal.abort() }), isClientError('ABORTED'));
    const ok = await client.call('steam.getNumberOfCurrentPlayers', { appid: 440 });
    assert.equal(ok.response.result, 1);
  });

  test('fails calls in flight and later calls with CLIENT_CLOSED once closed', async () => {
    const client = createClient<SteamRequests>({ path: socket() });
    await client.connect();
    const inFlight = client.call('steam.getNewsForApp', { appid: 999 });
    client.close();
    await assert.rejects(inFlight, isClientError('CLIENT_CLOSED'));
    await assert.rejects(client.call('steam.getAppList'), isClientError('CLIENT_CLOSED'));
  });

  test('rejects params that are not JSON without sending anything', async (t) => {
    const client = createClient({ path: socket() });
    t.after(() => client.close());
    await assert.rejects(client.call('steam.getNewsForApp', { appid: 10n }), /params and data must be JSON/);
    assert.equal(client.inFlight, 0);
  });

  test('fails in-flight calls with CONNECTION_LOST when the relay dies, and reconnects once it is back', async (t) => {
    const client = createClient<SteamRequests>({ path: socket() }, { reconnect: { attempts: 2, minDelayMs: 50 } });
    t.after(() => client.close());
    assert.equal((await client.call('steam.getNumberOfCurrentPlayers', { appid: 440 })).response.result, 1);
    const slowSoFar = () => upstream.received.filter((r) => r.url.includes('appid=999')).length;
    const before = slowSoFar();
    const inFlight = client.call('steam.getNewsForApp', { appid: 999 });
    // Wait until the relay has sent the slow request upstream, so that it is truly in flight.
    const deadline = Date.now() + 10_000;
    while (slowSoFar() === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const lost = assert.rejects(inFlight, isClientError('CONNECTION_LOST'));
    relay.child.kill('SIGKILL');
    await relay.stop();
    await lost;
    await assert.rejects(client.call('steam.getAppList'), isClientError('CONNECT_FAILED'));

    relay = await start();
    const apps = await client.call('steam.getAppList');
    assert.deepEqual(apps.applist.apps.map((a) => a.appid), [220, 440]);
  });
});

describe('what the client writes', () => {
  test('sends one JSON line per call with a fresh id, and {"cancel": id} when a call is aborted', async (t) => {
    const lines: string[] = [];
    const server = net.createServer((conn) => {
      let buffer = '';
      conn.on('data', (chunk) => {
        buffer += chunk.toString();
        let nl;
        while ((nl = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          lines.push(line);
          const msg = JSON.parse(line) as { id?: string; request?: string };
          // Answer the first request only: dispatched, then ok; leave the rest hanging.
          if (msg.request === 'steam.getAppList') conn.write(`{"status":"dispatched","id":"${msg.id}"}\n{"status":"ok","id":"${msg.id}","time":0.1,"code":200,"response":{"applist":{"apps":[]}}}\n`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = createClient<SteamRequests>({ port: (server.address() as net.AddressInfo).port });
    t.after(() => {
      client.close();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    assert.deepEqual(await client.call('steam.getAppList'), { applist: { apps: [] } });
    const controller = new AbortController();
    const hanging = client.call('steam.getNewsForApp', { appid: 440 }, { signal: controller.signal });
    while (lines.length < 2) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await assert.rejects(hanging, isClientError('ABORTED'));
    while (lines.length < 3) await new Promise((r) => setTimeout(r, 10));
    const [first, second, third] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(first, { request: 'steam.getAppList', id: first!.id });
    assert.deepEqual(second, { request: 'steam.getNewsForApp', id: second!.id, params: { appid: 440 } });
    assert.notEqual(first!.id, second!.id);
    assert.deepEqual(third, { cancel: second!.id });
  });
});
