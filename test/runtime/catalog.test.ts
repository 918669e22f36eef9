/**
 * Unit tests for runtime/catalog.ts: compiling operations (server, base path, success test)
 * and looking up request names, presets included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Catalog, type CatalogInput } from '../../runtime/catalog.js';
import type { PresetConfig } from '../../runtime/config.js';
import { apiTable, compileOne, operation, param } from '../fixtures/runtime/tables.js';
import { relayError } from '../support/relay-error.js';

/** Two APIs that both define `status`; `alpha.list` has a spec operationId that differs from its name. */
function tables() {
  return [
    apiTable('alpha', [
      operation('list', { operationId: 'ListThings', path: '/things' }),
      operation('getThing', { path: '/things/{id}', params: [param('id', 'path')] }),
      operation('status'),
    ], {
      securitySchemes: { key: { type: 'apiKey', in: 'query', name: 'key' } },
    }),
    apiTable('beta', [operation('status'), operation('ping')], { servers: [{ url: 'https://beta.example.com', variables: {} }] }),
  ];
}

function catalog(input: Partial<CatalogInput> = {}): Catalog {
  return new Catalog({ tables: tables(), apis: {}, presets: {}, ...input });
}

const found: Array<[string, { given: string; want: string }]> = [
  ['finds api.op', { given: 'alpha.list', want: 'alpha.list' }],
  ['finds api.op when another API shares the operation name', { given: 'beta.status', want: 'beta.status' }],
  ['finds a bare operation name defined by one API only', { given: 'ping', want: 'beta.ping' }],
  ['finds a bare name with a path parameter', { given: 'getThing', want: 'alpha.getThing' }],
  ['finds api.operationId when it differs from the name', { given: 'alpha.ListThings', want: 'alpha.list' }],
  ['finds a bare operationId when it differs from the name', { given: 'ListThings', want: 'alpha.list' }],
];

for (const [name, { given, want }] of found) {
  test(`Catalog.lookup ${name}`, () => {
    const target = catalog().lookup(given);
    assert.equal(target.op.fullName, want);
    assert.equal(target.preset, null);
  });
}

test('Catalog.lookup refuses AMBIGUOUS_REQUEST for a bare name two APIs define, listing both', () => {
  assert.throws(() => catalog().lookup('status'), relayError('AMBIGUOUS_REQUEST', /request status is defined by several APIs \(alpha\.status, beta\.status\)/));
});

const unknown: Array<[string, { given: string }]> = [
  ['an unknown bare name', { given: 'nope' }],
  ['an unknown operation of a known API', { given: 'alpha.nope' }],
  ['an operation of an unknown API', { given: 'gamma.list' }],
  ['an operation of the wrong API', { given: 'beta.list' }],
  ['a name that differs only in case', { given: 'alpha.List' }],
];

for (const [name, { given }] of unknown) {
  test(`Catalog.lookup refuses UNKNOWN_REQUEST for ${name}`, () => {
    assert.throws(() => catalog().lookup(given), relayError('UNKNOWN_REQUEST', new RegExp(`unknown request: ${given.replace('.', '\\.')}$`)));
  });
}

test('Catalog.lookup returns the preset with its operation', () => {
  const mine: PresetConfig = { operation: 'alpha.list', params: { limit: 3 } };
  const target = catalog({ presets: { mine } }).lookup('mine');
  assert.equal(target.op.fullName, 'alpha.list');
  assert.equal(target.preset, mine);
});

test('Catalog accepts a preset naming a unique bare operation or an operationId', () => {
  const c = catalog({ presets: { a: { operation: 'ping' }, b: { operation: 'ListThings' } } });
  assert.equal(c.lookup('a').op.fullName, 'beta.ping');
  assert.equal(c.lookup('b').op.fullName, 'alpha.list');
});

test('Catalog lets a preset take a bare name that two APIs share', () => {
  const c = catalog({ presets: { status: { operation: 'beta.status' } } });
  assert.equal(c.lookup('status').op.fullName, 'beta.status');
});

