/**
 * End to end against a fault-injecting upstream: every fault gives one clear final reply with its
 * attempts, and the relay keeps serving. One relay-run process serves several copies of the
 * faulty API, each with its own upstream policy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generate } from '../../generator/index.js';
import { startFaultyUpstream, type FaultyUpstream } from '../support/faulty-upstream.js';
import { LineClient, type ReplyLine } from '../support/line-client.js';
import { ROOT, runRelay, startRelay, type RelayProcess } from '../support/relay-process.js';
import { closedPort } from '../support/upstream.js';

const CONFIG = `
upstream:
  retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2000 }
apis:
  faulty:
    allowedHosts: [127.0.0.1]
    timeouts: { connectMs: 2000, headersMs: 300, bodyMs: 400, totalMs: 8000 }
    maxResponseBytes: 100000
    circuitBreaker: { failures: 0 }
    operations:
      small: { maxResponseBytes: 1000 }
  refused:
    circuitBreaker: { failures: 0 }
  nodns: {}
  brk:
    retry: { attempts: 1 }
    circuitBreaker: { failures: 3, cooldownMs: 1500 }
  redir:
    followRedirects: true
  limited:
    timeouts: { headersMs: 5000 }
    rateLimit: { maxConcurrent: 1, maxQueue: 1 }
`;

const APIS = ['faulty', 'refused', 'nodns', 'brk', 'redir', 'limited'];

let tmp: string;
let modules: string[];
let upstream: FaultyUpstream;
let other: FaultyUpstream;
let relay: RelayProcess;
let client: LineClient;
let refusedPort: number;
let n = 0;

/** Send one request and return its final reply (after checking that `dispatched` came first). */
async function call(request: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<ReplyLine & { attempts?: number }> {
  const id = `r${++n}`;
  client.send({ request, id, params, ...extra });
  const replies: ReplyLine[] = [];
  while (!replies.some((r) => r.id === id && r.status !== 'dispatched')) replies.push(await client.next(15_000));
  const mine = replies.filter((r) => r.id === id);
  assert.equal(mine[0]!.status, 'dispatched');
  return mine.at(-1)!;
}

function errorCode(reply: ReplyLine): string | undefined {
  return (reply.response as { code?: string } | null)?.code;
}

/** The relay still answers an ordinary request on the same connection. */
async function stillServing(): Promise<void> {
  const reply = await call('faulty.fault', { mode: 'ok', tag: `alive${n}` });
  assert.equal(reply.status, 'ok', JSON.stringify(reply));
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-faults-'));
  modules = [];
  for (const name of APIS) {
    const out = await generate(path.join(ROOT, 'test/fixtures/e2e/faulty.yaml'), { outDir: tmp, name });
    await writeFile(out.file, out.text);
    modules.push(out.file);
  }
  await writeFile(path.join(tmp, 'relay.yaml'), CONFIG);
  upstream = await startFaultyUpstream();
  other = await startFaultyUpstream();
  refusedPort = await closedPort();
  relay = await startRelay([
    '--tcp', '127.0.0.1:0', '--config', path.join(tmp, 'relay.yaml'),
    '--server', `faulty=${upstream.url}`,
    '--server', `refused=http://127.0.0.1:${refusedPort}`,
    '--server', 'nodns=http://relay-test.invalid',
    '--server', `brk=${other.url}`,
    '--server', `redir=${upstream.url}`,
    '--server', `limited=${upstream.url}`,
    ...modules,
  ]);
  client = await LineClient.connect({ port: relay.port! });
});

