/**
 * `npm run demo` (scripts/demo.ts): Prism mocks specs/steam.yaml and validates each request relay
 * builds; relay-run runs in front of it with the example config. A request through the relay gets
 * `ok` from Prism, which proves the request is valid for the spec; SIGINT stops both processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { LineClient } from '../support/line-client.js';
import { ROOT } from '../support/relay-process.js';

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('the demo relays requests to Prism, which accepts them as valid for the spec, and Ctrl-C stops both', { timeout: 180_000 }, async (t) => {
  const demo = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/demo.ts'), '--tcp', '127.0.0.1:0'], {
    cwd: ROOT,
    env: { ...process.env, STEAM_API_KEY: 'DEMO0123456789' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  t.after(async () => {
    // SIGINT first, so that the demo stops Prism and relay-run even when an assertion failed.
    if (demo.exitCode !== null) return;
    demo.kill('SIGINT');
    const timer = setTimeout(() => demo.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  });
  let out = '';
  demo.stdout.on('data', (c: Buffer) => (out += c.toString()));
  demo.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const ready = await Promise.race([
    new Promise<RegExpExecArray>((resolve) => {
      const poll = setInterval(() => {
        const m = /nc 127\.0\.0\.1 (\d+)/.exec(out);
        if (m) {
          clearInterval(poll);
          resolve(m);
        }
      }, 50);
    }),
    exited.then((code) => assert.fail(`the demo exited with ${code} before it was ready:\n${out}`)),
  ]);
  const port = Number(ready[1]);
  const prismPort = Number(/on 127\.0\.0\.1:(\d+) \.\.\./.exec(out)![1]);

  const client = await LineClient.connect({ port });
  client.send({ request: 'hl2', id: 'preset' });
  client.send({ request: 'steam.getNewsForApp', id: 'news', params: { appid: 440, count: 1 } });
  client.send({ request: 'steam.getNumberOfCurrentPlayers', id: 'players', params: { appid: 730 } });
  // A keyed method: Prism checks that the key is where the spec's security scheme puts it.
  client.send({ request: 'steam.getPlayerSummaries', id: 'keyed', params: { steamids: '76561197960435530' } });
  client.send({ request: 'steam.getNewsForApp', id: 'invalid', params: { appid: -1 } });
  // Four dispatched and four final lines, and one refusal: relay validates params before sending.
  const finals = (await client.take(9, 60_000)).filter((r) => r.status !== 'dispatched');
  client.close();
  const byId = new Map(finals.map((r) => [r.id, r]));
  for (const id of ['preset', 'news', 'players', 'keyed']) {
    assert.equal(byId.get(id)?.status, 'ok', `${id}: ${JSON.stringify(byId.get(id))}`);
    assert.equal(byId.get(id)?.code, 200);
  }
  assert.ok((byId.get('news')!.response as { appnews: { newsitems: unknown[] } }).appnews.newsitems.length >= 1);
  // appid below the spec's minimum never reaches Prism: relay refuses it first.
  assert.equal(byId.get('invalid')?.status, 'error');
  assert.equal((byId.get('invalid')?.response as { code: string }).code, 'INVALID_PARAMS');

  demo.kill('SIGINT');
  assert.equal(await exited, 0, out);
  assert.ok(await refuses(port), 'relay-run stopped');
  assert.ok(await refuses(prismPort), 'Prism stopped');
});
