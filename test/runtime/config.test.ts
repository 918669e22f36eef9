/**
 * Unit tests for runtime/config.ts: defaults, `${ENV}` substitution, validation messages, and loading YAML files.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Catalog } from '../../runtime/catalog.js';
import { DEFAULTS, loadConfigFile, resolveConfig, type RelayConfig } from '../../runtime/config.js';
import { api as steam } from '../../generated/steam.js';
import type { ApiTable } from '../../runtime/table.js';

const EXAMPLE = fileURLToPath(new URL('../../relay.config.example.yaml', import.meta.url));

test('resolveConfig applies the defaults to an empty config', () => {
  const { config, warnings } = resolveConfig({}, {});
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.listen, { tcp: '127.0.0.1:9876', unix: null, unixMode: '0600', unixOwner: null, unixGroup: null });
  assert.equal(config.limits.maxLineBytes, 1024 * 1024);
  assert.deepEqual(config, {
    listen: { tcp: '127.0.0.1:9876', unix: null, unixMode: '0600', unixOwner: null, unixGroup: null },
    modules: null,
    apis: {},
    presets: {},
    limits: {
      maxLineBytes: 1048576,
      maxResponseBytes: 10485760,
      maxInFlightPerConnection: 256,
      maxConnections: 1024,
      idleTimeoutMs: 0,
      maxJsonDepth: 64,
    },
    http: { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000, connectionsPerOrigin: 64 },
    upstream: {
      totalTimeoutMs: 120_000,
      retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 },
      rateLimit: { maxQueue: 100 },
      circuitBreaker: { failures: 10, cooldownMs: 30_000 },
      maxRedirects: 5,
    },
    auth: { token: null, timeoutMs: 10_000 },
    shutdown: { graceMs: 10_000 },
    log: { level: 'info', requests: true },
    metrics: { listen: null },
  } satisfies RelayConfig);
});

test('resolveConfig merges a partial section over its defaults', () => {
  const { config } = resolveConfig({ listen: { unix: '/tmp/relay.sock' }, limits: { maxLineBytes: 4096 } }, {});
  assert.deepEqual(config.listen, { tcp: '127.0.0.1:9876', unix: '/tmp/relay.sock', unixMode: '0600', unixOwner: null, unixGroup: null });
  assert.deepEqual(config.limits, { ...DEFAULTS.limits, maxLineBytes: 4096 });
});

test('resolveConfig does not let one config change the defaults of the next', () => {
  const first = resolveConfig({}, {}).config;
  first.listen.tcp = 'changed';
  first.limits.maxLineBytes = 1;
  assert.equal(resolveConfig({}, {}).config.listen.tcp, '127.0.0.1:9876');
  assert.equal(resolveConfig({}, {}).config.limits.maxLineBytes, 1024 * 1024);
});

test('resolveConfig accepts null to turn the TCP listener off', () => {
  assert.equal(resolveConfig({ listen: { tcp: null, unix: '/run/relay.sock' } }, {}).config.listen.tcp, null);
});

const substitution: Array<[string, { given: { raw: string; env: NodeJS.ProcessEnv }; want: string }]> = [
  ['substitutes ${VAR}', { given: { raw: 'http://${HOST}:8080', env: { HOST: 'mock.local' } }, want: 'http://mock.local:8080' }],
  ['substitutes several references in one string', { given: { raw: '${SCHEME}://${HOST}', env: { SCHEME: 'https', HOST: 'h' } }, want: 'https://h' }],
  ['uses the default of ${VAR:-default} when VAR is unset', { given: { raw: '${RELAY_SERVER:-http://127.0.0.1:8080}', env: {} }, want: 'http://127.0.0.1:8080' }],
  ['uses VAR over the default of ${VAR:-default} when VAR is set', { given: { raw: '${RELAY_SERVER:-http://x}', env: { RELAY_SERVER: 'https://y' } }, want: 'https://y' }],
  ['uses the default of ${VAR:-default} when VAR is empty, as the shell does', { given: { raw: '${RELAY_SERVER:-http://x}', env: { RELAY_SERVER: '' } }, want: 'http://x' }],
  ['keeps $${VAR} as a literal ${VAR}', { given: { raw: 'http://h/$${PATH}', env: { PATH: '/usr/bin' } }, want: 'http://h/${PATH}' }],
  ['leaves a lone $ alone', { given: { raw: 'http://h/$x', env: {} }, want: 'http://h/$x' }],
];

for (const [name, { given, want }] of substitution) {
  test(`resolveConfig ${name}`, () => {
    const { config } = resolveConfig({ apis: { steam: { server: given.raw } } }, given.env);
    assert.equal(config.apis.steam?.server, want);
  });
}

test('resolveConfig substitutes ${VAR} in credentials', () => {
  const raw = { apis: { steam: { credentials: { steamApiKey: '${STEAM_API_KEY}', basic: { username: 'u', password: '${PW}' } } } } };
  const { config, warnings } = resolveConfig(raw, { STEAM_API_KEY: 'K123', PW: 'p@ss' });
  assert.deepEqual(config.apis.steam?.credentials, { steamApiKey: 'K123', basic: { username: 'u', password: 'p@ss' } });
  assert.deepEqual(warnings, []);
});

test('resolveConfig drops a credential whose variable is unset, with a warning naming the key and the variable', () => {
  const raw = { apis: { steam: { credentials: { steamApiKey: '${STEAM_API_KEY}', other: 'literal' } } } };
  const { config, warnings } = resolveConfig(raw, {});
  assert.deepEqual(config.apis.steam?.credentials, { other: 'literal' });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /apis\.steam\.credentials\.steamApiKey/);
  assert.match(warnings[0]!, /STEAM_API_KEY/);
});

test('resolveConfig drops a basic-auth credential whose password variable is unset', () => {
  const raw = { apis: { svc: { credentials: { basic: { username: 'u', password: '${SVC_PASSWORD}' } } } } };
  const { config, warnings } = resolveConfig(raw, {});
  assert.deepEqual(config.apis.svc?.credentials, {});
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /apis\.svc\.credentials\.basic/);
  assert.match(warnings[0]!, /SVC_PASSWORD/);
});

const unsetElsewhere: Array<[string, { given: unknown; want: RegExp[] }]> = [
  ['apis.<name>.server', { given: { apis: { steam: { server: '${STEAM_SERVER}' } } }, want: [/apis\.steam\.server/, /STEAM_SERVER/] }],
  ['listen.unix', { given: { listen: { unix: '${RELAY_SOCKET}' } }, want: [/listen\.unix/, /RELAY_SOCKET/] }],
  ['a preset param', { given: { presets: { hl2: { operation: 'steam.getNewsForApp', params: { appid: '${APPID}' } } } }, want: [/presets\.hl2\.params\.appid/, /APPID/] }],
  ['a modules entry', { given: { modules: ['${MODULE}'] }, want: [/modules\[0\]/, /MODULE/] }],
];

for (const [name, { given, want }] of unsetElsewhere) {
  test(`resolveConfig throws naming ${name} when its variable is unset`, () => {
    assert.throws(
      () => resolveConfig(given, {}),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        for (const re of want) assert.match(err.message, re);
        return true;
      },
    );
  });
}

const invalid: Array<[string, { given: unknown; want: RegExp }]> = [
  ['an unknown key inside an API by its full key path', { given: { apis: { steam: { sever: 'https://x' } } }, want: /apis\.steam\.sever/ }],
  ['an unknown top-level key', { given: { lisen: { tcp: 'x' } }, want: /lisen/ }],
  ['an unknown key in limits by its full key path', { given: { limits: { maxLineByte: 5 } }, want: /limits\.maxLineByte\b/ }],
  ['a number where a string belongs', { given: { listen: { tcp: 9876 } }, want: /listen\.tcp/ }],
  ['a string where an integer belongs', { given: { limits: { maxLineBytes: 'big' } }, want: /limits\.maxLineBytes: must be integer/ }],
  ['a zero limit', { given: { http: { connectTimeoutMs: 0 } }, want: /http\.connectTimeoutMs/ }],
  ['a server URL that is not http(s)', { given: { apis: { steam: { server: 'ftp://x' } } }, want: /apis\.steam\.server/ }],
  ['a credential that is a number', { given: { apis: { steam: { credentials: { steamApiKey: 5 } } } }, want: /apis\.steam\.credentials\.steamApiKey/ }],
  ['a preset without operation', { given: { presets: { hl2: { params: { appid: 220 } } } }, want: /presets\.hl2.*operation/ }],
  ['a preset with an empty operation', { given: { presets: { hl2: { operation: '' } } }, want: /presets\.hl2\.operation/ }],
  ['a preset whose name has a dot, by its name', { given: { presets: { 'my.preset': { operation: 'steam.getNewsForApp' } } }, want: /my\.preset/ }],
  ['modules that is not a list', { given: { modules: 'generated/steam.ts' }, want: /modules/ }],
];

for (const [name, { given, want }] of invalid) {
  test(`resolveConfig refuses ${name}`, () => {
    assert.throws(() => resolveConfig(given, {}), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /^config is invalid:/);
      assert.match(err.message, want);
      return true;
    });
  });
}

test('resolveConfig names its origin in the message', () => {
  assert.throws(
    () => resolveConfig({ nope: 1 }, {}, 'config /etc/relay.yaml'),
    (err: unknown) => err instanceof Error && err.message.startsWith('config /etc/relay.yaml is invalid:'),
  );
});

test('resolveConfig refuses a top level that is not a mapping', () => {
  assert.throws(() => resolveConfig(['listen'], {}), /config is invalid/);
});

/** A fresh temporary directory, removed after the test. */
async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'relay-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('loadConfigFile reads, substitutes and validates a YAML file', async (t) => {
  const file = path.join(await tempDir(t), 'relay.yaml');
  await writeFile(
    file,
    [
      'listen:',
      '  tcp: 127.0.0.1:0',
      'apis:',
      '  steam:',
      '    server: ${MOCK:-http://127.0.0.1:8080}',
      '    credentials:',
      '      steamApiKey: ${STEAM_API_KEY}',
      'presets:',
      '  hl2:',
      '    operation: steam.getNewsForApp',
      '    params: { appid: 220, count: 3 }',
      '',
    ].join('\n'),
  );
  const { config, warnings } = await loadConfigFile(file, { STEAM_API_KEY: 'abcd1234' });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.listen, { tcp: '127.0.0.1:0', unix: null, unixMode: '0600', unixOwner: null, unixGroup: null });
  assert.deepEqual(config.apis, { steam: { server: 'http://127.0.0.1:8080', credentials: { steamApiKey: 'abcd1234' } } });
  assert.deepEqual(config.presets, { hl2: { operation: 'steam.getNewsForApp', params: { appid: 220, count: 3 } } });
  assert.equal(config.limits.maxLineBytes, DEFAULTS.limits.maxLineBytes);
});

