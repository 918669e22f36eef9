/**
 * Unit tests for runtime/oauth2.ts against a real loopback token endpoint.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent, type Dispatcher } from 'undici';
import { RelayError } from '../../runtime/errors.js';
import { TokenSource, sendAuthorized } from '../../runtime/oauth2.js';
import { startUpstream, type Reply, type Upstream } from '../support/upstream.js';

let upstream: Upstream;
let answer: () => Reply = () => ({ body: { access_token: 'a', expires_in: 3600 } });
const dispatcher = new Agent();

before(async () => {
  upstream = await startUpstream(() => answer());
});
after(async () => {
  await upstream.close();
  await dispatcher.close();
});

const creds = { clientId: 'my id', clientSecret: 's3cr:et' };

test('posts grant_type=client_credentials with the client id and secret in HTTP basic, form-encoded first', async () => {
  let n = 0;
  answer = () => ({ body: { access_token: `t${++n}`, expires_in: 3600 } });
  const source = new TokenSource('m', `${upstream.url}/token`, { ...creds, scopes: ['a', 'b'] });
  const before = upstream.received.length;
  assert.equal(await source.token(dispatcher, false), 't1');
  const got = upstream.received[before]!;
  assert.equal(got.method, 'POST');
  assert.equal(got.url, '/token');
  assert.equal(got.body, 'grant_type=client_credentials&scope=a+b');
  assert.equal(got.headers.authorization, `Basic ${Buffer.from('my+id:s3cr%3Aet').toString('base64')}`);
});

test('sends the client id and secret as form fields with clientAuth body', async () => {
  answer = () => ({ body: { access_token: 'x', expires_in: 60 } });
  const source = new TokenSource('m', `${upstream.url}/token`, { ...creds, clientAuth: 'body' });
  const before = upstream.received.length;
  await source.token(dispatcher, false);
  const got = upstream.received[before]!;
  assert.equal(got.body, 'grant_type=client_credentials&client_id=my+id&client_secret=s3cr%3Aet');
  assert.equal(got.headers.authorization, undefined);
});

test('caches the token until shortly before it expires, then fetches a new one', async () => {
  let n = 0;
  answer = () => ({ body: { access_token: `c${++n}`, expires_in: 120 } });
  const source = new TokenSource('m', `${upstream.url}/token`, creds);
  const now = Date.now();
  assert.equal(await source.token(dispatcher, false, now), 'c1');
  assert.equal(await source.token(dispatcher, false, now + 60_000), 'c1');
  // 120 s lifetime minus the 30 s margin: at 100 s it is renewed.
  assert.equal(await source.token(dispatcher, false, now + 100_000), 'c2');
});

test('shares one fetch among concurrent requests', async () => {
  let n = 0;
  answer = () => ({ body: { access_token: `p${++n}` }, delay: 50 });
  const source = new TokenSource('m', `${upstream.url}/token`, creds);
  const tokens = await Promise.all([1, 2, 3].map(() => source.token(dispatcher, false)));
  assert.deepEqual(tokens, ['p1', 'p1', 'p1']);
});

test('refuses AUTH_FAILED naming the scheme, host and OAuth2 error, never the secret', async () => {
  answer = () => ({ status: 401, body: { error: 'invalid_client', error_description: `bad secret ${creds.clientSecret}` } });
  const source = new TokenSource('machine', `${upstream.url}/token`, creds);
  await assert.rejects(source.token(dispatcher, false), (err: unknown) => {
    assert.ok(err instanceof RelayError);
    assert.equal(err.code, 'AUTH_FAILED');
    assert.equal(err.message, `could not get an OAuth2 token for security scheme machine from 127.0.0.1:${upstream.port}: token endpoint answered 401 (invalid_client)`);
    return true;
  });
});

test('refuses AUTH_FAILED for a token response without access_token', async () => {
  answer = () => ({ body: { token_type: 'bearer' } });
  const source = new TokenSource('m', `${upstream.url}/token`, creds);
  await assert.rejects(source.token(dispatcher, false), /has no access_token/);
});

test('sendAuthorized fetches a new token and sends once more after a 401, and no more', async () => {
  let n = 0;
  answer = () => ({ body: { access_token: `r${++n}`, expires_in: 3600 } });
  const source = new TokenSource('m', `${upstream.url}/token`, creds);
  const headers: Record<string, string> = {};
  const seen: string[] = [];
  const req = { headers, authorize: async (h: Record<string, string>, refresh: boolean, d: Dispatcher) => void (h.authorization = `Bearer ${await source.token(d, refresh)}`) };
  const res = await sendAuthorized(req, dispatcher, async () => {
    seen.push(headers.authorization!);
    return { status: 401 };
  });
  assert.equal(res.status, 401);
  assert.deepEqual(seen, ['Bearer r1', 'Bearer r2']);
});

test('a refresh for a token that another request already replaced returns the new one without fetching', async () => {
  let n = 0;
  answer = () => ({ body: { access_token: `z${++n}`, expires_in: 3600 } });
  const source = new TokenSource('m', `${upstream.url}/token`, creds);
  assert.equal(await source.token(dispatcher, false), 'z1');
  assert.equal(await source.token(dispatcher, true, Date.now(), 'z1'), 'z2');
  // A second request that was refused with z1 too: z2 is already there.
  assert.equal(await source.token(dispatcher, true, Date.now(), 'z1'), 'z2');
  assert.equal(n, 2);
});
