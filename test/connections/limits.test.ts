/**
 * Limits against a hostile client: connection count, idle timeout, JSON nesting depth.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineClient } from '../support/line-client.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { startGatedUpstream, type GatedUpstream } from '../support/gated-upstream.js';

let tmp: string;
let upstream: GatedUpstream;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-limits-'));
  upstream = await startGatedUpstream({ hold: (url) => /appid=1(&|$)/.test(url) });
});
after(async () => {
  upstream.release();
  await upstream.close();
  await rm(tmp, { recursive: true, force: true });
});

async function relayWith(name: string, yaml: string): Promise<RelayProcess> {
  const config = path.join(tmp, `${name}.yaml`);
  await writeFile(config, yaml);
  return startRelay(['--tcp', '127.0.0.1:0', '--config', config, '--server', `steam=${upstream.url}`]);
}

const code = (reply: { response?: unknown }) => (reply.response as { code: string }).code;

describe('limits', () => {
  test('a connection past limits.maxConnections gets one TOO_MANY_CONNECTIONS line and is closed; others are served', async (t) => {
    const relay = await relayWith('conns', 'limits:\n  maxConnections: 2\n');
    t.after(() => relay.stop());
    const a = await LineClient.connect({ port: relay.port! });
    const b = await LineClient.connect({ port: relay.port! });
    t.after(() => {
      a.close();
      b.close();
    });
    // Make sure both are being served before the third arrives.
    for (const c of [a, b]) {
      c.send({ request: 'getAppList', id: 'x' });
      await c.take(2);
    }
    const c = await LineClient.connect({ port: relay.port! });
    assert.deepEqual(await c.next(), {
      status: 'error',
      id: null,
      response: { error: 'too many connections (limits.maxConnections is 2); closing', code: 'TOO_MANY_CONNECTIONS' },
    });
    await c.closed();
    a.close();
    await new Promise((r) => setTimeout(r, 100));
    const d = await LineClient.connect({ port: relay.port! });
    t.after(() => d.close());
    d.send({ request: 'getAppList', id: 'd' });
    assert.deepEqual((await d.take(2)).map((r) => r.status), ['dispatched', 'ok']);
  });

  test('an idle connection gets IDLE_TIMEOUT and is closed, but not while a request is in flight', async (t) => {
    const relay = await relayWith('idle', 'limits:\n  idleTimeoutMs: 300\n');
    t.after(() => relay.stop());
    const idle = await LineClient.connect({ port: relay.port! });
    const busy = await LineClient.connect({ port: relay.port! });
    t.after(() => {
      idle.close();
      busy.close();
    });
    const startedBefore = upstream.started;
    busy.send({ request: 'getNewsForApp', id: 'slow', params: { appid: 1 } });
    assert.equal((await busy.next()).status, 'dispatched');
    assert.deepEqual(await idle.next(5_000), {
      status: 'error',
      id: null,
      response: { error: 'no request for 300 ms (limits.idleTimeoutMs); closing', code: 'IDLE_TIMEOUT' },
    });
    await idle.closed();
    // The busy connection has outlived the timeout; it is still open and gets its reply.
    await new Promise((r) => setTimeout(r, 600));
    await upstream.until((u) => u.started >= startedBefore + 1);
    upstream.release();
    const final = await busy.next();
    assert.deepEqual([final.status, final.id], ['ok', 'slow']);
    // Then it is idle too.
    assert.equal(code(await busy.next(5_000)), 'IDLE_TIMEOUT');
  });

  test('a line nested deeper than limits.maxJsonDepth is refused TOO_DEEP before parsing; one at the limit is parsed', async (t) => {
    const relay = await relayWith('deep', 'limits:\n  maxJsonDepth: 4\n');
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send('{"request":"getAppList","id":"d5","params":{"a":{"b":[[1]]}}}');
    assert.deepEqual(await client.next(), {
      status: 'error',
      id: null,
      response: { error: 'JSON nested deeper than 4 levels (limits.maxJsonDepth)', code: 'TOO_DEEP' },
    });
    // Brackets inside strings do not count.
    client.send('{"request":"getAppList","id":"d4","params":{"a":{"b":["[[[[{{{{\\"]]"]}}}');
    assert.equal(code(await client.next()), 'UNKNOWN_PARAM');
    // Very deep input costs a linear scan, nothing more.
    client.send('['.repeat(500_000));
    assert.equal(code(await client.next()), 'TOO_DEEP');
    client.send({ request: 'getAppList', id: 'after' });
    assert.deepEqual((await client.take(2)).map((r) => r.status), ['dispatched', 'ok']);
  });

  test('the default depth cap (64) refuses a request nested 65 deep', async (t) => {
    const relay = await relayWith('deep-default', '{}\n');
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send(`{"request":"getAppList","id":1,"data":${'['.repeat(64)}${']'.repeat(64)}}`);
    assert.equal(code(await client.next()), 'TOO_DEEP');
    client.send(`{"request":"getAppList","id":1,"data":${'['.repeat(63)}${']'.repeat(63)}}`);
    assert.equal(code(await client.next()), 'UNEXPECTED_BODY');
  });
});
