/**
 * Tests of generator/transform.ts on tiny inline documents already in OpenAPI 3 shape
 * (transform takes a validated, dereferenced document, so no loading happens here).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OpenAPIV3 } from 'openapi-types';
import { transform, type ApiModel } from '../../generator/transform.js';
import type { OperationSpec, ParamSpec, SecurityScheme } from '../../runtime/table.js';

const CTX = { name: 'pets', source: 'specs/pets.yaml' };
const OK: OpenAPIV3.ResponsesObject = { '200': { description: 'ok' } };

/** A document with the given paths and top-level fields. */
function spec(paths: OpenAPIV3.PathsObject, extra: Partial<OpenAPIV3.Document> = {}): OpenAPIV3.Document {
  return { openapi: '3.0.3', info: { title: 'Pets', version: '1.2.3' }, paths, ...extra };
}

/** A document with one operation, `GET /items/{id}` unless a path is given. */
function oneOp(op: Partial<OpenAPIV3.OperationObject>, extra: Partial<OpenAPIV3.Document> = {}, path = '/items/{id}'): OpenAPIV3.Document {
  return spec({ [path]: { get: { responses: OK, ...op } } }, extra);
}

/** The one operation of a model. */
function only(model: ApiModel): OperationSpec {
  const ops = Object.values(model.table.operations);
  assert.equal(ops.length, 1);
  return ops[0]!;
}

const run = (doc: OpenAPIV3.Document) => transform(doc, CTX);

describe('transform: the table', () => {
  test('carries format, name, source, title and version', () => {
    const { table } = run(spec({}));
    assert.equal(table.format, 1);
    assert.equal(table.name, 'pets');
    assert.equal(table.source, 'specs/pets.yaml');
    assert.equal(table.title, 'Pets');
    assert.equal(table.version, '1.2.3');
    assert.deepEqual(table.operations, {});
  });

  test('keeps method, path, summary and deprecated of an operation', () => {
    const op = only(run(spec({ '/pets/{petId}': { delete: { operationId: 'removePet', summary: 'Remove it', deprecated: true, responses: OK } } })));
    assert.equal(op.method, 'delete');
    assert.equal(op.path, '/pets/{petId}');
    assert.equal(op.summary, 'Remove it');
    assert.equal(op.deprecated, true);
  });

  test('gives null summary and deprecated false when the spec says nothing', () => {
    const op = only(run(oneOp({})));
    assert.equal(op.summary, null);
    assert.equal(op.deprecated, false);
    assert.equal(op.body, null);
    assert.equal(op.servers, null);
  });

  test('lists every method of a path item', () => {
    const { table } = run(
      spec({
        '/pets': {
          get: { operationId: 'a', responses: OK },
          put: { operationId: 'b', responses: OK },
          post: { operationId: 'c', responses: OK },
          delete: { operationId: 'd', responses: OK },
          options: { operationId: 'e', responses: OK },
          head: { operationId: 'f', responses: OK },
          patch: { operationId: 'g', responses: OK },
          trace: { operationId: 'h', responses: OK },
        },
      }),
    );
    assert.deepEqual(
      Object.values(table.operations).map((op) => `${op.name}:${op.method}`),
      ['a:get', 'b:put', 'c:post', 'd:delete', 'e:options', 'f:head', 'g:patch', 'h:trace'],
    );
  });
});

