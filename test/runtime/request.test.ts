/**
 * Unit tests for runtime/request.ts: building the outgoing HTTP request from a Catalog-compiled
 * operation, the client's params and data, and the configured credentials.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiConfig } from '../../runtime/config.js';
import { buildRequest } from '../../runtime/request.js';
import type { OperationSpec, SecurityScheme } from '../../runtime/table.js';
import { version } from '../../runtime/version.js';
import { compileOne, operation, param } from '../fixtures/runtime/tables.js';
import { relayError } from '../support/relay-error.js';

const SCHEMES: Record<string, SecurityScheme> = {
  queryKey: { type: 'apiKey', in: 'query', name: 'key' },
  headerKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
  cookieKey: { type: 'apiKey', in: 'cookie', name: 'session' },
  basic: { type: 'http', scheme: 'basic' },
  bearer: { type: 'http', scheme: 'bearer' },
};

/** `GET /users/{userId}/posts` with a query and a header parameter. */
const posts = operation('posts', {
  path: '/users/{userId}/posts',
  params: [param('userId', 'path'), param('limit', 'query'), param('X-Trace', 'header')],
});

/** Compile `spec` in API `t` (server https://api.example.com/v1) with the given config. */
function compile(spec: OperationSpec, api: ApiConfig = {}) {
  return compileOne(spec, { table: { securitySchemes: SCHEMES }, api });
}

function keyed(security: OperationSpec['security'], api: ApiConfig) {
  return compile(operation('keyed', { params: [param('q', 'query')], security }), api);
}

test('buildRequest puts path, query and header parameters where they belong, under the base path', () => {
  const req = buildRequest(compile(posts), { userId: 42, limit: 10, 'X-Trace': 'abc' }, false, undefined);
  assert.equal(req.origin, 'https://api.example.com');
  assert.equal(req.method, 'GET');
  assert.equal(req.path, '/v1/users/42/posts?limit=10');
  assert.equal(req.headers['x-trace'], 'abc');
  assert.equal(req.body, null);
});

test('buildRequest leaves out the query string when no query parameter is given', () => {
  const req = buildRequest(compile(posts), { userId: 'u1' }, false, undefined);
  assert.equal(req.path, '/v1/users/u1/posts');
  assert.equal(req.headers['x-trace'], undefined);
});

test('buildRequest encodes a path parameter so that it stays in its segment', () => {
  const req = buildRequest(compile(posts), { userId: '../admin?x=1#f' }, false, undefined);
  assert.equal(req.path, '/v1/users/..%2Fadmin%3Fx%3D1%23f/posts');
});

test('buildRequest keeps the query parameters in the order of the spec', () => {
  const op = compile(operation('q', { params: [param('b', 'query'), param('a', 'query')] }));
  assert.equal(buildRequest(op, { a: 1, b: 2 }, false, undefined).path, '/v1/q?b=2&a=1');
});

test('buildRequest refuses UNKNOWN_PARAM listing the parameters the operation takes', () => {
  assert.throws(
    () => buildRequest(compile(posts), { userId: 1, limt: 5 }, false, undefined),
    relayError('UNKNOWN_PARAM', /^unknown parameter: limt \(this operation takes: userId, limit, X-Trace\)$/),
  );
});

test('buildRequest refuses UNKNOWN_PARAM for an operation that takes none', () => {
  assert.throws(() => buildRequest(compile(operation('bare')), { x: 1 }, false, undefined), relayError('UNKNOWN_PARAM', /takes: no parameters/));
});

test('buildRequest refuses MISSING_PARAM when a required parameter is absent', () => {
  assert.throws(() => buildRequest(compile(posts), { limit: 1 }, false, undefined), relayError('MISSING_PARAM', /^missing required parameter: userId$/));
});

test('buildRequest refuses MISSING_PARAM when a required parameter is null', () => {
  assert.throws(() => buildRequest(compile(posts), { userId: null }, false, undefined), relayError('MISSING_PARAM', /userId/));
});

test('buildRequest refuses MISSING_PARAM for a required query parameter', () => {
  const op = compile(operation('search', { params: [param('q', 'query', { required: true })] }));
  assert.throws(() => buildRequest(op, {}, false, undefined), relayError('MISSING_PARAM', /: q$/));
});