const badConfig: Array<[string, { given: Partial<CatalogInput>; want: RegExp }]> = [
  ['a preset pointing to an unknown operation', { given: { presets: { hl2: { operation: 'alpha.nope' } } }, want: /presets\.hl2\.operation: unknown operation alpha\.nope/ }],
  ['a preset pointing to an ambiguous bare name', { given: { presets: { s: { operation: 'status' } } }, want: /presets\.s\.operation: status is ambiguous; use one of alpha\.status, beta\.status/ }],
  ['config for an API that is not loaded', { given: { apis: { gamma: { server: 'https://x' } } }, want: /config apis\.gamma: no loaded API is named gamma \(loaded: alpha, beta\)/ }],
  ['credentials for a scheme the API does not have', { given: { apis: { alpha: { credentials: { token: 'abcd' } } } }, want: /config apis\.alpha\.credentials\.token: API alpha has no security scheme token \(it has: key\)/ }],
  ['credentials for an API that has no schemes at all', { given: { apis: { beta: { credentials: { key: 'abcd' } } } }, want: /apis\.beta\.credentials\.key: .*\(it has: none\)/ }],
];

for (const [name, { given, want }] of badConfig) {
  test(`Catalog throws at construction for ${name}`, () => {
    assert.throws(() => catalog(given), want);
  });
}

test('Catalog collects every configured secret for redaction', () => {
  const c = catalog({ apis: { alpha: { credentials: { key: 'k-123456' } } } });
  assert.deepEqual(c.secrets, ['k-123456']);
});

const success: Array<[string, { given: { success: string[]; status: number }; want: boolean }]> = [
  ['an explicit 200 accepts 200', { given: { success: ['200'], status: 200 }, want: true }],
  ['an explicit 200 refuses 201', { given: { success: ['200'], status: 201 }, want: false }],
  ['an explicit 200 refuses 404', { given: { success: ['200'], status: 404 }, want: false }],
  ['explicit 200 and 204 accept 204', { given: { success: ['200', '204'], status: 204 }, want: true }],
  ['a 2XX range accepts 200', { given: { success: ['2XX'], status: 200 }, want: true }],
  ['a 2XX range accepts 299', { given: { success: ['2XX'], status: 299 }, want: true }],
  ['a 2XX range refuses 300', { given: { success: ['2XX'], status: 300 }, want: false }],
  ['a 2XX range refuses 199', { given: { success: ['2XX'], status: 199 }, want: false }],
  ['a lower-case 2xx range accepts 250', { given: { success: ['2xx'], status: 250 }, want: true }],
  ['a range and a code together accept either', { given: { success: ['201', '3XX'], status: 304 }, want: true }],
  ['an empty list accepts any 2xx', { given: { success: [], status: 204 }, want: true }],
  ['an empty list accepts 200', { given: { success: [], status: 200 }, want: true }],
  ['an empty list refuses 304', { given: { success: [], status: 304 }, want: false }],
  ['an empty list refuses 500', { given: { success: [], status: 500 }, want: false }],
];

for (const [name, { given, want }] of success) {
  test(`compiled isSuccess: ${name}`, () => {
    const op = compileOne(operation('op', { success: given.success }));
    assert.equal(op.isSuccess(given.status), want);
  });
}

