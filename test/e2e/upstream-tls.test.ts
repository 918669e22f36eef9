/**
 * TLS end to end: loopback HTTPS servers with certificates made in the test (self-signed, expired,
 * wrong host name, a valid chain from a test CA, mutual TLS) in front of one relay-run process
 * whose APIs each have their own TLS config.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generate } from '../../generator/index.js';
import { makeTestPki } from '../support/certs.js';
import { startFaultyUpstream, type FaultyUpstream } from '../support/faulty-upstream.js';
import { LineClient, type ReplyLine } from '../support/line-client.js';
import { logLines } from '../support/log-lines.js';
import { ROOT, runRelay, startRelay, type RelayProcess } from '../support/relay-process.js';

const APIS = ['selfsigned', 'expired', 'wronghost', 'trusted', 'untrusted', 'mtls', 'mtlsnocert', 'insecure'];

let tmp: string;
let modules: string[];
const servers: Record<string, FaultyUpstream> = {};
let relay: RelayProcess;
let client: LineClient;
let n = 0;

async function call(request: string): Promise<ReplyLine & { attempts?: number }> {
  const id = `t${++n}`;
  client.send({ request, id, params: { mode: 'ok', tag: id } });
  const [dispatched, final] = await client.take(2, 15_000);
  assert.deepEqual(dispatched, { status: 'dispatched', id });
  return final!;
}

function failure(reply: ReplyLine): { code?: string; error?: string } {
  return (reply.response ?? {}) as { code?: string; error?: string };
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-tls-'));
  const pki = makeTestPki();
  await writeFile(path.join(tmp, 'ca.pem'), pki.ca.cert);
  await writeFile(path.join(tmp, 'client.pem'), pki.client.cert);
  await writeFile(path.join(tmp, 'client.key'), pki.client.key);
  servers.selfsigned = await startFaultyUpstream({ tls: pki.selfSigned });
  servers.expired = await startFaultyUpstream({ tls: pki.expired });
  servers.wronghost = await startFaultyUpstream({ tls: pki.wrongHost });
  servers.trusted = await startFaultyUpstream({ tls: pki.valid });
  servers.mtls = await startFaultyUpstream({ tls: { ...pki.valid, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true } });
  const config = `
apis:
  selfsigned: {}
  expired: { tls: { ca: ca.pem } }
  wronghost: { tls: { ca: ca.pem } }
  trusted: { tls: { ca: ca.pem, minVersion: TLSv1.2 } }
  untrusted: {}
  mtls: { tls: { ca: ca.pem, cert: client.pem, key: client.key } }
  mtlsnocert: { tls: { ca: ca.pem }, retry: { attempts: 1 } }
  insecure: { tls: { dangerouslyDisableVerification: true } }
`;
  await writeFile(path.join(tmp, 'relay.yaml'), config);
  modules = [];
  const args = ['--tcp', '127.0.0.1:0', '--config', path.join(tmp, 'relay.yaml')];
  for (const name of APIS) {
    const out = await generate(path.join(ROOT, 'test/fixtures/e2e/faulty.yaml'), { outDir: tmp, name });
    await writeFile(out.file, out.text);
    modules.push(out.file);
    const server = { untrusted: servers.trusted, mtlsnocert: servers.mtls, insecure: servers.selfsigned }[name] ?? servers[name]!;
    args.push('--server', `${name}=${server.url}`);
  }
  relay = await startRelay([...args, ...modules]);
  client = await LineClient.connect({ port: relay.port! });
});

after(async () => {
  client?.close();
  await relay?.stop();
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await rm(tmp, { recursive: true, force: true });
});

test('a self-signed certificate is refused: TLS_FAILED naming the host and "self-signed", not retried', async () => {
  const reply = await call('selfsigned.fault');
  assert.deepEqual(
    { status: reply.status, code: reply.code, attempts: reply.attempts, response: reply.response },
    { status: 'error', code: null, attempts: 1, response: { error: `TLS failure with 127.0.0.1:${servers.selfsigned!.port}: self-signed certificate`, code: 'TLS_FAILED' } },
  );
});

test('an expired certificate from a trusted CA is refused, saying it has expired', async () => {
  const reply = await call('expired.fault');
  assert.deepEqual(failure(reply), { error: `TLS failure with 127.0.0.1:${servers.expired!.port}: certificate has expired`, code: 'TLS_FAILED' });
});

test('a certificate for another host name is refused, saying so', async () => {
  const reply = await call('wronghost.fault');
  assert.deepEqual(failure(reply), { error: `TLS failure with 127.0.0.1:${servers.wronghost!.port}: certificate does not match the host name`, code: 'TLS_FAILED' });
});

test('a valid chain from the test CA is accepted with the custom CA option', async () => {
  const reply = await call('trusted.fault');
  assert.deepEqual({ status: reply.status, code: reply.code }, { status: 'ok', code: 200 });
});

test('the same server is refused without the custom CA: Node\'s store does not know the test CA', async () => {
  const reply = await call('untrusted.fault');
  assert.equal(failure(reply).code, 'TLS_FAILED');
  assert.match(failure(reply).error!, /unknown authority/);
});

test('mutual TLS is accepted with the client certificate', async () => {
  const reply = await call('mtls.fault');
  assert.deepEqual({ status: reply.status, code: reply.code }, { status: 'ok', code: 200 });
  assert.equal(servers.mtls!.hits(`ok/t${n}`), 1);
});

test('mutual TLS is refused without the client certificate, and the server never sees the request', async () => {
  const reply = await call('mtlsnocert.fault');
  assert.equal(reply.status, 'error');
  assert.equal(reply.code, null);
  // Under TLS 1.3 the server refuses after the client's handshake is done, so undici may see
  // the close ("other side closed") before the alert: either code is a refusal.
  assert.match(failure(reply).code!, /^(TLS_FAILED|CONNECTION_RESET)$/);
  assert.match(failure(reply).error!, new RegExp(`127\\.0\\.0\\.1:${servers.mtls!.port}`));
  assert.equal(servers.mtls!.hits(`ok/t${n}`), 0);
});

test('dangerouslyDisableVerification accepts a self-signed certificate, for that API only, with a warning at start-up', async () => {
  const reply = await call('insecure.fault');
  assert.deepEqual({ status: reply.status, code: reply.code }, { status: 'ok', code: 200 });
  const warnings = logLines(relay.stderr()).filter((l) => l.level === 'warn');
  assert.ok(warnings.some((l) => /^config apis\.insecure\.tls\.dangerouslyDisableVerification is true: the certificates of API insecure are NOT verified/.test(l.msg)), relay.stderr());
  // The other API on the same server is still verified.
  assert.equal(failure(await call('selfsigned.fault')).code, 'TLS_FAILED');
});

test('an unreadable CA file stops the relay with the key that names it', async () => {
  const config = path.join(tmp, 'missing-ca.yaml');
  await writeFile(config, 'apis:\n  trusted: { tls: { ca: nowhere.pem } }\n');
  const run = await runRelay(['--tcp', '127.0.0.1:0', '--config', config, modules[APIS.indexOf('trusted')]!]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /config apis\.trusted\.tls\.ca: cannot read .*nowhere\.pem: ENOENT/);
});

test('a client certificate without its key is refused at start-up', async () => {
  const config = path.join(tmp, 'half-mtls.yaml');
  await writeFile(config, 'apis:\n  mtls: { tls: { cert: client.pem } }\n');
  const run = await runRelay(['--tcp', '127.0.0.1:0', '--config', config, modules[APIS.indexOf('mtls')]!]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /apis\.mtls\.tls/);
  assert.match(run.stderr, /key/);
});