test('loadConfigFile treats an empty file as an empty config', async (t) => {
  const file = path.join(await tempDir(t), 'empty.yaml');
  await writeFile(file, '# nothing set\n');
  const { config } = await loadConfigFile(file, {});
  assert.deepEqual(config.listen, DEFAULTS.listen);
});

test('loadConfigFile names the file when it is invalid', async (t) => {
  const file = path.join(await tempDir(t), 'bad.yaml');
  await writeFile(file, 'limits:\n  maxLineBytes: lots\n');
  await assert.rejects(loadConfigFile(file, {}), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.ok(err.message.startsWith(`config ${file} is invalid`), err.message);
    assert.match(err.message, /limits\.maxLineBytes/);
    return true;
  });
});

test('loadConfigFile names the file when it is not YAML', async (t) => {
  const file = path.join(await tempDir(t), 'broken.yaml');
  await writeFile(file, 'listen: [unclosed\n');
  await assert.rejects(loadConfigFile(file, {}), new RegExp(`config ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid YAML`));
});

test('loadConfigFile names the file and the reason when it cannot be read', async (t) => {
  const file = path.join(await tempDir(t), 'missing.yaml');
  await assert.rejects(loadConfigFile(file, {}), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.equal(err.message, `cannot read config ${file}: ENOENT`);
    return true;
  });
});

