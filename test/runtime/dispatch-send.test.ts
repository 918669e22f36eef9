/**
 * One HTTP exchange (runtime/dispatch.ts `send`) against a real loopback server: the collected
 * response, repeated headers, the size cap, the whole-body timeout, and aborting (in flight, and
 * while still queued behind a busy connection); and the cheap Abort of runtime/abort.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { Abort } from '../../runtime/abort.js';
import { send, type SendOptions } from '../../runtime/dispatch.js';
import { RelayError } from '../../runtime/errors.js';

let origin: string;
let server: http.Server;
const seen: string[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.url!);
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/json') {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(201, { 'content-type': 'application/json', 'x-one': 'é' });
      res.end('{"ok":true}');
    } else if (url.pathname === '/big') {
      res.end('x'.repeat(10_000));
    } else if (url.pathname === '/trickle') {
      // Headers at once, then a byte every 20 ms for a second: idle time never exceeds undici's bodyTimeout.
      res.writeHead(200, { 'content-type': 'text/plain' });
      let n = 0;
      const timer = setInterval(() => {
        if (res.destroyed || ++n > 50) {
          clearInterval(timer);
          res.end();
        } else res.write('.');
      }, 20);
    } else if (url.pathname === '/hang') {
      // Never answers; closed by the client.
    } else res.end('plain');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const options = (extra: Partial<SendOptions> = {}): SendOptions => ({ headersMs: 5_000, bodyMs: 5_000, maxBytes: 1_000_000, ...extra });
const get = (path: string) => ({ origin, path, method: 'GET', headers: {}, body: null });

test('send collects status, headers (repeated ones joined) and the body', async () => {
  const agent = new Agent();
  const res = await send(agent, get('/json'), 'test.host', options());
  assert.equal(res.status, 201);
  assert.equal(res.contentType, 'application/json');
  assert.equal(res.text, '{"ok":true}');
  assert.deepEqual(res.bytes, Buffer.from('{"ok":true}'));
  assert.equal(res.headers['set-cookie'], 'a=1, b=2');
  // Node writes header strings as latin1, and undici's rule reads them back the same way.
  assert.equal(res.headers['x-one'], 'é');
  await agent.close();
});

test('send refuses a body over the cap with RESPONSE_TOO_LARGE carrying the status', async () => {
  const agent = new Agent();
  await assert.rejects(send(agent, get('/big'), 'test.host', options({ maxBytes: 1_000 })), (err: RelayError) => {
    assert.equal(err.code, 'RESPONSE_TOO_LARGE');
    assert.equal(err.status, 200);
    return true;
  });
  await agent.close();
});

test('send ends a body that outlasts the whole-body timeout with BODY_TIMEOUT', async () => {
  const agent = new Agent();
  await assert.rejects(send(agent, get('/trickle'), 'test.host', options({ bodyMs: 200 })), (err: RelayError) => err.code === 'BODY_TIMEOUT');
  await agent.close();
});

test('send ends with the abort reason when aborted in flight', async () => {
  const agent = new Agent();
  const abort = new Abort();
  const pending = send(agent, get('/hang'), 'test.host', options({ signal: abort }));
  setTimeout(() => abort.abort(new RelayError('CANCELLED')), 50);
  await assert.rejects(pending, (err: RelayError) => err.code === 'CANCELLED');
  await agent.close();
});

test('a request queued behind a busy connection settles at once when aborted, and is never sent', async () => {
  const agent = new Agent({ connections: 1 });
  const first = send(agent, get('/hang?first'), 'test.host', options());
  first.catch(() => {});
  const abort = new Abort();
  const queued = send(agent, get('/plain?queued'), 'test.host', options({ signal: abort }));
  abort.abort(new RelayError('CANCELLED'));
  await assert.rejects(queued, (err: RelayError) => err.code === 'CANCELLED');
  await agent.destroy();
  await assert.rejects(first);
  assert.ok(!seen.includes('/plain?queued'), `sent anyway: ${seen.join(', ')}`);
});

test('send with an already aborted signal sends nothing', async () => {
  const agent = new Agent();
  const before = seen.length;
  await assert.rejects(send(agent, get('/plain?never'), 'test.host', options({ signal: AbortSignal.abort(new RelayError('CANCELLED')) })), (err: RelayError) => err.code === 'CANCELLED');
  assert.equal(seen.length, before);
  await agent.close();
});

test('Abort runs each listener once, in order, with the first reason only; removed listeners do not run', () => {
  const abort = new Abort();
  const calls: string[] = [];
  const removed = () => calls.push('removed');
  abort.addEventListener('abort', () => calls.push(`a:${String(abort.reason)}`));
  abort.addEventListener('abort', removed);
  abort.addEventListener('abort', () => calls.push('b'));
  abort.removeEventListener('abort', removed);
  abort.abort('first');
  abort.abort('second');
  abort.addEventListener('abort', () => calls.push('late'));
  assert.deepEqual(calls, ['a:first', 'b']);
  assert.equal(abort.aborted, true);
  assert.equal(abort.reason, 'first');
});
