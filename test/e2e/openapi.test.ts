/**
 * End to end through relay-run: one operation of each kind from test/fixtures/e2e/kinds.yaml against a
 * loopback upstream that records method, raw path and query, headers and body bytes.
 * Also OAuth2 client credentials against a loopback token endpoint, and server variables from config.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineClient, type ReplyLine } from '../support/line-client.js';
import { startRelay, ROOT, type RelayProcess } from '../support/relay-process.js';
import { startUpstream, type Received, type Upstream } from '../support/upstream.js';
import { generate } from '../../generator/index.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
const CLIENT_SECRET = 'client-secret-7f3a';

let tmp: string;
let upstream: Upstream;
let relay: RelayProcess;
let client: LineClient;
/** Token requests the token endpoint received, and the tokens it handed out. */
const tokenRequests: Received[] = [];
let tokensIssued = 0;
let tokenEndpointDown = false;
/** Tokens the API side accepts; a revoked one gets 401. */
const validTokens = new Set<string>();

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-openapi-'));
  upstream = await startUpstream((req) => {
    if (req.url === '/oauth/token') {
      tokenRequests.push(req);
      if (tokenEndpointDown) return { status: 400, body: { error: 'invalid_client', echoed: CLIENT_SECRET } };
      const token = `tok-${++tokensIssued}`;
      validTokens.add(token);
      return { body: { access_token: token, token_type: 'Bearer', expires_in: 3600 } };
    }
    if (req.url.startsWith('/v2/secure/oauth')) {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      return validTokens.has(token) ? { body: { token } } : { status: 401, body: { error: 'invalid_token' } };
    }
    if (req.url.startsWith('/v2/blobs/') && req.method === 'GET') {
      return { body: PNG, headers: { 'content-type': 'image/png', 'x-checksum': 'abc', 'x-internal': 'hidden' } };
    }
    if (req.method === 'POST' && req.url === '/v2/pets') return { status: 201, body: { ok: true } };
    if (req.method === 'PUT' && req.url === '/v2/notes') return { status: 204 };
    return { body: { ok: true } };
  });
  const out = await generate(path.join(ROOT, 'test/fixtures/e2e/kinds.yaml'), { outDir: tmp });
  await writeFile(out.file, out.text);
  const secretFile = path.join(tmp, 'client-secret');
  await writeFile(secretFile, `${CLIENT_SECRET}\n`);
  const config = path.join(tmp, 'relay.yaml');
  await writeFile(
    config,
    `apis:
  kinds:
    serverVariables: { port: '${upstream.port}', version: v2 }
    credentials:
      basicAuth: { username: Aladdin, password: open sesame }
      bearerAuth: bearer-token-1
      headerKey: hk-1234
      queryKey: qk-1234
      cookieKey: ck-1234
      machine: { clientId: relay-client, clientSecret: { file: client-secret }, scopes: [read] }
`,
  );
  relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, out.file]);
  client = await LineClient.connect({ port: relay.port! });
});

after(async () => {
  client?.close();
  await relay?.stop();
  await upstream?.close();
  await rm(tmp, { recursive: true, force: true });
});

let nextId = 0;
/** Send one request; resolve to its final reply and what the upstream received for it (if anything). */
async function call(msg: Record<string, unknown>): Promise<{ final: ReplyLine; got: Received | undefined }> {
  const id = `r${++nextId}`;
  const before = upstream.received.length;
  client.send({ id, ...msg });
  const first = await client.next();
  const final = first.status === 'dispatched' ? await client.next() : first;
  assert.equal(final.id, id);
  const got = upstream.received.slice(before).filter((r) => r.url !== '/oauth/token').at(-1);
  return { final, got };
}

function errorCode(reply: ReplyLine): string {
  return (reply.response as { code: string }).code;
}