after(async () => {
  client?.close();
  await relay?.stop();
  await upstream?.close();
  await other?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('faults without an HTTP status', () => {
  test('a refused port gives CONNECT_REFUSED after 3 attempts', async () => {
    const reply = await call('refused.fault', { mode: 'ok', tag: 'x' });
    assert.deepEqual(
      { status: reply.status, code: reply.code, attempts: reply.attempts, response: reply.response },
      { status: 'error', code: null, attempts: 3, response: { error: `connection refused by 127.0.0.1:${refusedPort}`, code: 'CONNECT_REFUSED' } },
    );
    await stillServing();
  });

  test('an unresolvable .invalid host gives DNS_FAILED at once, without retries', async () => {
    const reply = await call('nodns.fault', { mode: 'ok', tag: 'x' });
    assert.deepEqual(
      { status: reply.status, code: reply.code, attempts: reply.attempts, response: reply.response },
      { status: 'error', code: null, attempts: 1, response: { error: 'could not resolve host relay-test.invalid', code: 'DNS_FAILED' } },
    );
    await stillServing();
  });

  test('a connection reset mid-body gives CONNECTION_RESET after 3 attempts', async () => {
    const reply = await call('faulty.fault', { mode: 'reset', tag: 'r1' });
    assert.equal(errorCode(reply), 'CONNECTION_RESET', JSON.stringify(reply));
    assert.equal(reply.attempts, 3);
    assert.equal(upstream.hits('reset/r1'), 3);
    assert.match((reply.response as { error: string }).error, new RegExp(`127\\.0\\.0\\.1:${upstream.port}`));
    await stillServing();
  });

  test('slow headers give HEADERS_TIMEOUT, not retried', async () => {
    const reply = await call('faulty.fault', { mode: 'slow-headers', tag: 'h1', ms: 3000 });
    assert.deepEqual(reply.response, { error: `timed out waiting for response headers from 127.0.0.1:${upstream.port}`, code: 'HEADERS_TIMEOUT' });
    assert.equal(reply.attempts, 1);
    await stillServing();
  });

  test('a body that keeps trickling past bodyMs gives BODY_TIMEOUT (whole body, not idle time), while other requests are served', async () => {
    const slowId = `r${++n}`;
    client.send({ request: 'faulty.fault', id: slowId, params: { mode: 'slow-body', tag: 'b1', ms: 4000 } });
    const fastId = `r${++n}`;
    client.send({ request: 'faulty.fault', id: fastId, params: { mode: 'ok', tag: 'b1' } });
    const replies = await client.take(4, 15_000);
    const finals = replies.filter((r) => r.status !== 'dispatched');
    assert.deepEqual(finals.map((r) => r.id), [fastId, slowId], 'the ok request is not held up by the slow body');
    const slow = finals[1] as ReplyLine & { attempts: number };
    assert.deepEqual(slow.response, { error: `timed out reading the response body from 127.0.0.1:${upstream.port}`, code: 'BODY_TIMEOUT' });
    assert.equal(slow.attempts, 1);
  });

  test('the request line timeout sets a shorter deadline: REQUEST_TIMEOUT', async () => {
    const reply = await call('limited.fault', { mode: 'slow-headers', tag: 'd1', ms: 3000 }, { timeout: 200 });
    assert.deepEqual(reply.response, { error: `no final response from 127.0.0.1:${upstream.port} within the 200 ms deadline`, code: 'REQUEST_TIMEOUT' });
    assert.equal(reply.attempts, 1);
    await stillServing();
  });
});

describe('retries', () => {
  test('a 503 storm then recovery: ok on the third attempt', async () => {
    const reply = await call('faulty.fault', { mode: 'storm', tag: 's1', fail: 2, status: 503 });
    assert.deepEqual({ status: reply.status, code: reply.code, attempts: reply.attempts }, { status: 'ok', code: 200, attempts: 3 });
    assert.equal(upstream.hits('storm/s1'), 3);
  });

  test('a storm longer than the attempts gives the last 502 with attempts 3', async () => {
    const reply = await call('faulty.fault', { mode: 'storm', tag: 's2', fail: 10, status: 502 });
    assert.deepEqual({ status: reply.status, code: reply.code, attempts: reply.attempts }, { status: 'error', code: 502, attempts: 3 });
    await stillServing();
  });

  test('a 500 is not retried: only 502, 503, 504 and 429 are', async () => {
    const reply = await call('faulty.fault', { mode: 'storm', tag: 's3', fail: 1, status: 500 });
    assert.deepEqual({ status: reply.status, code: reply.code, attempts: reply.attempts }, { status: 'error', code: 500, attempts: 1 });
  });

  test('a POST is never retried', async () => {
    const reply = await call('faulty.faultPost', { mode: 'storm', tag: 'p1', fail: 1, status: 503 });
    assert.deepEqual({ status: reply.status, code: reply.code, attempts: reply.attempts }, { status: 'error', code: 503, attempts: 1 });
    assert.equal(upstream.hits('storm/p1'), 1);
  });

  test('a 429 with Retry-After: 1 is retried no sooner than a second later', async () => {
    const reply = await call('faulty.fault', { mode: 'retry-after', tag: 'ra1', fail: 1, retryAfter: '1' });
    assert.deepEqual({ status: reply.status, code: reply.code, attempts: reply.attempts }, { status: 'ok', code: 200, attempts: 2 });
    const [first, second] = upstream.arrivals('retry-after/ra1');
    // A lower bound that relay itself enforces; no upper bound is asserted.
    assert.ok(second! - first! >= 950, `retried after ${second! - first!} ms`);
  });

  test('a Retry-After beyond the cap is not waited for: the 429 is the reply', async () => {
    const reply = await call('faulty.fault', { mode: 'retry-after', tag: 'ra2', fail: 1, retryAfter: '3600' });
    assert.deepEqual({ status: reply.status, code: reply.code, attempts: reply.attempts }, { status: 'error', code: 429, attempts: 1 });
    await stillServing();
  });
});

describe('response size', () => {
  test('a body over the API cap is cut off with RESPONSE_TOO_LARGE and keeps its status', async () => {
    const reply = await call('faulty.fault', { mode: 'big', tag: 'g1', bytes: 200_000 });
    assert.deepEqual(
      { code: reply.code, attempts: reply.attempts, response: reply.response },
      { code: 200, attempts: 1, response: { error: `response from 127.0.0.1:${upstream.port} is larger than 100000 bytes; cut off`, code: 'RESPONSE_TOO_LARGE' } },
    );
    await stillServing();
  });

  test('an operation override of the cap applies to that operation only', async () => {
    assert.equal(errorCode(await call('faulty.small', { tag: 'g2', bytes: 5000 })), 'RESPONSE_TOO_LARGE');
    assert.equal((await call('faulty.small', { tag: 'g3', bytes: 900 })).status, 'ok');
    assert.equal((await call('faulty.fault', { mode: 'big', tag: 'g4', bytes: 5000 })).code, 200);
  });
});

describe('circuit breaker', () => {
  test('opens after 3 failures, fails fast with CIRCUIT_OPEN, leaves other APIs alone, and closes after a good trial', async () => {
    for (let i = 0; i < 3; i++) {
      const reply = await call('brk.fault', { mode: 'storm', tag: 'c1', fail: 3, status: 503 });
      assert.equal(reply.code, 503);
    }
    const open = await call('brk.fault', { mode: 'storm', tag: 'c1', fail: 3, status: 503 });
    assert.equal(errorCode(open), 'CIRCUIT_OPEN', JSON.stringify(open));
    assert.equal(open.attempts, 0, 'nothing was sent');
    assert.match((open.response as { error: string }).error, new RegExp(`^circuit for http://127\\.0\\.0\\.1:${other.port} is open after 3 consecutive failures`));
    assert.equal(other.hits('storm/c1'), 3);
    await stillServing();
    // After the cool-down, one trial goes through; the upstream has recovered, so it closes.
    let reply = open;
    for (let i = 0; i < 200 && errorCode(reply) === 'CIRCUIT_OPEN'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      reply = await call('brk.fault', { mode: 'storm', tag: 'c1', fail: 3, status: 503 });
    }
    assert.deepEqual({ status: reply.status, code: reply.code }, { status: 'ok', code: 200 });
    assert.equal((await call('brk.fault', { mode: 'ok', tag: 'c2' })).status, 'ok');
  });
});

describe('rate limits', () => {
  test('with one slot and a queue of one, a third concurrent request is refused RATE_LIMITED; the queued one is served', async () => {
    const ids = [`r${++n}`, `r${++n}`, `r${++n}`];
    for (const id of ids) client.send({ request: 'limited.fault', id, params: { mode: 'slow-headers', tag: 'q1', ms: 500 } });
    const replies = await client.take(6, 15_000);
    const finals = new Map(replies.filter((r) => r.status !== 'dispatched').map((r) => [r.id, r as ReplyLine & { attempts: number }]));
    assert.equal(finals.size, 3);
    const limited = [...finals.values()].filter((r) => errorCode(r) === 'RATE_LIMITED');
    assert.equal(limited.length, 1, JSON.stringify([...finals.values()]));
    assert.equal(limited[0]!.attempts, 0);
    assert.equal((limited[0]!.response as { error: string }).error, 'too many requests waiting for API limited (queue of 1 is full)');
    assert.equal([...finals.values()].filter((r) => r.status === 'ok').length, 2);
    assert.equal(upstream.hits('slow-headers/q1'), 2);
  });
});

describe('redirects', () => {
  test('are not followed by default: the 302 is the reply', async () => {
    const reply = await call('faulty.fault', { mode: 'redirect', tag: 'x1', to: '/f/ok/x1' });
    assert.deepEqual({ status: reply.status, code: reply.code, attempts: reply.attempts }, { status: 'error', code: 302, attempts: 1 });
    assert.equal(upstream.hits('ok/x1'), 0);
  });

  test('are followed within the same origin when the API allows it', async () => {
    const reply = await call('redir.fault', { mode: 'redirect', tag: 'x2', status: 307, to: '/f/ok/x2' });
    assert.deepEqual({ status: reply.status, code: reply.code, attempts: reply.attempts }, { status: 'ok', code: 200, attempts: 1 });
    assert.deepEqual(reply.response, { mode: 'ok', tag: 'x2', hit: 1 });
  });

  test('to another origin are refused with REDIRECT_REFUSED, and the other origin is never called', async () => {
    const to = `http://localhost:${upstream.port}/f/ok/x3`;
    const reply = await call('redir.fault', { mode: 'redirect', tag: 'x3', to });
    assert.equal(errorCode(reply), 'REDIRECT_REFUSED');
    assert.match((reply.response as { error: string }).error, /another origin \(http:\/\/localhost:\d+\)/);
    assert.equal(upstream.hits('ok/x3'), 0);
    await stillServing();
  });
});

describe('start-up checks', () => {
  test('a --server outside allowedHosts stops the relay with the key, the server and the list', async () => {
    const config = path.join(tmp, 'allowed.yaml');
    await writeFile(config, 'apis:\n  faulty:\n    allowedHosts: [api.example.com, "*.example.org"]\n');
    const run = await runRelay(['--tcp', '127.0.0.1:0', '--config', config, '--server', 'faulty=http://127.0.0.1:9', modules[0]!]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /config apis\.faulty\.allowedHosts: API faulty would call http:\/\/127\.0\.0\.1:9, which is not allowed \(allowed: api\.example\.com, \*\.example\.org\)/);
  });

  test('an operation override for an operation the API lacks stops the relay', async () => {
    const config = path.join(tmp, 'badop.yaml');
    await writeFile(config, 'apis:\n  faulty:\n    operations:\n      nope: { maxResponseBytes: 10 }\n');
    const run = await runRelay(['--tcp', '127.0.0.1:0', '--config', config, modules[0]!]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /config apis\.faulty\.operations\.nope: API faulty has no operation nope/);
  });
});
