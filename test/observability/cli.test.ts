/**
 * relay-run's command line (commander): help, version, usage errors with their exit codes, and the
 * metrics listener's address checks; the log and metrics config keys are validated like the rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../runtime/config.js';
import { logLines } from '../support/log-lines.js';
import { ROOT, runRelay, startRelay } from '../support/relay-process.js';

test('--help prints the options, the exit codes and examples on stdout and exits 0', async () => {
  const r = await runRelay(['--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: relay-run /);
  for (const option of ['--tcp', '--unix', '--server', '--config', '--log-level', '--metrics', '--list', '--print-config', '--version']) {
    assert.ok(r.stdout.includes(option), `help mentions ${option}`);
  }
  assert.match(r.stdout, /Exit codes: 0 stopped by SIGTERM\/SIGINT/);
  assert.equal(r.stderr, '');
});

test('--version prints the package version and exits 0', async () => {
  const r = await runRelay(['--version']);
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${pkg.version}\n`);
});

for (const [args, want] of [
  [['--bogus'], /relay-run: unknown option '--bogus'/],
  [['--log-level', 'loud'], /argument 'loud' is invalid\. Allowed choices are error, warn, info, debug/],
  [['--metrics', 'localhost'], /--metrics <HOST:PORT>' argument 'localhost' is invalid\. invalid TCP address "localhost"; expected HOST:PORT/],
  [['--server', 'steam'], /expected API=URL with an http\(s\) URL, e.g\. --server steam=http:\/\/127\.0\.0\.1:8080/],
  [['--tcp'], /option '--tcp <HOST:PORT>' argument missing/],
] as const) {
  test(`exits 2 for ${args.join(' ')}, saying what is wrong and where to look`, async () => {
    const r = await runRelay([...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, want);
    assert.match(r.stderr, /\nUsage: relay-run .*\nRun relay-run --help for every option\.\n$/);
    assert.equal(r.stdout, '');
  });
}

test('exits 1 naming the address when the metrics port is taken', async (t) => {
  const busy = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => busy.once('listening', resolve));
  t.after(() => busy.close());
  const port = (busy.address() as net.AddressInfo).port;
  const r = await runRelay(['--tcp', '127.0.0.1:0', '--metrics', `127.0.0.1:${port}`, 'generated/steam.ts']);
  assert.equal(r.code, 1, r.stderr);
  const errors = logLines(r.stderr).filter((l) => l.level === 'error');
  assert.ok(errors.some((l) => l.msg === `cannot listen for metrics on 127.0.0.1:${port}: address already in use (choose another with --metrics)`), r.stderr);
});

test('metrics.listen from the config starts the listener, with a warning when it is not loopback', async (t) => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-cli-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const config = path.join(tmp, 'relay.yaml');
  await writeFile(config, 'metrics: { listen: "0.0.0.0:0" }\n');
  const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', config, 'generated/steam.ts']);
  t.after(() => relay.stop());
  const lines = logLines(relay.stderr());
  assert.ok(lines.some((l) => l.level === 'warn' && l.msg.startsWith('metrics listener bound to non-loopback address 0.0.0.0')), relay.stderr());
  const at = /metrics on http:\/\/0\.0\.0\.0:(\d+)\/metrics/.exec(relay.stderr());
  assert.ok(at, relay.stderr());
  assert.equal((await fetch(`http://127.0.0.1:${at[1]}/healthz`)).status, 200);
});

test('log and metrics keys are validated with messages that name the key', () => {
  assert.throws(() => resolveConfig({ log: { level: 'loud' } }, {}), /log\.level: must be one of "error", "warn", "info", "debug"/);
  assert.throws(() => resolveConfig({ log: { requests: 'yes' } }, {}), /log\.requests: must be boolean/);
  assert.throws(() => resolveConfig({ metrics: { port: 9877 } }, {}), /metrics\.port: unknown key/);
  assert.deepEqual(resolveConfig({ log: { requests: false } }, {}).config.log, { level: 'info', requests: false });
});