describe('parameters end to end', () => {
  test('serialises path, query, header and cookie parameters by their styles, and sends defaults', async () => {
    const { final, got } = await call({
      request: 'kinds.styles',
      params: { id: 'a b', ids: [1, 2], filter: { color: 'red' }, tags: ['x', 'y'], q: 'a/b?c', 'X-Color': 'blue', theme: 'dark', 'query.version': '3', 'header.version': '4' },
    });
    assert.equal(final.status, 'ok', JSON.stringify(final));
    assert.equal(got!.method, 'GET');
    assert.equal(got!.url, '/v2/styles/.a%20b/;ids=1;ids=2?filter%5Bcolor%5D=red&tags=x%7Cy&q=a/b?c&limit=10&version=3');
    assert.equal(got!.headers['x-color'], 'blue');
    assert.equal(got!.headers.version, '4');
    assert.equal(got!.headers.cookie, 'theme=dark');
  });

  test('refuses INVALID_PARAMS naming each failing field, and sends nothing', async () => {
    const before = upstream.received.length;
    const { final } = await call({ request: 'kinds.styles', params: { id: 'a', ids: ['x'], limit: '5', theme: 'pink' } });
    assert.equal(errorCode(final), 'INVALID_PARAMS');
    const message = (final.response as { error: string }).error;
    assert.match(message, /params\.ids\[0\]: must be integer/);
    assert.match(message, /params\.limit: must be integer/);
    assert.match(message, /params\.theme: must be one of "dark", "light"/);
    assert.equal(upstream.received.length, before);
  });

  test('refuses UNKNOWN_PARAM for a parameter the operation lacks, listing in.name keys', async () => {
    const { final } = await call({ request: 'kinds.styles', params: { id: 'a', ids: [1], version: '3' } });
    assert.equal(errorCode(final), 'UNKNOWN_PARAM');
    assert.match((final.response as { error: string }).error, /query\.version, header\.version/);
  });
});