describe('transform: parameters', () => {
  const schema: OpenAPIV3.SchemaObject = { type: 'string' };
  const cases: Array<[string, { given: OpenAPIV3.ParameterObject; want: Omit<ParamSpec, 'name' | 'schema'> }]> = [
    [
      'defaults a query parameter to optional, form style, exploded',
      { given: { name: 'p', in: 'query', schema }, want: { in: 'query', required: false, style: 'form', explode: true, allowReserved: false } },
    ],
    [
      'defaults a path parameter to simple style, not exploded',
      { given: { name: 'p', in: 'path', required: true, schema }, want: { in: 'path', required: true, style: 'simple', explode: false, allowReserved: false } },
    ],
    [
      'makes a path parameter required even when the spec does not say so',
      { given: { name: 'p', in: 'path', schema }, want: { in: 'path', required: true, style: 'simple', explode: false, allowReserved: false } },
    ],
    [
      'defaults a header parameter to simple style, not exploded',
      { given: { name: 'X-Trace', in: 'header', schema }, want: { in: 'header', required: false, style: 'simple', explode: false, allowReserved: false } },
    ],
    [
      'defaults a cookie parameter to form style, exploded',
      { given: { name: 'p', in: 'cookie', schema }, want: { in: 'cookie', required: false, style: 'form', explode: true, allowReserved: false } },
    ],
    [
      'keeps required on a query parameter',
      { given: { name: 'p', in: 'query', required: true, schema }, want: { in: 'query', required: true, style: 'form', explode: true, allowReserved: false } },
    ],
    [
      'keeps explode false on a form parameter',
      { given: { name: 'p', in: 'query', explode: false, schema }, want: { in: 'query', required: false, style: 'form', explode: false, allowReserved: false } },
    ],
    [
      'defaults explode to false for a non-form style',
      { given: { name: 'p', in: 'query', style: 'pipeDelimited', schema }, want: { in: 'query', required: false, style: 'pipeDelimited', explode: false, allowReserved: false } },
    ],
    [
      'keeps an explicit style and explode',
      { given: { name: 'p', in: 'query', style: 'deepObject', explode: true, schema }, want: { in: 'query', required: false, style: 'deepObject', explode: true, allowReserved: false } },
    ],
    [
      'keeps explode true on a simple path parameter',
      { given: { name: 'p', in: 'path', required: true, explode: true, schema }, want: { in: 'path', required: true, style: 'simple', explode: true, allowReserved: false } },
    ],
    [
      'keeps a matrix style on a path parameter',
      { given: { name: 'p', in: 'path', required: true, style: 'matrix', schema }, want: { in: 'path', required: true, style: 'matrix', explode: false, allowReserved: false } },
    ],
    [
      'keeps allowReserved',
      { given: { name: 'p', in: 'query', allowReserved: true, schema }, want: { in: 'query', required: false, style: 'form', explode: true, allowReserved: true } },
    ],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const [param, ...rest] = only(run(oneOp({ parameters: [given] }))).params;
      assert.deepEqual(rest, []);
      assert.deepEqual(param, { name: given.name, schema: { type: 'string' }, ...want });
    });
  }

  test('keeps the schema without documentation keywords', () => {
    const given: OpenAPIV3.ParameterObject = {
      name: 'limit',
      in: 'query',
      schema: { type: 'integer', minimum: 1, description: 'How many.', example: 5, title: 'Limit' },
    };
    const [param] = only(run(oneOp({ parameters: [given] }))).params;
    assert.deepEqual(param?.schema, { type: 'integer', minimum: 1 });
  });

  test('keeps object properties whose names are documentation keywords', () => {
    const given: OpenAPIV3.ParameterObject = {
      name: 'filter',
      in: 'query',
      style: 'deepObject',
      schema: { type: 'object', properties: { title: { type: 'string' }, description: { type: 'string' } }, additionalProperties: false },
    };
    const [param] = only(run(oneOp({ parameters: [given] }))).params;
    assert.deepEqual(param?.schema, {
      type: 'object',
      properties: { title: { type: 'string' }, description: { type: 'string' } },
      additionalProperties: false,
    });
  });

  test('takes the schema of a content parameter from its media type', () => {
    const given: OpenAPIV3.ParameterObject = {
      name: 'filter',
      in: 'query',
      content: { 'application/json': { schema: { type: 'object', properties: { a: { type: 'string' } } } } },
    };
    const [param] = only(run(oneOp({ parameters: [given] }))).params;
    assert.deepEqual(param?.schema, { type: 'object', properties: { a: { type: 'string' } } });
  });

  test('merges path-level parameters with operation-level ones, in order', () => {
    const doc = spec({
      '/items/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: OK },
      },
    });
    assert.deepEqual(only(run(doc)).params.map((p) => `${p.in}:${p.name}`), ['path:id', 'query:q']);
  });

  test('lets an operation-level parameter override a path-level one of the same name and location', () => {
    const doc = spec({
      '/items': {
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
          { name: 'sort', in: 'query', schema: { type: 'string' } },
        ],
        get: { parameters: [{ name: 'limit', in: 'query', required: true, schema: { type: 'integer', maximum: 10 } }], responses: OK },
      },
    });
    const params = only(run(doc)).params;
    assert.deepEqual(params.map((p) => p.name), ['limit', 'sort']);
    assert.equal(params[0]?.required, true);
    assert.deepEqual(params[0]?.schema, { type: 'integer', maximum: 10 });
  });

  test('keys a parameter name used in two locations as in.name, and leaves the others by name', () => {
    const doc = spec({
      '/items': {
        parameters: [{ name: 'v', in: 'header', schema: { type: 'string' } }],
        get: { parameters: [{ name: 'v', in: 'query', schema: { type: 'string' } }, { name: 'w', in: 'query', schema: { type: 'string' } }], responses: OK },
      },
    });
    const params = only(run(doc)).params;
    assert.deepEqual(params.map((p) => [p.key ?? p.name, p.in, p.name]), [['header.v', 'header', 'v'], ['query.v', 'query', 'v'], ['w', 'query', 'w']]);
  });

  test('does not share path-level parameters between operations by reference', () => {
    const doc = spec({
      '/items': {
        parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }],
        get: { operationId: 'a', responses: OK },
        post: { operationId: 'b', responses: OK },
      },
    });
    const { table } = run(doc);
    assert.notEqual(table.operations.a?.params[0], table.operations.b?.params[0]);
    assert.deepEqual(table.operations.a?.params, table.operations.b?.params);
  });

  test('ignores Accept, Content-Type and Authorization header parameters, in any case', () => {
    const header = (name: string): OpenAPIV3.ParameterObject => ({ name, in: 'header', schema: { type: 'string' } });
    const doc = spec({
      '/items': {
        parameters: [header('accept')],
        get: { parameters: [header('Content-Type'), header('AUTHORIZATION'), header('X-Request-Id')], responses: OK },
      },
    });
    assert.deepEqual(only(run(doc)).params.map((p) => p.name), ['X-Request-Id']);
  });

  test('keeps a query parameter named like an ignored header', () => {
    const doc = oneOp({ parameters: [{ name: 'accept', in: 'query', schema: { type: 'string' } }] });
    assert.deepEqual(only(run(doc)).params.map((p) => `${p.in}:${p.name}`), ['query:accept']);
  });

  test('rejects a parameter location OpenAPI 3 does not have, naming the operation', () => {
    const doc = oneOp({ parameters: [{ name: 'pet', in: 'body' }] }, {}, '/pets');
    assert.throws(() => run(doc), { message: /#\/paths\/~1pets\/get: parameter pet has unsupported location "body"/ });
  });
});