test('buildRequest treats a null optional parameter as absent', () => {
  const req = buildRequest(compile(posts), { userId: 1, limit: null, 'X-Trace': null }, false, undefined);
  assert.equal(req.path, '/v1/users/1/posts');
  assert.equal(req.headers['x-trace'], undefined);
});

test('buildRequest refuses INVALID_PARAM for a nested object', () => {
  assert.throws(() => buildRequest(compile(posts), { userId: 1, limit: { a: { b: 1 } } }, false, undefined), relayError('INVALID_PARAM', /limit/));
});

test('buildRequest refuses NO_SERVER when the API has no absolute server URL', () => {
  const op = compileOne(operation('x'), { table: { servers: [{ url: '/relative', variables: {} }] } });
  assert.throws(() => buildRequest(op, {}, false, undefined), relayError('NO_SERVER', /--server t=URL/));
});

test('buildRequest applies an apiKey in query from the credentials, encoded, after the parameters', () => {
  const op = keyed([{ queryKey: [] }], { credentials: { queryKey: 'k y&=/1' } });
  assert.equal(buildRequest(op, { q: 'x' }, false, undefined).path, '/v1/keyed?q=x&key=k%20y%26%3D%2F1');
  assert.equal(buildRequest(op, {}, false, undefined).path, '/v1/keyed?key=k%20y%26%3D%2F1');
});

test('buildRequest applies an apiKey in a header', () => {
  const req = buildRequest(keyed([{ headerKey: [] }], { credentials: { headerKey: 'secret-1' } }), {}, false, undefined);
  assert.equal(req.headers['x-api-key'], 'secret-1');
  assert.equal(req.path, '/v1/keyed');
});

test('buildRequest applies an apiKey in a cookie', () => {
  const req = buildRequest(keyed([{ cookieKey: [] }], { credentials: { cookieKey: 'abc;def' } }), {}, false, undefined);
  assert.equal(req.headers.cookie, 'session=abc%3Bdef');
});