describe('request bodies end to end', () => {
  test('sends JSON by default when the operation offers JSON and a form', async () => {
    const { final, got } = await call({ request: 'kinds.createPet', data: { name: 'Rex', age: 3 } });
    assert.equal(final.status, 'ok');
    assert.equal(final.code, 201);
    assert.equal(got!.headers['content-type'], 'application/json');
    assert.equal(got!.body, '{"name":"Rex","age":3}');
  });

  test('sends a form when the request line chooses it, with the encoding of each property', async () => {
    const { final, got } = await call({ request: 'kinds.createPet', contentType: 'application/x-www-form-urlencoded', data: { name: 'R x', age: 3, tags: ['a', 'b'] } });
    assert.equal(final.status, 'ok', JSON.stringify(final));
    assert.equal(got!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(got!.body, 'name=R%20x&age=3&tags=a,b');
  });

  test('refuses UNSUPPORTED_MEDIA_TYPE for a content type the operation does not take', async () => {
    const { final } = await call({ request: 'kinds.createPet', contentType: 'application/xml', data: '<pet/>' });
    assert.equal(errorCode(final), 'UNSUPPORTED_MEDIA_TYPE');
    assert.match((final.response as { error: string }).error, /it accepts: application\/json, application\/x-www-form-urlencoded/);
  });

  const invalidBodies: Array<[string, { data: unknown; want: RegExp }]> = [
    ['a wrong type', { data: { name: 'Rex', age: 'old' }, want: /data\.age: must be integer/ }],
    ['a missing required field', { data: { name: 'Rex' }, want: /data\.age: is required/ }],
    ['an extra field', { data: { name: 'Rex', age: 1, colour: 'red' }, want: /data\.colour: is not allowed/ }],
    ['a bad format', { data: { name: 'Rex', age: 1, email: 'not-an-email' }, want: /data\.email: must match format "email"/ }],
  ];
  for (const [name, { data, want }] of invalidBodies) {
    test(`refuses INVALID_PARAMS for a body with ${name}`, async () => {
      const before = upstream.received.length;
      const { final } = await call({ request: 'kinds.createPet', data });
      assert.equal(errorCode(final), 'INVALID_PARAMS');
      assert.match((final.response as { error: string }).error, want);
      assert.equal(upstream.received.length, before);
    });
  }

  test('sends multipart/form-data with a field and a file given as base64', async () => {
    const file = { filename: 'pic.png', contentType: 'image/png', base64: PNG.toString('base64') };
    const { final, got } = await call({ request: 'kinds.upload', data: { title: 'Hi', file } });
    assert.equal(final.status, 'ok', JSON.stringify(final));
    const type = String(got!.headers['content-type']);
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(type)?.[1];
    assert.ok(boundary, type);
    const want = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHi\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="pic.png"\r\nContent-Type: image/png\r\n\r\n`),
      PNG,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    assert.deepEqual(got!.bytes, want);
  });

  test('sends text/plain as is', async () => {
    const { final, got } = await call({ request: 'kinds.putNote', data: 'line one\nline two' });
    assert.equal(final.code, 204);
    assert.equal(final.status, 'ok');
    assert.equal(final.response, null);
    assert.equal(got!.headers['content-type'], 'text/plain');
    assert.equal(got!.body, 'line one\nline two');
  });

  test('sends application/octet-stream from base64, byte for byte', async () => {
    const { final, got } = await call({ request: 'kinds.putBlob', params: { name: 'b1' }, data: PNG.toString('base64') });
    assert.equal(final.status, 'ok', JSON.stringify(final));
    assert.equal(got!.method, 'PUT');
    assert.equal(got!.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(got!.bytes, PNG);
  });
});

describe('responses end to end', () => {
  test('gives a binary response as base64 with its content type, and selected headers when asked', async () => {
    const { final } = await call({ request: 'kinds.getBlob', params: { name: 'b1' }, headers: true });
    assert.equal(final.status, 'ok');
    assert.deepEqual(final.response, { base64: PNG.toString('base64'), contentType: 'image/png' });
    const headers = (final as ReplyLine & { headers: Record<string, string> }).headers;
    assert.equal(headers['content-type'], 'image/png');
    assert.equal(headers['x-checksum'], 'abc');
    assert.equal(headers['x-internal'], undefined);
  });

  test('leaves headers out unless the request asks', async () => {
    const { final } = await call({ request: 'kinds.getBlob', params: { name: 'b1' } });
    assert.equal('headers' in final, false);
  });
});

describe('security schemes end to end', () => {
  test('sends HTTP basic credentials', async () => {
    const { got } = await call({ request: 'kinds.withBasic' });
    assert.equal(got!.headers.authorization, `Basic ${Buffer.from('Aladdin:open sesame').toString('base64')}`);
  });

  test('sends a bearer token', async () => {
    const { got } = await call({ request: 'kinds.withBearer' });
    assert.equal(got!.headers.authorization, 'Bearer bearer-token-1');
  });

  test('sends API keys in a header, the query and a cookie together', async () => {
    const { got } = await call({ request: 'kinds.withKeys' });
    assert.equal(got!.headers['x-api-key'], 'hk-1234');
    assert.equal(got!.url, '/v2/secure/keys?api_key=qk-1234');
    assert.equal(got!.headers.cookie, 'session=ck-1234');
  });

  test('sends configured credentials when security is optional', async () => {
    const { got } = await call({ request: 'kinds.withOptional' });
    assert.equal(got!.headers.authorization, 'Bearer bearer-token-1');
  });

  test('fetches an OAuth2 token with client credentials (secret from a file), caches it, and refreshes once on 401', async () => {
    const first = await call({ request: 'kinds.withOAuth' });
    assert.equal(first.final.status, 'ok', JSON.stringify(first.final));
    assert.equal(tokenRequests.length, 1);
    const token = tokenRequests[0]!;
    assert.equal(token.method, 'POST');
    assert.equal(token.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(token.headers.authorization, `Basic ${Buffer.from(`relay-client:${CLIENT_SECRET}`).toString('base64')}`);
    assert.equal(token.body, 'grant_type=client_credentials&scope=read');
    assert.equal(first.got!.headers.authorization, 'Bearer tok-1');

    const second = await call({ request: 'kinds.withOAuth' });
    assert.equal(second.got!.headers.authorization, 'Bearer tok-1');
    assert.equal(tokenRequests.length, 1, 'the cached token is reused');

    validTokens.delete('tok-1');
    const third = await call({ request: 'kinds.withOAuth' });
    assert.equal(third.final.status, 'ok', JSON.stringify(third.final));
    assert.equal(third.got!.headers.authorization, 'Bearer tok-2');
    assert.equal(tokenRequests.length, 2);
    assert.doesNotMatch(relay.stderr(), new RegExp(CLIENT_SECRET));
  });
});

test('replies AUTH_FAILED with no status when the token endpoint refuses, without the secret it echoed', async () => {
  tokenEndpointDown = true;
  validTokens.clear();
  const { final } = await call({ request: 'kinds.withOAuth' });
  tokenEndpointDown = false;
  assert.equal(final.status, 'error');
  assert.equal(final.code, null);
  assert.equal(errorCode(final), 'AUTH_FAILED');
  assert.match((final.response as { error: string }).error, /security scheme machine from 127\.0\.0\.1:\d+: token endpoint answered 400 \(invalid_client\)/);
  assert.doesNotMatch(JSON.stringify(final) + relay.stderr(), new RegExp(CLIENT_SECRET));
});

describe('servers end to end', () => {
  test('fills server variables from the config, for API and per-operation servers', async () => {
    const { final, got } = await call({ request: 'kinds.elsewhere' });
    assert.equal(final.status, 'ok');
    assert.equal(got!.url, '/other/elsewhere');
  });
});