describe('transform: request bodies', () => {
  const cases: Array<[string, { given: OpenAPIV3.RequestBodyObject | undefined; want: OperationSpec['body'] }]> = [
    ['gives null without a request body', { given: undefined, want: null }],
    [
      'lists JSON media types first, application/json before +json, then the rest alphabetically',
      {
        given: {
          content: { 'text/plain': {}, 'application/xml': {}, 'application/merge-patch+json': {}, 'application/json': {}, 'application/x-www-form-urlencoded': {} },
        },
        want: {
          required: false,
          contentTypes: ['application/json', 'application/merge-patch+json', 'application/x-www-form-urlencoded', 'application/xml', 'text/plain'],
        },
      },
    ],
    ['keeps required', { given: { required: true, content: { 'application/json': {} } }, want: { required: true, contentTypes: ['application/json'] } }],
    [
      'keeps a form-only body',
      { given: { content: { 'multipart/form-data': {} } }, want: { required: false, contentTypes: ['multipart/form-data'] } },
    ],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const op: Partial<OpenAPIV3.OperationObject> = given ? { requestBody: given } : {};
      const body = only(run(oneOp(op))).body;
      assert.deepEqual(body && { required: body.required, contentTypes: body.contentTypes }, want);
    });
  }

  test('keeps each media type\'s schema, without documentation keywords, and its encoding', () => {
    const body = only(
      run(
        oneOp({
          requestBody: {
            content: {
              'application/json': { schema: { type: 'object', description: 'a pet', properties: { n: { type: 'integer' } } } },
              'multipart/form-data': {
                schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
                encoding: { file: { contentType: 'image/png' }, tags: { style: 'form', explode: false } },
              },
            },
          },
        }),
      ),
    ).body!;
    assert.deepEqual(body.media, {
      'application/json': { schema: { type: 'object', properties: { n: { type: 'integer' } } } },
      'multipart/form-data': {
        schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
        encoding: { file: { contentType: 'image/png' }, tags: { style: 'form', explode: false } },
      },
    });
  });

  test('documents the body by the schema of its JSON media type', () => {
    const json: OpenAPIV3.SchemaObject = { type: 'object' };
    const model = run(oneOp({ operationId: 'put', requestBody: { content: { 'text/plain': { schema: { type: 'string' } }, 'application/json': { schema: json } } } }));
    assert.equal(model.docs.put?.body, json);
  });
});

