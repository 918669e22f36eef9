/**
 * Cancellation, duplicate ids, and clients that go away: relay-run as a process, a loopback upstream
 * that holds some requests, clients on real sockets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineClient } from '../support/line-client.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { startGatedUpstream, type GatedUpstream } from '../support/gated-upstream.js';

/** appid 1 is held by the upstream until released; any other appid is answered at once. */
const held = (id: string | number) => ({ request: 'getNewsForApp', id, params: { appid: 1 } });
const fast = (id: string | number) => ({ request: 'getNewsForApp', id, params: { appid: 2 } });

describe('cancellation and duplicate ids', () => {
  let upstream: GatedUpstream;
  let relay: RelayProcess;

  before(async () => {
    upstream = await startGatedUpstream({ hold: (url) => /appid=1(&|$)/.test(url) });
    relay = await startRelay(['--tcp', '127.0.0.1:0', '--server', `steam=${upstream.url}`]);
  });
  after(async () => {
    upstream.release();
    await relay.stop();
    await upstream.close();
  });

  test('a cancel line gives the in-flight request a CANCELLED final reply and aborts it upstream', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const abortedBefore = upstream.aborted;
    const startedBefore = upstream.started;
    client.send(held('c1'));
    assert.deepEqual(await client.next(), { status: 'dispatched', id: 'c1' });
    await upstream.until((u) => u.started === startedBefore + 1);
    client.send({ cancel: 'c1' });
    const final = await client.next();
    assert.equal(typeof final.time, 'number');
    assert.deepEqual({ ...final, time: 0 }, {
      status: 'error',
      id: 'c1',
      time: 0,
      code: null,
      // The request was upstream when it was stopped: one attempt in progress.
      attempts: 1,
      response: { error: 'request cancelled by the client', code: 'CANCELLED' },
    });
    await upstream.until((u) => u.aborted === abortedBefore + 1);
    // Nothing more for c1: the next two lines belong to the next request.
    client.send(fast('after'));
    assert.deepEqual((await client.take(2)).map((r) => `${r.status}:${r.id}`), ['dispatched:after', 'ok:after']);
  });

  test('a cancel for an id not in flight gets one NOT_IN_FLIGHT line that names the id in "cancel"', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send({ cancel: 'nope' });
    assert.deepEqual(await client.next(), {
      status: 'error',
      id: null,
      cancel: 'nope',
      response: { error: 'no request with id "nope" is in flight on this connection', code: 'NOT_IN_FLIGHT' },
    });
    // A finished request is no longer in flight either.
    client.send(fast(5));
    await client.take(2);
    client.send({ cancel: 5 });
    const reply = await client.next();
    assert.equal(reply.id, null);
    assert.equal((reply as { cancel?: unknown }).cancel, 5);
    assert.equal((reply.response as { code: string }).code, 'NOT_IN_FLIGHT');
  });

  test('cancel lines of the wrong shape are refused with a specific code', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const cases: Array<[string, string]> = [
      ['{"cancel":{"a":1}}', 'INVALID_ID'],
      ['{"cancel":null}', 'INVALID_ID'],
      ['{"cancel":"x","extra":1}', 'INVALID_FIELD'],
      ['{"request":"getAppList","id":"q","cancel":"x"}', 'INVALID_FIELD'],
    ];
    for (const [line, code] of cases) {
      client.send(line);
      assert.equal(((await client.next()).response as { code: string }).code, code, line);
    }
  });

  test('a cancel on one connection does not touch a request with the same id on another', async (t) => {
    const a = await LineClient.connect({ port: relay.port! });
    const b = await LineClient.connect({ port: relay.port! });
    t.after(() => {
      a.close();
      b.close();
    });
    a.send(held('shared'));
    assert.equal((await a.next()).status, 'dispatched');
    b.send({ cancel: 'shared' });
    assert.equal(((await b.next()).response as { code: string }).code, 'NOT_IN_FLIGHT');
    a.send({ cancel: 'shared' });
    assert.equal(((await a.next()).response as { code: string }).code, 'CANCELLED');
  });

  test('refuses a duplicate id while the first is in flight with DUPLICATE_ID, and takes it again once answered', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const startedBefore = upstream.started;
    client.send(held('d'));
    assert.deepEqual(await client.next(), { status: 'dispatched', id: 'd' });
    client.send(fast('d'));
    assert.deepEqual(await client.next(), {
      status: 'error',
      id: 'd',
      response: { error: 'a request with id "d" is already in flight on this connection', code: 'DUPLICATE_ID' },
    });
    // "1" and 1 are different ids.
    client.send(held('1'));
    client.send(fast(1));
    const replies = await client.take(3);
    assert.deepEqual(replies.map((r) => `${r.status}:${JSON.stringify(r.id)}`), ['dispatched:"1"', 'dispatched:1', 'ok:1']);
    assert.equal(upstream.started, startedBefore + 3, 'the duplicate was never sent');
    client.send({ cancel: 'd' });
    assert.equal(((await client.next()).response as { code: string }).code, 'CANCELLED');
    client.send(fast('d'));
    assert.deepEqual((await client.take(2)).map((r) => `${r.status}:${r.id}`), ['dispatched:d', 'ok:d']);
    client.send({ cancel: '1' });
    assert.equal((await client.next()).id, '1');
  });

  test('aborts upstream the requests of a client that resets its connection, and keeps serving others', async (t) => {
    const other = await LineClient.connect({ port: relay.port! });
    t.after(() => other.close());
    const gone = await LineClient.connect({ port: relay.port! });
    const abortedBefore = upstream.aborted;
    const startedBefore = upstream.started;
    for (const id of ['g1', 'g2', 'g3']) gone.send(held(id));
    await gone.take(3);
    await upstream.until((u) => u.started === startedBefore + 3);
    gone.socket.resetAndDestroy();
    await upstream.until((u) => u.aborted === abortedBefore + 3);
    other.send(fast('still'));
    assert.deepEqual((await other.take(2)).map((r) => `${r.status}:${r.id}`), ['dispatched:still', 'ok:still']);
  });

  test('answers every request of a client that half-closes while they are in flight, then closes', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const startedBefore = upstream.started;
    client.socket.end(`${JSON.stringify(held('h1'))}\n${JSON.stringify(held('h2'))}\n`);
    await client.take(2);
    await upstream.until((u) => u.started === startedBefore + 2);
    upstream.release();
    const finals = await client.take(2);
    assert.deepEqual(finals.map((r) => `${r.status}:${r.id}`).sort(), ['ok:h1', 'ok:h2']);
    await client.closed();
  });
});

