/**
 * Secrets never leak: an upstream that echoes the request (URL, key, headers) back in error bodies,
 * and a relay logging at debug level; no reply line and no log line may contain the key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineClient } from '../support/line-client.js';
import { startRelay } from '../support/relay-process.js';
import { startUpstream } from '../support/upstream.js';

// Characters that percent-encoding changes, so that both the raw and the encoded form are exercised.
const KEY = 'S3cr3t+Key/with=odd&chars-0123456789';

test('a key echoed by the upstream in error bodies never reaches a reply or a log line', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'relay-secrets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const upstream = await startUpstream((req) => {
    const url = new URL(req.url, 'http://x');
    // Echo everything a careless API might: the raw URL (key percent-encoded), the decoded key, and a JSON copy.
    if (url.pathname.includes('GetPlayerSummaries')) {
      return { status: 500, headers: { 'content-type': 'text/html' }, body: `<pre>error for ${req.url} (key ${url.searchParams.get('key')})</pre>` };
    }
    return { status: 403, body: { error: 'forbidden', request: { url: req.url, key: url.searchParams.get('key') } } };
  });
  t.after(() => upstream.close());
  const config = path.join(dir, 'relay.yaml');
  await writeFile(config, 'apis:\n  steam:\n    credentials:\n      steamApiKey: ${TEST_SECRET_KEY}\n');
  const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, '--server', `steam=${upstream.url}`, '--log-level', 'debug'], {
    TEST_SECRET_KEY: KEY,
  });
  t.after(() => relay.stop());
  const client = await LineClient.connect({ port: relay.port! });
  t.after(() => client.close());

  client.send({ request: 'steam.getPlayerSummaries', id: 'html', params: { steamids: '76561197960287930' } });
  client.send({ request: 'steam.getFriendList', id: 'json', params: { steamid: '76561197960287930' } });
  const lines = [await client.nextRaw(), await client.nextRaw(), await client.nextRaw(), await client.nextRaw()];
  const finals = lines.map((l) => JSON.parse(l) as { status: string; id: string; code: number; response: unknown }).filter((r) => r.status !== 'dispatched');
  assert.deepEqual(finals.map((r) => [r.id, r.status, r.code]).sort(), [['html', 'error', 500], ['json', 'error', 403]]);

  // The upstream really received the key, so there was something to leak.
  assert.ok(upstream.received.every((r) => r.url.includes(`key=${encodeURIComponent(KEY)}`)));
  const html = finals.find((r) => r.id === 'html')!.response as string;
  assert.match(html, /key=\*\*\*/);
  assert.deepEqual((finals.find((r) => r.id === 'json')!.response as { request: { key: string } }).request.key, '***');

  const everything = `${lines.join('\n')}\n${relay.stderr()}`;
  for (const form of [KEY, encodeURIComponent(KEY)]) assert.ok(!everything.includes(form), `leaked ${form}`);
  await relay.stop();
  assert.ok(!relay.stderr().includes(KEY) && !relay.stderr().includes(encodeURIComponent(KEY)));
});