describe('transform: responses', () => {
  const json = (schema: OpenAPIV3.SchemaObject = {}): OpenAPIV3.ResponseObject => ({ description: 'x', content: { 'application/json': { schema } } });
  const plain: OpenAPIV3.ResponseObject = { description: 'x' };
  const cases: Array<[string, { given: OpenAPIV3.ResponsesObject; want: Pick<OperationSpec, 'success' | 'produces'> }]> = [
    ['takes an explicit 2xx code as success', { given: { '200': json(), '404': plain }, want: { success: ['200'], produces: ['application/json'] } }],
    ['takes every 2xx code, sorted', { given: { '204': plain, '201': json(), '400': json() }, want: { success: ['201', '204'], produces: ['application/json'] } }],
    ['takes the 2XX range', { given: { '2XX': json(), '500': plain }, want: { success: ['2XX'], produces: ['application/json'] } }],
    ['normalises a lower-case 2xx range', { given: { '2xx': plain }, want: { success: ['2XX'], produces: [] } }],
    ['gives no success codes when only default is documented', { given: { default: json() }, want: { success: [], produces: ['application/json'] } }],
    ['gives no success codes for redirects and default', { given: { '302': plain, default: plain }, want: { success: [], produces: [] } }],
    ['ignores default when a 2xx is documented', { given: { '200': plain, default: json() }, want: { success: ['200'], produces: [] } }],
    [
      'collects the media types of all success responses, JSON first, without duplicates',
      {
        given: {
          '200': { description: 'x', content: { 'text/csv': {}, 'application/json': {} } },
          '206': { description: 'x', content: { 'application/json': {}, 'application/problem+json': {} } },
          '404': { description: 'x', content: { 'text/html': {} } },
        },
        want: { success: ['200', '206'], produces: ['application/json', 'application/problem+json', 'text/csv'] },
      },
    ],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const op = only(run(oneOp({ responses: given })));
      assert.deepEqual({ success: op.success, produces: op.produces }, want);
    });
  }

  test('documents the response by the schema of the first success response', () => {
    const pet: OpenAPIV3.SchemaObject = { type: 'object' };
    const model = run(oneOp({ operationId: 'get', responses: { '200': json(pet), '404': json({ type: 'string' }) } }));
    assert.equal(model.docs.get?.response, pet);
  });
});

describe('transform: security', () => {
  const documentLevel: Partial<OpenAPIV3.Document> = { security: [{ apiKey: [] }] };
  const cases: Array<[string, { given: [op: Partial<OpenAPIV3.OperationObject>, doc: Partial<OpenAPIV3.Document>]; want: OperationSpec['security'] }]> = [
    ['inherits the document security', { given: [{}, documentLevel], want: [{ apiKey: [] }] }],
    ['lets the operation override the document security', { given: [{ security: [{ oauth: ['read', 'write'] }] }, documentLevel], want: [{ oauth: ['read', 'write'] }] }],
    ['lets security: [] remove the document security', { given: [{ security: [] }, documentLevel], want: [] }],
    ['gives no requirement when neither says anything', { given: [{}, {}], want: [] }],
    [
      'keeps alternatives and an empty (optional) alternative',
      { given: [{ security: [{ apiKey: [] }, {}] }, {}], want: [{ apiKey: [] }, {}] },
    ],
    ['keeps schemes required together in one alternative', { given: [{ security: [{ apiKey: [], basic: [] }] }, {}], want: [{ apiKey: [], basic: [] }] }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => assert.deepEqual(only(run(oneOp(...given))).security, want));
  }

  const scheme = (s: unknown): Record<string, OpenAPIV3.SecuritySchemeObject> => ({ s: s as OpenAPIV3.SecuritySchemeObject });
  const schemeCases: Array<[string, { given: Record<string, OpenAPIV3.SecuritySchemeObject>; want: SecurityScheme }]> = [
    ['maps an apiKey in a query', { given: scheme({ type: 'apiKey', in: 'query', name: 'key' }), want: { type: 'apiKey', in: 'query', name: 'key' } }],
    ['maps an apiKey in a header', { given: scheme({ type: 'apiKey', in: 'header', name: 'X-API-Key' }), want: { type: 'apiKey', in: 'header', name: 'X-API-Key' } }],
    ['maps http basic', { given: scheme({ type: 'http', scheme: 'basic' }), want: { type: 'http', scheme: 'basic' } }],
    ['maps http bearer, lower-casing the scheme', { given: scheme({ type: 'http', scheme: 'Bearer', bearerFormat: 'JWT' }), want: { type: 'http', scheme: 'bearer' } }],
    [
      'maps oauth2 client credentials to its token URL',
      {
        given: scheme({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { read: 'Read' } } } }),
        want: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token' },
      },
    ],
    [
      'maps oauth2 without client credentials to no token URL',
      {
        given: scheme({ type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'https://a/auth', tokenUrl: 'https://a/token', scopes: {} } } }),
        want: { type: 'oauth2', tokenUrl: null },
      },
    ],
    ['maps openIdConnect to its URL', { given: scheme({ type: 'openIdConnect', openIdConnectUrl: 'https://a/.well-known/openid-configuration' }), want: { type: 'openIdConnect', url: 'https://a/.well-known/openid-configuration' } }],
    ['maps 3.1 mutualTLS', { given: scheme({ type: 'mutualTLS' }), want: { type: 'mutualTLS' } }],
  ];
  for (const [name, { given, want }] of schemeCases) {
    test(name, () => {
      const { table } = run(spec({}, { components: { securitySchemes: given } }));
      assert.deepEqual(table.securitySchemes, { s: want });
    });
  }
});

