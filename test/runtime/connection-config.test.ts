/**
 * Unit tests for the connection-side config keys: listen.unixMode, auth.token, the connection limits
 * and shutdown.graceMs (defaults, merging, and messages that name the key).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULTS, resolveConfig } from '../../runtime/config.js';

test('the connection keys have safe defaults: socket 0600, no token, 256 in flight, 1024 connections, depth 64, 10 s grace', () => {
  const { config } = resolveConfig({}, {});
  assert.equal(config.listen.unixMode, '0600');
  assert.deepEqual(config.auth, { token: null, timeoutMs: 10_000 });
  assert.equal(config.limits.maxInFlightPerConnection, 256);
  assert.equal(config.limits.maxConnections, 1024);
  assert.equal(config.limits.idleTimeoutMs, 0);
  assert.equal(config.limits.maxJsonDepth, 64);
  assert.deepEqual(config.shutdown, { graceMs: 10_000 });
});

test('listen.unixOwner and listen.unixGroup take names or ids, a YAML number kept as text', () => {
  assert.deepEqual(resolveConfig({}, {}).config.listen, { tcp: '127.0.0.1:9876', unix: null, unixMode: '0600', unixOwner: null, unixGroup: null });
  const { config } = resolveConfig({ listen: { unixOwner: 'relay', unixGroup: 1001 } }, {});
  assert.equal(config.listen.unixOwner, 'relay');
  assert.equal(config.listen.unixGroup, '1001');
});

test('a partial limits section keeps the other limits at their defaults', () => {
  const { config } = resolveConfig({ limits: { idleTimeoutMs: 5000 } }, {});
  assert.deepEqual(config.limits, { ...DEFAULTS.limits, idleTimeoutMs: 5000 });
});

test('auth.token is read from the environment', () => {
  const { config } = resolveConfig({ auth: { token: '${RELAY_TOKEN}' } }, { RELAY_TOKEN: 'a-token-of-20-chars!' });
  assert.equal(config.auth.token, 'a-token-of-20-chars!');
});

test('an unset auth.token variable stops start-up, naming the key and the variable', () => {
  assert.throws(() => resolveConfig({ auth: { token: '${RELAY_TOKEN}' } }, {}), /auth\.token: environment variable RELAY_TOKEN is not set/);
});

const invalid: Array<[string, { given: unknown; want: RegExp }]> = [
  ['a unixMode that is not octal', { given: { listen: { unixMode: '0800' } }, want: /listen\.unixMode: must match pattern/ }],
  ['a unixMode given as a YAML number', { given: { listen: { unixMode: 600 } }, want: /listen\.unixMode: must be string/ }],
  ['a unixGroup that is no name', { given: { listen: { unixGroup: 'wheel; rm' } }, want: /listen\.unixGroup: must match pattern/ }],
  ['a negative unixOwner', { given: { listen: { unixOwner: -1 } }, want: /listen\.unixOwner: must be >= 0/ }],
  ['a token shorter than 16 characters, without echoing it', { given: { auth: { token: 'hunter2' } }, want: /^(?![\s\S]*hunter2)[\s\S]*auth\.token: must NOT have fewer than 16 characters/ }],
  ['an unknown auth key', { given: { auth: { tokn: 'x' } }, want: /auth\.tokn: unknown key/ }],
  ['a zero in-flight cap', { given: { limits: { maxInFlightPerConnection: 0 } }, want: /limits\.maxInFlightPerConnection: must be >= 1/ }],
  ['a negative idle timeout', { given: { limits: { idleTimeoutMs: -1 } }, want: /limits\.idleTimeoutMs: must be >= 0/ }],
  ['a fractional depth', { given: { limits: { maxJsonDepth: 1.5 } }, want: /limits\.maxJsonDepth: must be integer/ }],
  ['a negative grace period', { given: { shutdown: { graceMs: -5 } }, want: /shutdown\.graceMs: must be >= 0/ }],
];

for (const [name, { given, want }] of invalid) {
  test(`resolveConfig refuses ${name}`, () => {
    assert.throws(() => resolveConfig(given, {}), want);
  });
}
