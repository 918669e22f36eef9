/**
 * Upstream.execute in process, against the fault-injecting upstream on loopback: the caller's
 * abort signal (the hook for cancellation), a 429 that pauses the whole API, and dispatcher sharing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generate } from '../../generator/index.js';
import { Catalog, type CompiledOperation } from '../../runtime/catalog.js';
import { resolveConfig } from '../../runtime/config.js';
import { RelayError } from '../../runtime/errors.js';
import { loadModule } from '../../runtime/loader.js';
import { buildRequest } from '../../runtime/request.js';
import { Upstream } from '../../runtime/upstream/upstream.js';
import { startFaultyUpstream, type FaultyUpstream } from '../support/faulty-upstream.js';
import { ROOT } from '../support/relay-process.js';

let tmp: string;
let faulty: FaultyUpstream;
let upstream: Upstream;
let fault: CompiledOperation;
let table: Awaited<ReturnType<typeof loadModule>>;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-execute-'));
  const out = await generate(path.join(ROOT, 'test/fixtures/e2e/faulty.yaml'), { outDir: tmp, name: 'faulty' });
  await writeFile(out.file, out.text);
  table = await loadModule(out.file);
  faulty = await startFaultyUpstream();
  const { config } = resolveConfig({ apis: { faulty: { server: faulty.url, retry: { attempts: 1 } } } }, {});
  const catalog = new Catalog({ tables: [table], apis: config.apis, presets: {} });
  upstream = new Upstream({ operations: catalog.operations, config, tls: new Map() });
  fault = catalog.lookup('faulty.fault').op;
});

after(async () => {
  await upstream?.close();
  await faulty?.close();
  await rm(tmp, { recursive: true, force: true });
});

function request(params: Record<string, unknown>) {
  return buildRequest(fault, params, false, undefined);
}

test('execute ends with the abort reason of the caller signal, after the one attempt in flight', async () => {
  const controller = new AbortController();
  const pending = upstream.execute(fault, request({ mode: 'slow-headers', tag: 'a1', ms: 5000 }), { signal: controller.signal });
  while (faulty.hits('slow-headers/a1') === 0) await new Promise((r) => setTimeout(r, 10));
  const reason = new RelayError('UPSTREAM_FAILED', ['x', 'cancelled by the client']);
  controller.abort(reason);
  const out = await pending;
  assert.equal(out.ok, false);
  assert.ok(!out.ok);
  assert.equal(out.error, reason);
  assert.equal(out.attempts, 1);
});

test('execute with an already aborted signal sends nothing', async () => {
  const out = await upstream.execute(fault, request({ mode: 'ok', tag: 'a2' }), { signal: AbortSignal.abort(new RelayError('UPSTREAM_FAILED', ['x', 'gone'])) });
  assert.equal(out.ok, false);
  assert.equal(out.attempts, 0);
  assert.equal(faulty.hits('ok/a2'), 0);
});

test('a 429 with Retry-After holds back the next request of the same API until it has passed', async () => {
  const first = await upstream.execute(fault, request({ mode: 'retry-after', tag: 'p1', fail: 1, retryAfter: '1' }));
  assert.ok(first.ok);
  assert.equal(first.response.status, 429);
  const second = await upstream.execute(fault, request({ mode: 'ok', tag: 'p2' }));
  assert.ok(second.ok);
  assert.equal(second.response.status, 200);
  const [limitedAt] = faulty.arrivals('retry-after/p1');
  const [nextAt] = faulty.arrivals('ok/p2');
  // A lower bound that relay itself enforces; no upper bound is asserted.
  assert.ok(nextAt! - limitedAt! >= 950, `next request after ${nextAt! - limitedAt!} ms`);
});

test('the policy of an operation is resolved once and reported', () => {
  const policy = upstream.policy(fault);
  assert.equal(policy.retry.attempts, 1);
  assert.equal(policy.followRedirects, false);
  assert.equal(policy.maxResponseBytes, 10 * 1024 * 1024);
});

test('an Upstream that replaces another keeps its limiter when the settings are unchanged: the 429 pause carries over, and closing the old one spares it', async () => {
  const { config } = resolveConfig({ apis: { faulty: { server: faulty.url, retry: { attempts: 1 } } } }, {});
  const catalog = new Catalog({ tables: [table], apis: config.apis, presets: {} });
  const old = new Upstream({ operations: catalog.operations, config, tls: new Map() });
  const op = catalog.lookup('faulty.fault').op;
  const first = await old.execute(op, buildRequest(op, { mode: 'retry-after', tag: 'r1', fail: 1, retryAfter: '1' }, false, undefined));
  assert.ok(first.ok && first.response.status === 429);
  const next = new Upstream({ operations: catalog.operations, config, tls: new Map(), previous: old });
  const pending = next.execute(op, buildRequest(op, { mode: 'ok', tag: 'r2' }, false, undefined));
  // The old Upstream closes once its requests are done; the request waiting in the shared limiter is not refused.
  await old.close();
  const second = await pending;
  await next.close();
  assert.ok(second.ok, second.ok ? '' : second.error.message);
  assert.equal(second.response.status, 200);
  const [limitedAt] = faulty.arrivals('retry-after/r1');
  const [nextAt] = faulty.arrivals('ok/r2');
  assert.ok(nextAt! - limitedAt! >= 950, `the request after the reload went ${nextAt! - limitedAt!} ms after the 429`);
});

test('an Upstream that replaces another starts a fresh limiter when the settings changed: the old pause does not hold it back', async () => {
  const before = resolveConfig({ apis: { faulty: { server: faulty.url, retry: { attempts: 1 } } } }, {}).config;
  const after = resolveConfig({ apis: { faulty: { server: faulty.url, retry: { attempts: 1 }, rateLimit: { maxQueue: 50 } } } }, {}).config;
  const catalog = new Catalog({ tables: [table], apis: before.apis, presets: {} });
  const old = new Upstream({ operations: catalog.operations, config: before, tls: new Map() });
  const op = catalog.lookup('faulty.fault').op;
  const first = await old.execute(op, buildRequest(op, { mode: 'retry-after', tag: 'f1', fail: 1, retryAfter: '3' }, false, undefined));
  assert.ok(first.ok && first.response.status === 429);
  const next = new Upstream({ operations: catalog.operations, config: after, tls: new Map(), previous: old });
  // The old limiter's next request waits out the 3 s pause; the new limiter's goes first.
  const held = old.execute(op, buildRequest(op, { mode: 'ok', tag: 'f2' }, false, undefined));
  const fresh = await next.execute(op, buildRequest(op, { mode: 'ok', tag: 'f3' }, false, undefined));
  assert.ok(fresh.ok && fresh.response.status === 200);
  assert.equal(faulty.hits('ok/f2'), 0, 'the old pause still holds the old limiter');
  assert.ok((await held).ok);
  await Promise.all([old.close(), next.close()]);
});