describe('transform: servers', () => {
  test('keeps the document servers with their variable defaults and enums, variables sorted', () => {
    const { table } = run(
      spec({}, {
        servers: [
          {
            url: 'https://{region}.example.com:{port}/v1',
            variables: { region: { default: 'eu', enum: ['eu', 'us'] }, port: { default: '8443' } },
          },
          { url: 'http://localhost:8080' },
        ],
      }),
    );
    assert.deepEqual(table.servers, [
      { url: 'https://{region}.example.com:{port}/v1', variables: { port: { default: '8443' }, region: { default: 'eu', enum: ['eu', 'us'] } } },
      { url: 'http://localhost:8080', variables: {} },
    ]);
    assert.deepEqual(Object.keys(table.servers[0]!.variables), ['port', 'region']);
  });

  test('turns variable defaults and enum values into strings', () => {
    const variables = { port: { default: 8443, enum: [8443, 443] } } as unknown as Record<string, OpenAPIV3.ServerVariableObject>;
    const { table } = run(spec({}, { servers: [{ url: 'https://example.com:{port}', variables }] }));
    assert.deepEqual(table.servers[0]?.variables, { port: { default: '8443', enum: ['8443', '443'] } });
  });

  test('gives the relative server / when the document has none', () => {
    assert.deepEqual(run(spec({})).table.servers, [{ url: '/', variables: {} }]);
    assert.deepEqual(run(spec({}, { servers: [] })).table.servers, [{ url: '/', variables: {} }]);
  });

  test('keeps operation-level servers on the operation', () => {
    const op = only(run(oneOp({ servers: [{ url: 'https://upload.example.com' }] })));
    assert.deepEqual(op.servers, [{ url: 'https://upload.example.com', variables: {} }]);
  });

  test('keeps path-level servers on the operation, and prefers operation-level ones', () => {
    const doc = spec({
      '/files': {
        servers: [{ url: 'https://files.example.com' }],
        get: { operationId: 'a', responses: OK },
        put: { operationId: 'b', servers: [{ url: 'https://upload.example.com' }], responses: OK },
      },
    });
    const { table } = run(doc);
    assert.deepEqual(table.operations.a?.servers, [{ url: 'https://files.example.com', variables: {} }]);
    assert.deepEqual(table.operations.b?.servers, [{ url: 'https://upload.example.com', variables: {} }]);
  });
});