test('buildRequest applies basic auth as an Authorization header', () => {
  const req = buildRequest(keyed([{ basic: [] }], { credentials: { basic: { username: 'Aladdin', password: 'open sesame' } } }), {}, false, undefined);
  assert.equal(req.headers.authorization, 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
});

test('buildRequest applies a bearer token as an Authorization header', () => {
  const req = buildRequest(keyed([{ bearer: [] }], { credentials: { bearer: 'tok-123' } }), {}, false, undefined);
  assert.equal(req.headers.authorization, 'Bearer tok-123');
});

test('buildRequest applies every scheme of an alternative that needs two', () => {
  const req = buildRequest(keyed([{ queryKey: [], bearer: [] }], { credentials: { queryKey: 'kkkk', bearer: 'tttt' } }), {}, false, undefined);
  assert.equal(req.path, '/v1/keyed?key=kkkk');
  assert.equal(req.headers.authorization, 'Bearer tttt');
});

test('buildRequest uses the first alternative whose credentials are configured', () => {
  const req = buildRequest(keyed([{ headerKey: [] }, { bearer: [] }], { credentials: { bearer: 'tttt' } }), {}, false, undefined);
  assert.equal(req.headers.authorization, 'Bearer tttt');
  assert.equal(req.headers['x-api-key'], undefined);
});

test('buildRequest refuses MISSING_CREDENTIALS naming the scheme and the config key when none is configured', () => {
  assert.throws(
    () => buildRequest(keyed([{ queryKey: [] }], {}), {}, false, undefined),
    relayError('MISSING_CREDENTIALS', /^operation t\.keyed needs credentials for security scheme queryKey; set apis\.t\.credentials\.queryKey in the config$/),
  );
});

test('buildRequest refuses MISSING_CREDENTIALS naming the scheme that is missing from a two-scheme alternative', () => {
  assert.throws(
    () => buildRequest(keyed([{ queryKey: [], bearer: [] }], { credentials: { queryKey: 'kkkk' } }), {}, false, undefined),
    relayError('MISSING_CREDENTIALS', /security scheme bearer/),
  );
});

test('buildRequest refuses MISSING_CREDENTIALS when the credential is of the wrong kind', () => {
  assert.throws(() => buildRequest(keyed([{ basic: [] }], { credentials: { basic: 'not-a-pair' } }), {}, false, undefined), relayError('MISSING_CREDENTIALS', /basic/));
});

test('buildRequest sends without credentials when security is optional and none is configured', () => {
  const req = buildRequest(keyed([{}, { queryKey: [] }], {}), { q: 'x' }, false, undefined);
  assert.equal(req.path, '/v1/keyed?q=x');
  assert.equal(req.headers.authorization, undefined);
});

test('buildRequest sends the credentials when security is optional and they are configured', () => {
  // `[{}, {queryKey: []}]`: either alternative suffices, and relay should use the key it has.
  const req = buildRequest(keyed([{}, { queryKey: [] }], { credentials: { queryKey: 'kkkk' } }), {}, false, undefined);
  assert.equal(req.path, '/v1/keyed?key=kkkk');
});

test('buildRequest sends the credentials when optional security lists the empty alternative last', () => {
  const req = buildRequest(keyed([{ queryKey: [] }, {}], { credentials: { queryKey: 'kkkk' } }), {}, false, undefined);
  assert.equal(req.path, '/v1/keyed?key=kkkk');
});

test('buildRequest sends no credentials for an operation without security even when they are configured', () => {
  const req = buildRequest(keyed([], { credentials: { queryKey: 'kkkk', bearer: 'tttt' } }), {}, false, undefined);
  assert.equal(req.path, '/v1/keyed');
  assert.equal(req.headers.authorization, undefined);
});

const create = (body: OperationSpec['body']) => compile(operation('create', { method: 'post', path: '/things', body }));

test('buildRequest sends a JSON body with its content type', () => {
  const req = buildRequest(create({ required: true, contentTypes: ['application/json'] }), {}, true, { name: 'Rex', tags: ['a'] });
  assert.equal(req.method, 'POST');
  assert.equal(req.body, '{"name":"Rex","tags":["a"]}');
  assert.equal(req.headers['content-type'], 'application/json');
});

test('buildRequest keeps a +json media type with its parameters', () => {
  const req = buildRequest(create({ required: false, contentTypes: ['application/merge-patch+json; charset=utf-8'] }), {}, true, { a: 1 });
  assert.equal(req.headers['content-type'], 'application/merge-patch+json; charset=utf-8');
  assert.equal(req.body, '{"a":1}');
});

test('buildRequest sends JSON for a body of */*', () => {
  const req = buildRequest(create({ required: false, contentTypes: ['*/*'] }), {}, true, [1, 2]);
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.body, '[1,2]');
});

test('buildRequest sends a JSON body that is a bare string or number', () => {
  assert.equal(buildRequest(create({ required: true, contentTypes: ['application/json'] }), {}, true, 'hi').body, '"hi"');
  assert.equal(buildRequest(create({ required: true, contentTypes: ['application/json'] }), {}, true, 0).body, '0');
});

test('buildRequest refuses UNEXPECTED_BODY when the operation takes no body', () => {
  assert.throws(() => buildRequest(compile(posts), { userId: 1 }, true, { a: 1 }), relayError('UNEXPECTED_BODY', /^operation t\.posts takes no request body/));
});

test('buildRequest refuses MISSING_BODY when the body is required and data is absent', () => {
  assert.throws(() => buildRequest(create({ required: true, contentTypes: ['application/json'] }), {}, false, undefined), relayError('MISSING_BODY', /operation t\.create requires/));
});

test('buildRequest refuses MISSING_BODY when the body is required and data is null', () => {
  assert.throws(() => buildRequest(create({ required: true, contentTypes: ['application/json'] }), {}, true, null), relayError('MISSING_BODY'));
});

test('buildRequest sends no body and no content type when an optional body is absent', () => {
  const req = buildRequest(create({ required: false, contentTypes: ['application/json'] }), {}, false, undefined);
  assert.equal(req.body, null);
  assert.equal(req.headers['content-type'], undefined);
});

