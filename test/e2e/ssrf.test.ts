/**
 * Hostile parameters end to end (issue 5, "No SSRF", the part about parameters): a table of values
 * against a loopback server that records the raw request line. The host never changes, a path value
 * never leaves its segment, and query, header and cookie values cannot add parameters or headers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineClient, type ReplyLine } from '../support/line-client.js';
import { logLines } from '../support/log-lines.js';
import { runRelay, startRelay, ROOT, type RelayProcess } from '../support/relay-process.js';
import { startUpstream, type Received, type Upstream } from '../support/upstream.js';
import { generate } from '../../generator/index.js';

const HOSTILE = [
  '../',
  '..',
  '../../etc/passwd',
  '%2e%2e/',
  '%2e%2e',
  '%2F',
  '/',
  '//evil.example/x',
  '?admin=1',
  '#frag',
  '@evil.example',
  'user@evil.example:80',
  'http://evil.example/',
  'https://evil.example:443/x?y#z',
  'a\r\nX-Injected: 1',
  'a\nb',
  '\u2024\u2024/',
  '\uff0e\uff0e/',
  '..\\..\\',
  'a&key=stolen',
  'a=b;c=d',
  ' ',
  '\u0000',
];

let tmp: string;
let upstream: Upstream;
let relay: RelayProcess;
let client: LineClient;
let module: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-ssrf-'));
  upstream = await startUpstream(() => ({ body: { ok: true } }));
  const out = await generate(path.join(ROOT, 'test/fixtures/e2e/hostile.yaml'), { outDir: tmp });
  module = out.file;
  await writeFile(module, out.text);
  const config = path.join(tmp, 'relay.yaml');
  await writeFile(config, `apis:\n  hostile:\n    serverVariables: { port: '${upstream.port}', tenant: beta }\n`);
  relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, module]);
  client = await LineClient.connect({ port: relay.port! });
});

after(async () => {
  client?.close();
  await relay?.stop();
  await upstream?.close();
  await rm(tmp, { recursive: true, force: true });
});

let nextId = 0;
async function call(params: Record<string, unknown>, request = 'hostile.fileMeta'): Promise<{ final: ReplyLine; got: Received | undefined }> {
  const id = ++nextId;
  const before = upstream.received.length;
  client.send({ request, id, params });
  const first = await client.next();
  const final = first.status === 'dispatched' ? await client.next() : first;
  return { final, got: upstream.received.length > before ? upstream.received.at(-1) : undefined };
}

function code(reply: ReplyLine): string | undefined {
  return (reply.response as { code?: string } | null)?.code;
}

const HOST = () => `127.0.0.1:${upstream.port}`;

describe('hostile path parameters', () => {
  for (const value of HOSTILE) {
    test(`keeps ${JSON.stringify(value)} inside its path segment, on the configured host`, async () => {
      const { final, got } = await call({ name: value });
      if (got === undefined) {
        // Refused before sending: only values that would be an empty or dot-only segment.
        assert.equal(code(final), 'INVALID_PARAM', JSON.stringify(final));
        assert.match(value, /^\.*$/);
        return;
      }
      assert.equal(got.headers.host, HOST());
      const match = /^\/beta\/api\/files\/([^/?#]*)\/meta$/.exec(got.url);
      assert.ok(match, `request line target ${got.url} left the segment`);
      assert.equal(decodeURIComponent(match[1]!), value, 'the segment carries the value exactly');
      assert.doesNotMatch(match[1]!, /^\.+$/);
    });
  }
});

describe('hostile query parameters', () => {
  for (const value of HOSTILE) {
    test(`sends ${JSON.stringify(value)} as the one value of q, adding no parameter`, async () => {
      const { got } = await call({ name: 'f', q: value });
      assert.ok(got);
      assert.equal(got.headers.host, HOST());
      const [pathPart, query, ...rest] = got.url.split('?');
      assert.equal(rest.length, 0, `a second ? in ${got.url}`);
      assert.equal(pathPart, '/beta/api/files/f/meta');
      assert.doesNotMatch(query!, /#/);
      const pairs = query!.split('&');
      assert.equal(pairs.length, 1, `extra parameters in ${got.url}`);
      const [key, encoded] = pairs[0]!.split('=');
      assert.equal(key, 'q');
      assert.equal(decodeURIComponent(encoded!), value);
    });
  }
});

describe('hostile header and cookie parameters', () => {
  for (const value of HOSTILE) {
    test(`sends ${JSON.stringify(value)} as one header value or refuses it, injecting no header`, async () => {
      const { final, got } = await call({ name: 'f', 'X-Note': value });
      if (/[^\t\x20-\x7e]/.test(value)) {
        assert.equal(code(final), 'INVALID_PARAM');
        assert.equal(got, undefined);
        return;
      }
      assert.ok(got);
      assert.equal(got.headers['x-note'], value.trim());
      assert.equal(got.headers['x-injected'], undefined);
    });
    test(`sends ${JSON.stringify(value)} as one encoded cookie, adding no cookie`, async () => {
      const { got } = await call({ name: 'f', pref: value });
      assert.ok(got);
      const cookie = String(got.headers.cookie);
      assert.match(cookie, /^pref=[A-Za-z0-9%._~-]*$/);
      assert.equal(decodeURIComponent(cookie.slice('pref='.length)), value);
    });
  }
});

describe('server variables', () => {
  test('come from the config only: a client param of that name is refused as unknown', async () => {
    const { final, got } = await call({ name: 'f', tenant: 'evil.example' });
    assert.equal(code(final), 'UNKNOWN_PARAM');
    assert.equal(got, undefined);
  });

  test('relay-run refuses to start with a value outside the spec\'s enum', async () => {
    const config = path.join(tmp, 'bad-enum.yaml');
    await writeFile(config, `apis:\n  hostile:\n    serverVariables: { tenant: gamma }\n`);
    const { code: exit, stderr } = await runRelay(['--tcp', '127.0.0.1:0', '--config', config, module]);
    assert.equal(exit, 1);
    const errors = logLines(stderr).filter((l) => l.level === 'error');
    assert.ok(errors.some((l) => /apis\.hostile\.serverVariables\.tenant: "gamma" is not allowed; use one of alpha, beta/.test(l.msg)), stderr);
  });

  test('relay-run refuses a value that would change the host or path', async () => {
    const config = path.join(tmp, 'bad-port.yaml');
    await writeFile(config, `apis:\n  hostile:\n    serverVariables: { port: '80@evil.example/' }\n`);
    const { code: exit, stderr } = await runRelay(['--tcp', '127.0.0.1:0', '--config', config, module]);
    assert.equal(exit, 1);
    assert.match(stderr, /serverVariables\.port/);
  });
});

describe('missing credentials', () => {
  test('refuses MISSING_CREDENTIALS naming the scheme, before anything is sent', async () => {
    const { final, got } = await call({}, 'hostile.keyed');
    assert.equal(code(final), 'MISSING_CREDENTIALS');
    assert.match((final.response as { error: string }).error, /security scheme key/);
    assert.equal(got, undefined);
  });
});