const servers: Array<[string, { given: Parameters<typeof compileOne>[1] & { opServers?: Array<{ url: string; variables: Record<string, { default: string }> }> }; want: { origin: string | null; basePath: string; host: string } }]> = [
  [
    'takes origin and base path from a server URL with a path',
    { given: { table: { servers: [{ url: 'https://api.example.com/v1', variables: {} }] } }, want: { origin: 'https://api.example.com', basePath: '/v1', host: 'api.example.com' } },
  ],
  [
    'drops trailing slashes from the base path',
    { given: { table: { servers: [{ url: 'https://api.example.com/v1/', variables: {} }] } }, want: { origin: 'https://api.example.com', basePath: '/v1', host: 'api.example.com' } },
  ],
  [
    'gives an empty base path for a bare origin',
    { given: { table: { servers: [{ url: 'https://api.example.com', variables: {} }] } }, want: { origin: 'https://api.example.com', basePath: '', host: 'api.example.com' } },
  ],
  [
    'fills server variables with their defaults',
    {
      given: {
        table: {
          servers: [
            {
              url: 'https://{region}.example.com:{port}/{version}',
              variables: { region: { default: 'eu', enum: ['eu', 'us'] }, port: { default: '8443' }, version: { default: 'v2' } },
            },
          ],
        },
      },
      want: { origin: 'https://eu.example.com:8443', basePath: '/v2', host: 'eu.example.com:8443' },
    },
  ],
  [
    'uses the first of several servers',
    {
      given: { table: { servers: [{ url: 'https://one.example.com/a', variables: {} }, { url: 'https://two.example.com/b', variables: {} }] } },
      want: { origin: 'https://one.example.com', basePath: '/a', host: 'one.example.com' },
    },
  ],
  [
    'prefers the operation servers over the API servers',
    { given: { opServers: [{ url: 'https://upload.example.com/u', variables: {} }] }, want: { origin: 'https://upload.example.com', basePath: '/u', host: 'upload.example.com' } },
  ],
  [
    'prefers apis.<name>.server over the spec servers',
    { given: { api: { server: 'http://127.0.0.1:8080/mock' } }, want: { origin: 'http://127.0.0.1:8080', basePath: '/mock', host: '127.0.0.1:8080' } },
  ],
  [
    'prefers apis.<name>.server over the operation servers',
    { given: { api: { server: 'http://127.0.0.1:8080' }, opServers: [{ url: 'https://upload.example.com/u', variables: {} }] }, want: { origin: 'http://127.0.0.1:8080', basePath: '', host: '127.0.0.1:8080' } },
  ],
  [
    'has no origin when the only server URL is relative, and names the API as host',
    { given: { table: { servers: [{ url: '/v1', variables: {} }] } }, want: { origin: null, basePath: '', host: 't' } },
  ],
  [
    'fills server variables from apis.<name>.serverVariables, defaults for the rest',
    {
      given: {
        table: { servers: [{ url: 'https://{region}.example.com/{version}', variables: { region: { default: 'eu', enum: ['eu', 'us'] }, version: { default: 'v1' } } }] },
        api: { serverVariables: { region: 'us' } },
      },
      want: { origin: 'https://us.example.com', basePath: '/v1', host: 'us.example.com' },
    },
  ],
  [
    'fills the operation servers\' variables from the config too',
    {
      given: { api: { serverVariables: { port: '9443' } }, opServers: [{ url: 'https://up.example.com:{port}/u', variables: { port: { default: '443' } } }] },
      want: { origin: 'https://up.example.com:9443', basePath: '/u', host: 'up.example.com:9443' },
    },
  ],
  [
    'has no origin when the operation\'s own server is relative, rather than mixing it with the API\'s',
    { given: { opServers: [{ url: '/upload', variables: {} }] }, want: { origin: null, basePath: '', host: 't' } },
  ],
  [
    'has no origin when the API has no servers',
    { given: { table: { servers: [] } }, want: { origin: null, basePath: '', host: 't' } },
  ],
];

for (const [name, { given, want }] of servers) {
  test(`compiled operation ${name}`, () => {
    const { opServers, ...options } = given;
    const op = compileOne(operation('op', opServers ? { servers: opServers } : {}), options);
    assert.deepEqual({ origin: op.origin, basePath: op.basePath, host: op.host }, want);
  });
}