test('relay.config.example.yaml loads with no environment and matches the generated steam table', async (t) => {
  if (!existsSync(EXAMPLE)) {
    t.skip('relay.config.example.yaml does not exist yet; this test runs once it is written');
    return;
  }
  const { config, warnings } = await loadConfigFile(EXAMPLE, {});
  // Without STEAM_API_KEY its credential is dropped with a warning; with it, it is used.
  for (const warning of warnings) assert.match(warning, /^apis\.[^.]+\.credentials\./);
  const withKey = await loadConfigFile(EXAMPLE, { STEAM_API_KEY: 'example-key' });
  assert.deepEqual(withKey.warnings, []);
  // Its apis, credentials and presets must name things the generated table has.
  const tables: ApiTable[] = [steam as unknown as ApiTable];
  for (const loaded of [config, withKey.config]) {
    const catalog = new Catalog({ tables, apis: loaded.apis, presets: loaded.presets });
    for (const name of Object.keys(loaded.presets)) assert.equal(catalog.lookup(name).preset, loaded.presets[name]);
  }
});

test('resolveConfig accepts OAuth2 client credentials and server variables', () => {
  const raw = {
    apis: {
      pets: {
        serverVariables: { region: 'eu' },
        credentials: { machine: { clientId: 'id', clientSecret: '${SECRET}', scopes: ['a'], tokenUrl: 'https://auth.example.com/t', clientAuth: 'body' } },
      },
    },
  };
  const { config, warnings } = resolveConfig(raw, { SECRET: 's' });
  assert.deepEqual(config.apis.pets, {
    serverVariables: { region: 'eu' },
    credentials: { machine: { clientId: 'id', clientSecret: 's', scopes: ['a'], tokenUrl: 'https://auth.example.com/t', clientAuth: 'body' } },
  });
  assert.deepEqual(warnings, []);
});

