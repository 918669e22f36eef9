/**
 * End to end: relay-run as a child process, a loopback upstream, and a client on a real socket.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { steamHandler, FAKE_KEY } from '../support/fake-steam.js';
import { LineClient, type ReplyLine } from '../support/line-client.js';
import { startRelay, runRelay, ROOT, type RelayProcess } from '../support/relay-process.js';
import { closedPort, startUpstream, type Upstream } from '../support/upstream.js';
import { generate } from '../../generator/index.js';

const HL2_CONFIG = `
presets:
  hl2:
    operation: steam.getNewsForApp
    params: { appid: 220, count: 3, maxlength: 300, format: json }
apis:
  steam:
    credentials:
      steamApiKey: \${TEST_STEAM_KEY}
`;

let tmp: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-e2e-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('a relay in front of a fake Steam', () => {
  let upstream: Upstream;
  let relay: RelayProcess;
  const socketPath = () => path.join(tmp, 'relay.sock');

  before(async () => {
    upstream = await startUpstream(async (req) => {
      // A request for app 1 is slow, so that a later request overtakes it.
      if (req.url.includes('appid=1&')) return { ...(await steamHandler(req)), delay: 400 };
      return steamHandler(req);
    });
    const config = path.join(tmp, 'relay.yaml');
    await writeFile(config, HL2_CONFIG);
    relay = await startRelay(
      ['--tcp', '127.0.0.1:0', '--unix', socketPath(), '--config', config, '--server', `steam=${upstream.url}`],
      { TEST_STEAM_KEY: FAKE_KEY },
    );
  });
  after(async () => {
    await relay.stop();
    await upstream.close();
  });

  for (const transport of ['tcp', 'unix'] as const) {
    test(`answers the hl2 preset over ${transport}: dispatched, then ok with time, code 200 and the parsed body`, async (t) => {
      const client = await LineClient.connect(transport === 'tcp' ? { port: relay.port! } : { path: socketPath() });
      t.after(() => client.close());
      client.send({ request: 'hl2', id: '123', params: { count: 1 } });
      assert.deepEqual(await client.next(), { status: 'dispatched', id: '123' });
      const final = await client.next();
      assert.equal(final.status, 'ok');
      assert.equal(final.id, '123');
      assert.equal(final.code, 200);
      assert.equal(typeof final.time, 'number');
      assert.ok(final.time! >= 0 && final.time! < 10);
      assert.equal(String(final.time), final.time!.toFixed(5).replace(/\.?0+$/, ''));
      const body = final.response as { appnews: { appid: number; newsitems: Array<{ contents: string }> } };
      assert.equal(body.appnews.appid, 220);
      assert.equal(body.appnews.newsitems.length, 1);
      const last = upstream.received.at(-1)!;
      assert.equal(last.url, '/ISteamNews/GetNewsForApp/v2/?appid=220&count=1&maxlength=300&format=json');
      assert.equal(last.method, 'GET');
    });
  }

  test('writes final replies in completion order, not request order', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send({ request: 'steam.getNewsForApp', id: 'slow', params: { appid: 1, count: 1 } });
    client.send({ request: 'getNewsForApp', id: 'fast', params: { appid: 2, count: 1 } });
    const replies = await client.take(4);
    assert.deepEqual(
      replies.map((r) => `${r.status}:${r.id}`),
      ['dispatched:slow', 'dispatched:fast', 'ok:fast', 'ok:slow'],
    );
  });

  test('replies error with the status and body when the status is not a documented success', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    // appid 0 makes the fake answer 404 {"response":{"result":42}}, documented but not a success.
    client.send({ request: 'getNumberOfCurrentPlayers', id: 9, params: { appid: 0 } });
    assert.equal((await client.next()).status, 'dispatched');
    const final = await client.next();
    assert.equal(final.status, 'error');
    assert.equal(final.id, 9);
    assert.equal(final.code, 404);
    assert.deepEqual(final.response, { response: { result: 42 } });
  });

  test('applies the API key from the environment, and never shows it in replies or logs', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send({ request: 'getPlayerSummaries', id: 'k', params: { steamids: '76561197960287930' } });
    assert.equal((await client.next()).status, 'dispatched');
    const final = await client.next();
    assert.equal(final.status, 'ok', JSON.stringify(final));
    const sent = upstream.received.at(-1)!.url;
    assert.ok(sent.includes(`key=${FAKE_KEY}`), sent);
    assert.ok(!JSON.stringify(final).includes(FAKE_KEY));
    assert.ok(!relay.stderr().includes(FAKE_KEY));
  });

  test('answers every malformed line with one error line and keeps the connection working', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const cases: Array<[string, string, string | number | null]> = [
      ['not json', 'BAD_JSON', null],
      ['[1,2]', 'NOT_AN_OBJECT', null],
      ['"hello"', 'NOT_AN_OBJECT', null],
      ['{"request":"hl2"}', 'MISSING_ID', null],
      ['{"request":"hl2","id":{"a":1}}', 'INVALID_ID', null],
      ['{"id":"7"}', 'MISSING_REQUEST', '7'],
      ['{"request":"nope","id":"7"}', 'UNKNOWN_REQUEST', '7'],
      ['{"request":"steam.getNewsForApp","id":8}', 'MISSING_PARAM', 8],
      ['{"request":"getNewsForApp","id":8,"params":{"appid":1,"colour":"red"}}', 'UNKNOWN_PARAM', 8],
      ['{"request":"getNewsForApp","id":8,"params":[1]}', 'INVALID_FIELD', 8],
      ['{"request":"getNewsForApp","id":8,"params":{"appid":1},"data":{"x":1}}', 'UNEXPECTED_BODY', 8],
    ];
    for (const [line, code, id] of cases) {
      client.send(line);
      const reply = await client.next();
      assert.deepEqual(
        { status: reply.status, id: reply.id, code: (reply.response as { code: string }).code },
        { status: 'error', id, code },
        line,
      );
      assert.equal(typeof (reply.response as { error: unknown }).error, 'string');
      assert.equal('time' in reply, false, 'a refused line was never dispatched');
    }
    const missing = await sendAndTake(client, '{"request":"steam.getNewsForApp","id":"m"}', 1);
    assert.equal((missing[0]!.response as { error: string }).error, 'missing required parameter: appid');
    const ok = await sendAndTake(client, '{"request":"getAppList","id":"after"}', 2);
    assert.deepEqual(ok.map((r) => r.status), ['dispatched', 'ok']);
  });

  test('serves CRLF-terminated lines and ignores blank ones', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.socket.write('\r\n\n{"request":"getAppList","id":"crlf"}\r\n');
    const replies = await client.take(2);
    assert.deepEqual(replies.map((r) => `${r.status}:${r.id}`), ['dispatched:crlf', 'ok:crlf']);
  });

  test('answers what a half-closed client asked, then closes', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.socket.end('{"request":"getAppList","id":"h1"}\n{"request":"getAppList","id":"h2"}');
    const replies = await client.take(4);
    assert.deepEqual(replies.filter((r) => r.status === 'ok').map((r) => r.id).sort(), ['h1', 'h2']);
    await client.closed();
  });
});

describe('failures without an HTTP status', () => {
  test('an upstream that refuses connections gives error, code null and a message naming the host', async (t) => {
    const port = await closedPort();
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--server', `steam=http://127.0.0.1:${port}`]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const [dispatched, final] = await sendAndTake(client, { request: 'getAppList', id: 'r' }, 2);
    assert.equal(dispatched!.status, 'dispatched');
    assert.equal(final!.status, 'error');
    assert.equal(final!.code, null);
    assert.equal(typeof final!.time, 'number');
    assert.deepEqual(final!.response, { error: `connection refused by 127.0.0.1:${port}`, code: 'CONNECT_REFUSED' });
    // The relay keeps serving.
    const again = await sendAndTake(client, { request: 'getAppList', id: 'r2' }, 2);
    assert.equal(again[1]!.code, null);
  });
});

describe('path parameters', () => {
  test('reach the upstream percent-encoded inside their segment', async (t) => {
    const upstream = await startUpstream(() => ({ body: { ok: true } }));
    t.after(() => upstream.close());
    const out = await generate(path.join(ROOT, 'test/fixtures/e2e/files.yaml'), { outDir: tmp });
    await writeFile(out.file, out.text);
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--server', `files=${upstream.url}/api`, out.file]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const cases: Array<[string, string]> = [
      ['../admin', '/api/files/..%2Fadmin'],
      ['a/b?x=1', '/api/files/a%2Fb%3Fx%3D1'],
      ['#frag', '/api/files/%23frag'],
      ['%2F', '/api/files/%252F'],
      ['caf\u00e9 \u2024', '/api/files/caf%C3%A9%20%E2%80%A4'],
    ];
    for (const [name, want] of cases) {
      const [, final] = await sendAndTake(client, { request: 'getFile', id: name, params: { name } }, 2);
      assert.equal(final!.status, 'ok', JSON.stringify(final));
      assert.equal(upstream.received.at(-1)!.url, want);
    }
    for (const name of ['..', '.', '']) {
      const [reply] = await sendAndTake(client, { request: 'getFile', id: name, params: { name } }, 1);
      assert.equal((reply!.response as { code: string }).code, 'INVALID_PARAM');
    }
    const [header] = await sendAndTake(client, { request: 'getFile', id: 'h', params: { name: 'x', 'X-Trace': 'a\r\nHost: evil' } }, 1);
    assert.equal((header!.response as { code: string }).code, 'INVALID_PARAM');
    assert.ok(upstream.received.every((r) => r.headers.host === `127.0.0.1:${upstream.port}`));
  });

  test('send a JSON body and count a documented 201 as ok', async (t) => {
    const upstream = await startUpstream((req) => ({ status: 201, body: { got: JSON.parse(req.body) as unknown } }));
    t.after(() => upstream.close());
    const out = await generate(path.join(ROOT, 'test/fixtures/e2e/files.yaml'), { outDir: tmp, name: 'files2' });
    await writeFile(out.file, out.text);
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--server', `files2=${upstream.url}`, out.file]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const [, final] = await sendAndTake(client, { request: 'putFile', id: 1, data: { name: 'a.txt' } }, 2);
    assert.deepEqual({ status: final!.status, code: final!.code, response: final!.response }, { status: 'ok', code: 201, response: { got: { name: 'a.txt' } } });
    assert.equal(upstream.received[0]!.headers['content-type'], 'application/json');
    const [missing] = await sendAndTake(client, { request: 'putFile', id: 2 }, 1);
    assert.equal((missing!.response as { code: string }).code, 'MISSING_BODY');
  });
});

describe('limits', () => {
  test('refuses a line over the limit without buffering it, then serves the next line', async (t) => {
    const config = path.join(tmp, 'small.yaml');
    await writeFile(config, 'limits:\n  maxLineBytes: 1024\n');
    const upstream = await startUpstream(steamHandler);
    t.after(() => upstream.close());
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, '--server', `steam=${upstream.url}`]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send(`{"request":"getAppList","id":"big","params":{"pad":"${'x'.repeat(50_000)}"}}`);
    const refused = await client.next();
    assert.deepEqual(refused, { status: 'error', id: null, response: { error: 'line longer than 1024 bytes refused', code: 'LINE_TOO_LONG' } });
    const after = await sendAndTake(client, { request: 'getAppList', id: 'next' }, 2);
    assert.deepEqual(after.map((r) => `${r.status}:${r.id}`), ['dispatched:next', 'ok:next']);
  });
});

describe('start-up', () => {
  test('exits 1 with a clear message when the TCP port is busy', async (t) => {
    const first = await startRelay(['--tcp', '127.0.0.1:0']);
    t.after(() => first.stop());
    const second = await runRelay(['--tcp', `127.0.0.1:${first.port}`]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`cannot listen on tcp 127.0.0.1:${first.port}: address already in use`));
  });

  test('exits 2 on a bad flag, with the usage', async () => {
    const run = await runRelay(['--bogus']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Usage: relay-run/);
  });

  test('exits 1 naming a module that cannot be read', async () => {
    const run = await runRelay(['--tcp', '127.0.0.1:0', 'generated/nope.ts']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot load module generated\/nope\.ts: file not found/);
  });

  test('exits 1 naming the key of an invalid config', async () => {
    const config = path.join(tmp, 'bad.yaml');
    await writeFile(config, 'apis:\n  steam:\n    sever: http://x\n');
    const run = await runRelay(['--config', config]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /apis\.steam\.sever: unknown key/);
  });

  test('stops on SIGTERM with exit code 0 and removes its UNIX socket', async () => {
    const sock = path.join(tmp, 'stop.sock');
    const relay = await startRelay(['--unix', sock]);
    assert.equal(relay.unix, sock);
    assert.equal(await relay.stop(), 0);
    await assert.rejects(LineClient.connect({ path: sock }));
  });
});

async function sendAndTake(client: LineClient, request: object | string, n: number): Promise<ReplyLine[]> {
  client.send(request);
  return client.take(n);
}