test('buildRequest sends an x-www-form-urlencoded body, strictly encoded, arrays repeated, nulls dropped', () => {
  const op = create({ required: true, contentTypes: ['application/x-www-form-urlencoded'] });
  const req = buildRequest(op, {}, true, { name: 'Rex & co', tags: ['a', 'b'], empty: null, n: 3, ok: true });
  assert.equal(req.body, 'name=Rex%20%26%20co&tags=a&tags=b&n=3&ok=true');
  assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
});

test('buildRequest sends a nested form value as JSON text, the spec\'s default for objects in forms', () => {
  const op = create({ required: true, contentTypes: ['application/x-www-form-urlencoded'] });
  assert.equal(buildRequest(op, {}, true, { a: { b: 1 } }).body, 'a=%7B%22b%22%3A1%7D');
});

test('buildRequest refuses UNSUPPORTED_MEDIA_TYPE for octet-stream data that is not base64', () => {
  const op = create({ required: true, contentTypes: ['application/octet-stream'] });
  assert.throws(() => buildRequest(op, {}, true, 'not base64!'), relayError('UNSUPPORTED_MEDIA_TYPE', /^cannot encode "data" as application\/octet-stream \("base64" is not valid base64\) for operation t\.create$/));
});

test('buildRequest sends a text body as is', () => {
  const req = buildRequest(create({ required: true, contentTypes: ['text/plain'] }), {}, true, 'hello\n');
  assert.equal(req.body, 'hello\n');
  assert.equal(req.headers['content-type'], 'text/plain');
});

test('buildRequest sets Accept from the media types the operation produces', () => {
  const op = compile(operation('multi', { produces: ['application/json', 'application/xml'] }));
  assert.equal(buildRequest(op, {}, false, undefined).headers.accept, 'application/json, application/xml');
});

test('buildRequest sets no Accept when the operation documents no media type', () => {
  const op = compile(operation('none', { produces: [] }));
  assert.equal(buildRequest(op, {}, false, undefined).headers.accept, undefined);
});

test('buildRequest sets a user-agent naming relay and its version', () => {
  const req = buildRequest(compile(posts), { userId: 1 }, false, undefined);
  assert.equal(req.headers['user-agent'], `relay/${version}`);
  assert.match(req.headers['user-agent'] ?? '', /^relay\/\d+\.\d+\.\d+/);
});

test('buildRequest returns fresh headers for every request', () => {
  const op = compile(posts);
  const first = buildRequest(op, { userId: 1, 'X-Trace': 'one' }, false, undefined);
  const second = buildRequest(op, { userId: 1 }, false, undefined);
  assert.equal(first.headers['x-trace'], 'one');
  assert.equal(second.headers['x-trace'], undefined);
});

test('buildRequest sends the spec default of an omitted parameter, even one that breaks its own schema', () => {
  const op = compile(
    operation('paged', {
      params: [
        param('limit', 'query', { schema: { type: 'integer', default: 20 } }),
        param('order', 'query', { schema: { type: 'integer', default: 'asc' } }),
        param('page', 'query', { schema: { type: 'integer' } }),
      ],
    }),
  );
  assert.equal(buildRequest(op, {}, false, undefined).path, '/v1/paged?limit=20&order=asc');
  assert.equal(buildRequest(op, { limit: 5, page: 2 }, false, undefined).path, '/v1/paged?limit=5&order=asc&page=2');
  assert.equal(buildRequest(op, { limit: null }, false, undefined).path, '/v1/paged?limit=20&order=asc');
  assert.throws(() => buildRequest(op, { page: '2' }, false, undefined), relayError('INVALID_PARAMS', /params\.page: must be integer/));
});

test('buildRequest sends a content: application/json parameter as percent-encoded JSON text', () => {
  const op = compile(operation('search', { params: [param('filter', 'query', { contentType: 'application/json', schema: { type: 'object' } })] }));
  assert.equal(buildRequest(op, { filter: { a: { b: [1, 'x'] } } }, false, undefined).path, '/v1/search?filter=%7B%22a%22%3A%7B%22b%22%3A%5B1%2C%22x%22%5D%7D%7D');
});
