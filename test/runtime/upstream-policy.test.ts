/**
 * Unit tests for the pure upstream policies: retry decisions and Retry-After, the rate limiter and
 * circuit breaker on an injected clock, redirect targets, allowed hosts, and policy resolution.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { resolveConfig } from '../../runtime/config.js';
import { RelayError } from '../../runtime/errors.js';
import type { OutgoingRequest } from '../../runtime/request.js';
import { hostAllowed } from '../../runtime/upstream/allowed-hosts.js';
import { CircuitBreaker } from '../../runtime/upstream/circuit-breaker.js';
import { resolveOperationPolicy, UPSTREAM_DEFAULTS } from '../../runtime/upstream/config.js';
import { RateLimiter } from '../../runtime/upstream/rate-limit.js';
import { redirectTarget } from '../../runtime/upstream/redirect.js';
import { backoffMs, isIdempotent, isRetryableStatus, parseRetryAfter } from '../../runtime/upstream/retry.js';

const RETRY = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

test('isIdempotent is true for GET, HEAD, OPTIONS, PUT, DELETE and false for POST and PATCH', () => {
  assert.deepEqual(
    ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'POST', 'PATCH', 'get'].map(isIdempotent),
    [true, true, true, true, true, false, false, true],
  );
});

test('isRetryableStatus is true for 429, 502, 503, 504 only', () => {
  assert.deepEqual([429, 502, 503, 504, 500, 501, 404, 200].map(isRetryableStatus), [true, true, true, true, false, false, false, false]);
});

test('backoffMs is full jitter: 0 at random 0, just under the doubled ceiling at random ~1, capped by maxDelayMs', () => {
  assert.equal(backoffMs(1, RETRY, () => 0), 0);
  assert.equal(backoffMs(1, RETRY, () => 0.999), 99);
  assert.equal(backoffMs(2, RETRY, () => 0.999), 199);
  assert.equal(backoffMs(3, RETRY, () => 0.5), 200);
  assert.equal(backoffMs(10, RETRY, () => 0.999), 999);
});

test('parseRetryAfter reads delay-seconds, an HTTP date, a past date as 0, and nothing else', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter(['7', '9'], now), 7000);
  assert.equal(parseRetryAfter(undefined, now), null);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter('-5', now), null);
});

/** Whether a promise has settled after pending callbacks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

test('RateLimiter gives the burst at once, queues the next, and refuses RATE_LIMITED past the queue', async () => {
  const clock = 0;
  const limiter = new RateLimiter('steam', { perSecond: 1, burst: 2, maxQueue: 1 }, () => clock);
  (await limiter.acquire())();
  (await limiter.acquire())();
  const third = limiter.acquire();
  assert.equal(await settled(third), false, 'no token left: it waits');
  assert.equal(limiter.queued, 1);
  await assert.rejects(limiter.acquire(), (err: RelayError) => err.code === 'RATE_LIMITED' && err.message === 'too many requests waiting for API steam (queue of 1 is full)');
  limiter.close(new Error('closed'));
  await assert.rejects(third, /closed/);
});

test('RateLimiter caps concurrency: a request waits for a slot and gets it when one is released', async () => {
  const limiter = new RateLimiter('api', { maxConcurrent: 1, maxQueue: 5 });
  const release = await limiter.acquire();
  const second = limiter.acquire();
  assert.equal(await settled(second), false);
  release();
  release(); // releasing twice frees one slot only
  const releaseSecond = await second;
  assert.equal(limiter.active, 1);
  releaseSecond();
  assert.equal(limiter.active, 0);
  limiter.close(null);
});

test('RateLimiter holds everything back during a pause', async () => {
  let clock = 0;
  const limiter = new RateLimiter('api', { maxQueue: 5 }, () => clock);
  limiter.pause(50);
  const waiting = limiter.acquire();
  assert.equal(await settled(waiting), false);
  clock = 50;
  assert.equal(typeof (await waiting), 'function', 'served once the pause is over');
  limiter.close(null);
});

test('RateLimiter drops a waiting request whose signal aborts, with the signal reason', async () => {
  const limiter = new RateLimiter('api', { maxConcurrent: 1, maxQueue: 5 });
  await limiter.acquire();
  const controller = new AbortController();
  const waiting = limiter.acquire(controller.signal);
  controller.abort(new Error('cancelled'));
  await assert.rejects(waiting, /cancelled/);
  assert.equal(limiter.queued, 0);
  limiter.close(null);
});

test('CircuitBreaker opens after the configured run of failures, half-opens after the cool-down, and one trial decides', () => {
  let clock = 0;
  const breaker = new CircuitBreaker('https://api.example.com', { failures: 3, cooldownMs: 1000 }, () => clock);
  breaker.failure();
  breaker.failure();
  breaker.success(); // a success resets the run
  for (let i = 0; i < 3; i++) {
    breaker.enter();
    breaker.failure();
  }
  assert.equal(breaker.state, 'open');
  clock = 400;
  assert.throws(() => breaker.enter(), (err: RelayError) => err.code === 'CIRCUIT_OPEN' && /https:\/\/api\.example\.com is open after 3 consecutive failures; failing fast for 600 ms more/.test(err.message));
  clock = 1000;
  assert.equal(breaker.state, 'half-open');
  breaker.enter(); // the trial
  assert.throws(() => breaker.enter(), (err: RelayError) => err.code === 'CIRCUIT_OPEN', 'one trial at a time');
  breaker.failure();
  assert.equal(breaker.state, 'open', 'a failed trial reopens');
  clock = 2000;
  breaker.enter();
  breaker.success();
  assert.equal(breaker.state, 'closed');
  breaker.enter();
});

test('CircuitBreaker with failures 0 never opens', () => {
  const breaker = new CircuitBreaker('o', { failures: 0, cooldownMs: 1000 });
  for (let i = 0; i < 100; i++) breaker.failure();
  breaker.enter();
  assert.equal(breaker.state, 'closed');
});

const REQ: OutgoingRequest = { origin: 'https://api.example.com', path: '/v1/items?x=1', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{}' };

test('redirectTarget follows a relative Location within the origin, keeping method and body for 307', () => {
  assert.deepEqual(redirectTarget(REQ, 307, '/v2/items', 'api.example.com'), { ...REQ, path: '/v2/items' });
});

test('redirectTarget turns a 303 into a GET without body or content-type', () => {
  assert.deepEqual(redirectTarget(REQ, 303, 'https://api.example.com/done?id=1', 'h'), { origin: REQ.origin, path: '/done?id=1', method: 'GET', headers: { accept: 'application/json' }, body: null });
});

test('redirectTarget refuses another host, scheme or port with REDIRECT_REFUSED', () => {
  for (const location of ['https://evil.example/x', 'http://api.example.com/x', 'https://api.example.com:8443/x', '//evil.example/x']) {
    const out = redirectTarget(REQ, 302, location, 'api.example.com');
    assert.ok(out instanceof RelayError && out.code === 'REDIRECT_REFUSED', location);
  }
});

test('hostAllowed matches host names, host:port, and *.domain subdomains, case-insensitively', () => {
  const allowed = ['API.example.com', '127.0.0.1:8080', '*.example.org', '[::1]:9000'];
  const cases: Array<[string, boolean]> = [
    ['https://api.example.com/v1', true],
    ['http://api.example.com:81', true],
    ['http://127.0.0.1:8080', true],
    ['http://127.0.0.1:8081', false],
    ['https://a.b.example.org', true],
    ['https://example.org', false],
    ['https://evil-example.org', false],
    ['http://[::1]:9000', true],
    ['https://api.example.com.evil.net', false],
  ];
  for (const [url, want] of cases) assert.equal(hostAllowed(new URL(url), allowed), want, url);
});

test('resolveOperationPolicy layers http defaults, the API and the operation', () => {
  const { config } = resolveConfig(
    {
      http: { connectTimeoutMs: 1111 },
      upstream: { retry: { attempts: 5 } },
      apis: { steam: { timeouts: { headersMs: 222 }, maxResponseBytes: 333, followRedirects: true, operations: { getAppList: { timeouts: { bodyMs: 44 }, retry: { attempts: 1 }, maxResponseBytes: 55 } } } },
    },
    {},
  );
  const api = config.apis.steam!;
  assert.deepEqual(resolveOperationPolicy(config, config.upstream, api, 'getAppList'), {
    timeouts: { connectMs: 1111, headersMs: 222, bodyMs: 44, totalMs: UPSTREAM_DEFAULTS.totalTimeoutMs },
    retry: { ...UPSTREAM_DEFAULTS.retry, attempts: 1 },
    maxResponseBytes: 55,
    followRedirects: true,
    maxRedirects: 5,
  });
  assert.deepEqual(resolveOperationPolicy(config, config.upstream, api, 'getNewsForApp').retry.attempts, 5);
  assert.equal(resolveOperationPolicy(config, config.upstream, api, 'getNewsForApp').maxResponseBytes, 333);
});

test('the config refuses a misspelt upstream key and a TLS version it does not know, naming the key', () => {
  assert.throws(() => resolveConfig({ apis: { steam: { retry: { attempt: 3 } } } }, {}), /apis\.steam\.retry\.attempt: unknown key/);
  assert.throws(() => resolveConfig({ apis: { steam: { tls: { minVersion: 'TLSv1' } } } }, {}), /apis\.steam\.tls\.minVersion/);
  assert.throws(() => resolveConfig({ apis: { steam: { tls: { verify: false } } } }, {}), /apis\.steam\.tls\.verify: unknown key/);
  assert.throws(() => resolveConfig({ apis: { steam: { timeouts: { totalMs: 2 ** 31 } } } }, {}), /apis\.steam\.timeouts\.totalMs: must be <= 2147483647/);
});

test("the README's upstream policy example is a valid config", async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```yaml\n(upstream:[\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a yaml block starting with upstream:');
  const { config } = resolveConfig(parseYaml(block[1]!), {});
  assert.equal(config.apis.steam!.rateLimit!.perSecond, 10);
  assert.equal(config.apis.steam!.operations!.getAppList!.maxResponseBytes, 52428800);
});
