/**
 * Signals: SIGTERM lets requests in flight finish (up to shutdown.graceMs) and refuses new lines;
 * SIGHUP reloads the config, keeping the old one when the new one is broken.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineClient } from '../support/line-client.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { startGatedUpstream, type GatedUpstream } from '../support/gated-upstream.js';

let tmp: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-signals-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const held = (id: string) => ({ request: 'getNewsForApp', id, params: { appid: 1 } });
const code = (reply: { response?: unknown }) => (reply.response as { code: string }).code;
const holdAppOne = (url: string) => /appid=1(&|$)/.test(url);

async function stderrMatches(relay: RelayProcess, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(relay.stderr())) {
    if (Date.now() > deadline) throw new Error(`stderr never matched ${pattern}:\n${relay.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function exitCode(relay: RelayProcess): Promise<number | null> {
  if (relay.child.exitCode !== null) return Promise.resolve(relay.child.exitCode);
  return new Promise((resolve) => relay.child.once('exit', (c) => resolve(c)));
}

describe('SIGTERM', () => {
  let upstream: GatedUpstream;
  before(async () => {
    upstream = await startGatedUpstream({ hold: holdAppOne });
  });
  after(() => upstream.close());

  test('requests in flight get their final replies before the relay closes; new lines and connections are refused; exit 0', async (t) => {
    const sock = path.join(tmp, 'term.sock');
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--unix', sock, '--server', `steam=${upstream.url}`]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const startedBefore = upstream.started;
    client.send(held('t1'));
    client.send(held('t2'));
    await client.take(2);
    await upstream.until((u) => u.started === startedBefore + 2);
    const exited = exitCode(relay);
    relay.child.kill('SIGTERM');
    await stderrMatches(relay, /SIGTERM: stopping; 2 requests in flight/);
    client.send(held('late'));
    assert.deepEqual(await client.next(), {
      status: 'error',
      id: 'late',
      response: { error: 'relay is shutting down', code: 'SHUTTING_DOWN' },
    });
    await assert.rejects(LineClient.connect({ port: relay.port! }), 'no new connections are accepted');
    assert.equal(existsSync(sock), false, 'the UNIX socket is removed at once');
    upstream.release();
    const finals = await client.take(2);
    assert.deepEqual(finals.map((r) => `${r.status}:${r.id}`).sort(), ['ok:t1', 'ok:t2']);
    await client.closed();
    assert.equal(await exited, 0);
  });

  test('requests still running at shutdown.graceMs get a SHUTTING_DOWN final reply and are aborted upstream', async (t) => {
    const config = path.join(tmp, 'grace.yaml');
    await writeFile(config, 'shutdown:\n  graceMs: 300\n');
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, '--server', `steam=${upstream.url}`]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const startedBefore = upstream.started;
    const abortedBefore = upstream.aborted;
    client.send(held('stuck'));
    await client.next();
    await upstream.until((u) => u.started === startedBefore + 1);
    const exited = exitCode(relay);
    relay.child.kill('SIGTERM');
    const final = await client.next();
    assert.equal(typeof final.time, 'number');
    assert.deepEqual({ ...final, time: 0 }, {
      status: 'error',
      id: 'stuck',
      time: 0,
      code: null,
      // The request was upstream when it was stopped: one attempt in progress.
      attempts: 1,
      response: { error: 'relay is shutting down', code: 'SHUTTING_DOWN' },
    });
    await client.closed();
    assert.equal(await exited, 0);
    await upstream.until((u) => u.aborted === abortedBefore + 1);
  });

  test('a second SIGTERM stops at once, still answering every request in flight', async (t) => {
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--server', `steam=${upstream.url}`]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const startedBefore = upstream.started;
    client.send(held('s'));
    await client.next();
    await upstream.until((u) => u.started === startedBefore + 1);
    const exited = exitCode(relay);
    relay.child.kill('SIGTERM');
    await stderrMatches(relay, /SIGTERM: stopping/);
    relay.child.kill('SIGTERM');
    assert.equal(code(await client.next()), 'SHUTTING_DOWN');
    assert.equal(await exited, 0);
  });
});

describe('SIGHUP', () => {
  let a: GatedUpstream;
  let b: GatedUpstream;
  before(async () => {
    a = await startGatedUpstream({ hold: holdAppOne, body: '{"from":"a"}' });
    b = await startGatedUpstream({ body: '{"from":"b"}' });
  });
  after(async () => {
    a.release();
    await a.close();
    await b.close();
  });

  test('reloads a changed config: new requests use the new one, a request in flight finishes on the old', async (t) => {
    const config = path.join(tmp, 'hup.yaml');
    await writeFile(config, `apis:\n  steam:\n    server: ${a.url}\n`);
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send(held('old'));
    await client.next();
    await a.until((u) => u.active === 1);
    client.send({ request: 'apps', id: 'before' });
    assert.equal(code(await client.next()), 'UNKNOWN_REQUEST');

    await writeFile(config, `apis:\n  steam:\n    server: ${b.url}\npresets:\n  apps:\n    operation: steam.getAppList\n`);
    relay.child.kill('SIGHUP');
    await stderrMatches(relay, /SIGHUP: reloaded; apis: steam \(\d+ operations\); presets: apps/);
    client.send({ request: 'apps', id: 'new' });
    const [, fresh] = await client.take(2);
    assert.deepEqual([fresh!.status, fresh!.id, fresh!.response], ['ok', 'new', { from: 'b' }]);
    a.release();
    const old = await client.next();
    assert.deepEqual([old.status, old.id, old.response], ['ok', 'old', { from: 'a' }]);
    assert.equal(relay.child.exitCode, null);
  });

  test('a reload keeps an API\'s rate limiter when its settings are unchanged: the request in flight still counts', async (t) => {
    const config = path.join(tmp, 'hup-limit.yaml');
    const limited = `apis:\n  steam:\n    server: ${a.url}\n    rateLimit: { maxConcurrent: 1, maxQueue: 10 }\n`;
    await writeFile(config, limited);
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const startedBefore = a.started;
    client.send(held('in-flight'));
    await client.next();
    await a.until((u) => u.started === startedBefore + 1);
    // A preset is added; the rate limit is as it was.
    await writeFile(config, `${limited}presets:\n  apps:\n    operation: steam.getAppList\n`);
    relay.child.kill('SIGHUP');
    await stderrMatches(relay, /SIGHUP: reloaded; apis: steam \(\d+ operations\); presets: apps/);
    client.send({ request: 'apps', id: 'after-reload' });
    assert.deepEqual(await client.next(), { status: 'dispatched', id: 'after-reload' });
    // With the limiter carried over, the one slot is still taken by the old setup's request: nothing
    // more reaches the upstream (a fresh limiter would have sent it at once).
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(a.started, startedBefore + 1);
    a.release();
    const replies = await client.take(2);
    assert.deepEqual(replies.map((r) => `${r.status}:${r.id}`), ['ok:in-flight', 'ok:after-reload']);
  });

  test('keeps the running config when the new one is broken, and logs why', async (t) => {
    const config = path.join(tmp, 'hup-broken.yaml');
    await writeFile(config, `apis:\n  steam:\n    server: ${b.url}\npresets:\n  apps:\n    operation: steam.getAppList\n`);
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());

    await writeFile(config, 'apis:\n  steam:\n    sever: http://typo\n');
    relay.child.kill('SIGHUP');
    // stderr holds JSON log lines: the message's newline is escaped.
    await stderrMatches(relay, /"level":"error".*"msg":"SIGHUP: reload failed, the running config stays in force: config .* is invalid:\\n\s+apis\.steam\.sever: unknown key/);
    client.send({ request: 'apps', id: 'still' });
    const [, final] = await client.take(2);
    assert.deepEqual([final!.status, final!.response], ['ok', { from: 'b' }]);

    await writeFile(config, 'presets: [unclosed\n');
    relay.child.kill('SIGHUP');
    await stderrMatches(relay, /reload failed, the running config stays in force: config .* is not valid YAML/);
    client.send({ request: 'apps', id: 'still2' });
    assert.equal((await client.take(2))[1]!.status, 'ok');
    assert.equal(relay.child.exitCode, null);
  });

  test('keeps the running modules when a reloaded module is broken', async (t) => {
    const { generate } = await import('../../generator/index.js');
    const { ROOT } = await import('../support/relay-process.js');
    const out = await generate(path.join(ROOT, 'specs/steam.yaml'), { outDir: tmp, name: 'steam' });
    await writeFile(out.file, out.text);
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--server', `steam=${b.url}`, out.file]);
    t.after(() => relay.stop());
    await writeFile(out.file, 'export const api = {');
    relay.child.kill('SIGHUP');
    await stderrMatches(relay, /SIGHUP: reload failed, the running config stays in force: cannot load module/);
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send({ request: 'getAppList', id: 'm' });
    assert.equal((await client.take(2))[1]!.status, 'ok');
  });

  test('picks up a regenerated module: its new operations are served after SIGHUP', async (t) => {
    const { generate } = await import('../../generator/index.js');
    const { ROOT } = await import('../support/relay-process.js');
    const dir = path.join(tmp, 'regen');
    const files = await generate(path.join(ROOT, 'test/fixtures/e2e/files.yaml'), { outDir: dir, name: 'mod' });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    await writeFile(files.file, files.text);
    const config = path.join(tmp, 'regen.yaml');
    await writeFile(config, `apis:\n  mod:\n    server: ${b.url}\n`);
    const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, files.file]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send({ request: 'mod.getAppList', id: 'before' });
    assert.equal(code(await client.next()), 'UNKNOWN_REQUEST');
    const steam = await generate(path.join(ROOT, 'specs/steam.yaml'), { outDir: dir, name: 'mod' });
    assert.equal(steam.file, files.file);
    await writeFile(steam.file, steam.text);
    relay.child.kill('SIGHUP');
    await stderrMatches(relay, /SIGHUP: reloaded; apis: mod/);
    client.send({ request: 'mod.getAppList', id: 'after' });
    const [, final] = await client.take(2);
    assert.deepEqual([final!.status, final!.response], ['ok', { from: 'b' }]);
  });
});