describe('transform: operation names', () => {
  const cases: Array<[string, { given: OpenAPIV3.PathsObject; want: Record<string, string | null> }]> = [
    ['names an operation by its operationId', { given: { '/pets': { get: { operationId: 'listPets', responses: OK } } }, want: { listPets: 'listPets' } }],
    [
      'gives operations without operationId a name from method and path',
      { given: { '/pets/{petId}/toys': { get: { responses: OK }, post: { responses: OK } } }, want: { getPetsByPetIdToys: null, postPetsByPetIdToys: null } },
    ],
    [
      'turns an operationId that is not an identifier into one and keeps the original',
      { given: { '/repos': { get: { operationId: 'repos/get-content', responses: OK } } }, want: { reposGetContent: 'repos/get-content' } },
    ],
    [
      'gives a leading-digit operationId an underscore',
      { given: { '/2fa': { post: { operationId: '2fa-verify', responses: OK } } }, want: { _2faVerify: '2fa-verify' } },
    ],
    [
      'gives colliding derived names unique suffixes in path order',
      { given: { '/pets/': { get: { responses: OK } }, '/pets': { get: { responses: OK } } }, want: { getPets: null, getPets2: null } },
    ],
    [
      'gives operationIds that become the same identifier unique suffixes in path order',
      {
        given: { '/b': { get: { operationId: 'pets-list', responses: OK } }, '/a': { get: { operationId: 'pets.list', responses: OK } } },
        want: { petsList: 'pets.list', petsList2: 'pets-list' },
      },
    ],
    [
      // Names and operationIds are both lookup keys in relay-run: a derived name must not take
      // the name another operation's explicit operationId asks for.
      'keeps an explicit operationId as the name when a derived name would take it',
      { given: { '/pets': { get: { responses: OK } }, '/zoo': { get: { operationId: 'getPets', responses: OK } } }, want: { getPets2: null, getPets: 'getPets' } },
    ],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const { table } = run(spec(given));
      const got = Object.fromEntries(Object.entries(table.operations).map(([key, op]) => [key, op.operationId]));
      assert.deepEqual(got, want);
      for (const [key, op] of Object.entries(table.operations)) assert.equal(op.name, key);
    });
  }

  test('names the same operations the same way whatever the key order of the document', () => {
    const a: OpenAPIV3.PathItemObject = { get: { responses: OK } };
    const b: OpenAPIV3.PathItemObject = { get: { responses: OK }, post: { responses: OK } };
    const one = run(spec({ '/pets': a, '/pets/': b })).table.operations;
    const two = run(spec({ '/pets/': b, '/pets': a })).table.operations;
    assert.deepEqual(two, one);
    assert.deepEqual(Object.keys(two), Object.keys(one));
  });

  test('keys docs by the same names as the operations', () => {
    const model = run(spec({ '/pets': { get: { summary: 'List', description: 'All of them.', responses: OK } } }));
    assert.deepEqual(Object.keys(model.docs), Object.keys(model.table.operations));
    assert.equal(model.docs.getPets?.summary, 'List');
    assert.equal(model.docs.getPets?.description, 'All of them.');
  });
});

describe('transform: schemas', () => {
  test('passes components.schemas through by identity', () => {
    const pet: OpenAPIV3.SchemaObject = { type: 'object' };
    const model = run(spec({}, { components: { schemas: { Pet: pet } } }));
    assert.equal(model.schemas.Pet, pet);
  });

  test('does not change the document', () => {
    const doc = oneOp({ parameters: [{ name: 'q', in: 'query', schema: { type: 'string', description: 'Query.' } }] }, { security: [{ k: [] }] });
    const before = structuredClone(doc);
    run(doc);
    assert.deepEqual(doc, before);
  });
});

describe('transform: content parameters', () => {
  test('keeps the media type of a parameter described by content, and its schema', () => {
    const doc = spec({
      '/search': {
        get: { parameters: [{ name: 'filter', in: 'query', content: { 'application/json': { schema: { type: 'object' } } } }], responses: OK },
      },
    });
    const [filter] = only(run(doc)).params;
    assert.equal(filter?.contentType, 'application/json');
    assert.deepEqual(filter?.schema, { type: 'object' });
  });
});

describe('transform: lenient', () => {
  const doc = () =>
    spec({
      '/items': {
        get: { parameters: [{ name: 'ok', in: 'query', schema: { type: 'string' } }, { name: 'bad', in: 'formData' as 'query' }, { in: 'query' } as never], responses: OK },
      },
    });

  test('throws for a parameter with an unsupported location without a warn callback', () => {
    assert.throws(() => run(doc()), /#\/paths\/~1items\/get: parameter bad has unsupported location "formData"/);
  });

  test('skips broken parameters with a warning each when given a warn callback', () => {
    const warnings: string[] = [];
    const table = transform(doc(), { name: 't', source: 'specs/t.yaml', warn: (w) => warnings.push(w) }).table;
    assert.deepEqual(Object.values(table.operations)[0]!.params.map((p) => p.name), ['ok']);
    assert.deepEqual(warnings, [
      '#/paths/~1items/get: parameter bad has unsupported location "formData"; skipped',
      '#/paths/~1items/get: a parameter without a name; skipped',
    ]);
  });
});
