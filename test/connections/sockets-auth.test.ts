/**
 * Socket safety: UNIX socket file mode, stale and live socket files, the non-loopback warning,
 * and client authentication with a shared token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineClient } from '../support/line-client.js';
import { logLines } from '../support/log-lines.js';
import { runRelay, startRelay } from '../support/relay-process.js';
import { startGatedUpstream, type GatedUpstream } from '../support/gated-upstream.js';

let tmp: string;
let upstream: GatedUpstream;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-sock-'));
  upstream = await startGatedUpstream();
});
after(async () => {
  await upstream.close();
  await rm(tmp, { recursive: true, force: true });
});

const code = (reply: { response?: unknown }) => (reply.response as { code: string }).code;

describe('UNIX sockets', () => {
  test('the socket is created with mode 0600 by default', async (t) => {
    const sock = path.join(tmp, 'default.sock');
    const relay = await startRelay(['--unix', sock]);
    t.after(() => relay.stop());
    assert.equal((await stat(sock)).mode & 0o777, 0o600);
  });

  test('listen.unixMode sets the mode of the socket', async (t) => {
    const sock = path.join(tmp, 'group.sock');
    const config = path.join(tmp, 'mode.yaml');
    await writeFile(config, `listen:\n  tcp: null\n  unix: ${sock}\n  unixMode: "0660"\n`);
    const relay = await startRelay(['--config', config]);
    t.after(() => relay.stop());
    assert.equal((await stat(sock)).mode & 0o777, 0o660);
  });

  test('listen.unixOwner and listen.unixGroup give the socket to that user and group, with the configured mode', async (t) => {
    const sock = path.join(tmp, 'owned.sock');
    const config = path.join(tmp, 'owned.yaml');
    // Root may give the socket to anyone; another user only to a group it belongs to.
    const [ownUid, ownGid, groups] = [process.getuid!(), process.getgid!(), process.getgroups!()];
    const uid = ownUid === 0 ? 4243 : ownUid;
    const gid = ownUid === 0 ? 4242 : (groups.find((g) => g !== ownGid) ?? ownGid);
    await writeFile(config, `listen:\n  tcp: null\n  unix: ${sock}\n  unixMode: "0660"\n  unixOwner: ${uid}\n  unixGroup: "${gid}"\n`);
    const relay = await startRelay(['--config', config]);
    t.after(() => relay.stop());
    const s = await stat(sock);
    assert.deepEqual([s.uid, s.gid, s.mode & 0o777], [uid, gid, 0o660]);
  });

  test('a listen.unixGroup that names no group stops start-up with exit 1, naming the key, and leaves no socket', async () => {
    const sock = path.join(tmp, 'nogroup.sock');
    const config = path.join(tmp, 'nogroup.yaml');
    await writeFile(config, `listen:\n  tcp: null\n  unix: ${sock}\n  unixGroup: no-such-group-for-relay\n`);
    const r = await runRelay(['--config', config]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /config listen\.unixGroup: no group named no-such-group-for-relay in \/etc\/group/);
    assert.equal(existsSync(sock), false);
  });

  test('a stale socket file left by a killed relay is replaced', async (t) => {
    const sock = path.join(tmp, 'stale.sock');
    const dead = await startRelay(['--unix', sock]);
    dead.child.kill('SIGKILL');
    await new Promise((resolve) => dead.child.once('exit', resolve));
    assert.ok(existsSync(sock), 'SIGKILL leaves the socket file behind');
    const relay = await startRelay(['--unix', sock, '--server', `steam=${upstream.url}`]);
    t.after(() => relay.stop());
    const client = await LineClient.connect({ path: sock });
    t.after(() => client.close());
    client.send({ request: 'getAppList', id: 's' });
    assert.deepEqual((await client.take(2)).map((r) => r.status), ['dispatched', 'ok']);
  });

  test('a second relay on the socket of a live relay exits 1 with a clear message, and the first keeps serving', async (t) => {
    const sock = path.join(tmp, 'live.sock');
    const first = await startRelay(['--unix', sock, '--server', `steam=${upstream.url}`]);
    t.after(() => first.stop());
    const second = await runRelay(['--unix', sock]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`cannot listen on unix ${sock}: address already in use`));
    const client = await LineClient.connect({ path: sock });
    t.after(() => client.close());
    client.send({ request: 'getAppList', id: 'l' });
    assert.deepEqual((await client.take(2)).map((r) => r.status), ['dispatched', 'ok']);
  });
});

describe('TCP address', () => {
  test('warns at start-up when bound to a non-loopback address, not when bound to loopback', async (t) => {
    const wide = await startRelay(['--tcp', '0.0.0.0:0']);
    t.after(() => wide.stop());
    const warnings = logLines(wide.stderr()).filter((l) => l.level === 'warn');
    assert.ok(warnings.some((l) => /^listening on non-loopback address 0\.0\.0\.0 and no auth\.token is set/.test(l.msg)), wide.stderr());
    const local = await startRelay(['--tcp', '127.0.0.1:0']);
    t.after(() => local.stop());
    assert.doesNotMatch(local.stderr(), /non-loopback/);
  });
});

describe('client authentication', () => {
  const TOKEN = 'tok-0123456789abcdef-SECRET';
  const sock = () => path.join(tmp, 'auth.sock');
  let relay: Awaited<ReturnType<typeof startRelay>>;

  before(async () => {
    const config = path.join(tmp, 'auth.yaml');
    await writeFile(config, 'auth:\n  token: ${RELAY_TOKEN}\n  timeoutMs: 2000\n');
    relay = await startRelay(
      ['--tcp', '127.0.0.1:0', '--unix', sock(), '--config', config, '--server', `steam=${upstream.url}`, '--log-level', 'debug'],
      { RELAY_TOKEN: TOKEN },
    );
  });
  after(() => relay.stop());

  test('a TCP connection that presents the token gets {"status":"authenticated"} and is served', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    client.send({ auth: TOKEN });
    assert.deepEqual(await client.next(), { status: 'authenticated' });
    client.send({ request: 'getAppList', id: 'a' });
    assert.deepEqual((await client.take(2)).map((r) => r.status), ['dispatched', 'ok']);
  });

  test('a wrong token gets UNAUTHORIZED and the connection is closed', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const startedBefore = upstream.started;
    client.send({ auth: `${TOKEN}x` });
    client.send({ request: 'getAppList', id: 'after-wrong' });
    const reply = await client.next();
    assert.deepEqual(reply, {
      status: 'error',
      id: null,
      response: { error: 'this connection must first send {"auth":"<token>"} with the configured token; closing', code: 'UNAUTHORIZED' },
    });
    await client.closed();
    assert.equal(upstream.started, startedBefore, 'the request after the wrong token was not sent');
  });

  test('a request before any auth line gets UNAUTHORIZED, is not sent, and the connection is closed', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    const startedBefore = upstream.started;
    client.send({ request: 'getAppList', id: 'sneaky' });
    assert.equal(code(await client.next()), 'UNAUTHORIZED');
    await client.closed();
    assert.equal(upstream.started, startedBefore);
  });

  for (const [name, line] of [
    ['a malformed line', '{"auth":'],
    ['an auth line that is not a string', '{"auth":12345}'],
    ['an empty token', '{"auth":""}'],
  ]) {
    test(`${name} before authentication gets UNAUTHORIZED and the connection is closed`, async (t) => {
      const client = await LineClient.connect({ port: relay.port! });
      t.after(() => client.close());
      client.send(line!);
      assert.equal(code(await client.next()), 'UNAUTHORIZED');
      await client.closed();
    });
  }

  test('a TCP connection that sends nothing gets UNAUTHORIZED after auth.timeoutMs and is closed', async (t) => {
    const client = await LineClient.connect({ port: relay.port! });
    t.after(() => client.close());
    assert.equal(code(await client.next(10_000)), 'UNAUTHORIZED');
    await client.closed();
  });

  test('UNIX connections are exempt: the socket file mode guards them', async (t) => {
    const client = await LineClient.connect({ path: sock() });
    t.after(() => client.close());
    client.send({ request: 'getAppList', id: 'u' });
    assert.deepEqual((await client.take(2)).map((r) => r.status), ['dispatched', 'ok']);
  });

  test('the token never appears in the log, even at debug level', () => {
    assert.ok(relay.stderr().length > 0);
    assert.ok(!relay.stderr().includes(TOKEN));
  });

  test('a token shorter than 16 characters is refused at start-up', async () => {
    const config = path.join(tmp, 'short.yaml');
    await writeFile(config, 'auth:\n  token: short\n');
    const run = await runRelay(['--tcp', '127.0.0.1:0', '--config', config]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /auth\.token: must NOT have fewer than 16 characters/);
  });
});