test('resolveConfig drops OAuth2 client credentials whose secret variable is unset, with a warning', () => {
  const raw = { apis: { pets: { credentials: { machine: { clientId: 'id', clientSecret: '${UNSET_SECRET}' } } } } };
  const { config, warnings } = resolveConfig(raw, {});
  assert.deepEqual(config.apis.pets, { credentials: {} });
  assert.match(warnings[0]!, /apis\.pets\.credentials\.machine\.clientSecret: environment variable UNSET_SECRET is not set/);
});

const badOpenApiConfig: Array<[string, { given: unknown; want: RegExp }]> = [
  ['a server variable that is not a string', { given: { apis: { p: { serverVariables: { port: 8080 } } } }, want: /apis\.p\.serverVariables\.port: must be string/ }],
  ['an unknown clientAuth', { given: { apis: { p: { credentials: { m: { clientId: 'a', clientSecret: 'b', clientAuth: 'jwt' } } } } }, want: /apis\.p\.credentials\.m/ }],
  ['a token URL that is not http(s)', { given: { apis: { p: { credentials: { m: { clientId: 'a', clientSecret: 'b', tokenUrl: 'file:///etc/passwd' } } } } }, want: /apis\.p\.credentials\.m/ }],
];
for (const [name, { given, want }] of badOpenApiConfig) {
  test(`resolveConfig refuses ${name}, naming the key`, () => {
    assert.throws(() => resolveConfig(given, {}), want);
  });
}