describe('attempts in the reply of a cancelled request', () => {
  let upstream: GatedUpstream;
  let relay: RelayProcess;
  let tmp: string;

  before(async () => {
    upstream = await startGatedUpstream({ hold: (url) => /appid=1(&|$)/.test(url) });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-cancel-'));
    // One request at a time to the API: a second waits in the rate limiter, unsent.
    const config = path.join(tmp, 'one-at-a-time.yaml');
    await writeFile(config, 'listen:\n  tcp: 127.0.0.1:0\napis:\n  steam:\n    rateLimit: { maxConcurrent: 1, maxQueue: 10 }\n');
    relay = await startRelay(['--config', config, '--server', `steam=${upstream.url}`]);
  });
  after(async () => {
    upstream.release();
    await relay.stop();
    await upstream.close();
    await rm(tmp, { recursive: true, force: true });
  });

  test('counts the tries made: 0 for a request still waiting its turn, 1 for the one upstream', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const startedBefore = upstream.started;
    client.send(held('sent'));
    await upstream.until((u) => u.started === startedBefore + 1);
    client.send(held('waiting'));
    assert.deepEqual((await client.take(2)).map((r) => `${r.status}:${r.id}`), ['dispatched:sent', 'dispatched:waiting']);
    client.send({ cancel: 'waiting' });
    const waiting = await client.next();
    const attempts = (reply: object) => (reply as { attempts?: number }).attempts;
    assert.deepEqual([waiting.id, (waiting.response as { code: string }).code, attempts(waiting)], ['waiting', 'CANCELLED', 0]);
    client.send({ cancel: 'sent' });
    const sent = await client.next();
    assert.deepEqual([sent.id, (sent.response as { code: string }).code, attempts(sent)], ['sent', 'CANCELLED', 1]);
    assert.equal(upstream.started, startedBefore + 1, 'the waiting request was never sent');
  });
});