test('Catalog warns about an API with no absolute server URL, naming --server', () => {
  const c = new Catalog({ tables: [apiTable('rel', [operation('x')], { servers: [{ url: '/api', variables: {} }] })], apis: {}, presets: {} });
  assert.equal(c.warnings.length, 1);
  assert.match(c.warnings[0]!, /API rel has no absolute server URL; set --server rel=URL/);
});

test('Catalog does not warn when apis.<name>.server supplies the URL', () => {
  const c = new Catalog({ tables: [apiTable('rel', [operation('x')], { servers: [] })], apis: { rel: { server: 'http://127.0.0.1:1' } }, presets: {} });
  assert.deepEqual(c.warnings, []);
  assert.equal(c.lookup('rel.x').op.origin, 'http://127.0.0.1:1');
});

test('compiled operation splits its path template into text and parameters', () => {
  const id = param('id', 'path');
  const fmt = param('fmt', 'path');
  const op = compileOne(operation('op', { path: '/things/{id}.{fmt}/raw', params: [id, fmt] }));
  assert.deepEqual(op.segments, ['/things/', id, '.', fmt, '/raw']);
});

test('compiled operation lists its required parameters and indexes all of them by name', () => {
  const id = param('id', 'path');
  const q = param('q', 'query', { required: true });
  const limit = param('limit', 'query');
  const op = compileOne(operation('op', { path: '/x/{id}', params: [id, q, limit] }));
  assert.deepEqual(op.required, [id, q]);
  assert.deepEqual([...op.params.keys()], ['id', 'q', 'limit']);
});

test('compiled operation joins produces into one Accept value, or none', () => {
  assert.equal(compileOne(operation('a', { produces: ['application/json', 'text/plain'] })).accept, 'application/json, text/plain');
  assert.equal(compileOne(operation('b', { produces: [] })).accept, null);
});

const badVariables: Array<[string, { given: Record<string, string>; want: RegExp }]> = [
  ['a value outside the enum', { given: { region: 'mars' }, want: /config apis\.t\.serverVariables\.region: "mars" is not allowed; use one of eu, us$/ }],
  ['a variable no server declares', { given: { zone: 'a' }, want: /serverVariables\.zone: the servers of API t have no variable zone \(they have: region, port\)/ }],
  ['a value that would change the host', { given: { port: '80@evil.example' }, want: /serverVariables\.port: "80@evil\.example" may not contain/ }],
  ['a value that would add a path', { given: { port: '80/x' }, want: /may not contain/ }],
];
for (const [name, { given, want }] of badVariables) {
  test(`Catalog refuses, at start-up, server variables with ${name}`, () => {
    const table = { servers: [{ url: 'https://{region}.example.com:{port}', variables: { region: { default: 'eu', enum: ['eu', 'us'] }, port: { default: '443' } } }] };
    assert.throws(() => compileOne(operation('op'), { table, api: { serverVariables: given } }), want);
  });
}

test('Catalog refuses OAuth2 client credentials for a scheme that is not oauth2, naming the key', () => {
  const op = operation('op', { security: [{ key: [] }] });
  const table = { securitySchemes: { key: { type: 'apiKey' as const, in: 'header' as const, name: 'X-Key' } } };
  assert.throws(() => compileOne(op, { table, api: { credentials: { key: { clientId: 'a', clientSecret: 'b' } } } }), /config apis\.t\.credentials\.key: clientId\/clientSecret fit only an oauth2 scheme; key is apiKey/);
});

test('Catalog resolves a relative OAuth2 token URL against the server and plans a token fetch', () => {
  const op = operation('op', { security: [{ m: [] }] });
  const table = { securitySchemes: { m: { type: 'oauth2' as const, tokenUrl: '/oauth/token' } } };
  const compiled = compileOne(op, { table, api: { credentials: { m: { clientId: 'a', clientSecret: 'secret-b' } } } });
  const target = { headers: {}, query: [], cookies: [] } as Parameters<typeof compiled.auth>[0];
  compiled.auth(target);
  assert.equal(typeof target.authorize, 'function');
  assert.deepEqual(target.headers, {});
});
