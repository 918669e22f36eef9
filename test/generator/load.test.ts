/**
 * Tests of loading specs (generator/load.ts, generator/swagger2.ts) on the fixture files in
 * test/fixtures/generator/: Swagger 2.0, OpenAPI 3.0 and 3.1, a spec split over two files,
 * and specs that must be rejected with a message that says where.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIV2, OpenAPIV3 } from 'openapi-types';
import { loadSpec, type LoadedSpec } from '../../generator/load.js';
import { transform } from '../../generator/transform.js';
import { upgradeSwagger2 } from '../../generator/swagger2.js';
import { generate } from '../../generator/index.js';
import type { ApiTable, OperationSpec, ParamSpec } from '../../runtime/table.js';

/** Fixture paths relative to the working directory, as a user would type them. */
const FIXTURES = path.relative(process.cwd(), fileURLToPath(new URL('../fixtures/generator/', import.meta.url)));
const fixture = (name: string) => path.join(FIXTURES, name);

/** Each fixture is loaded once: validating is the slow part, and transform does not change the document. */
const loaded = new Map<string, Promise<LoadedSpec>>();
function load(file: string): Promise<LoadedSpec> {
  let spec = loaded.get(file);
  if (spec === undefined) loaded.set(file, (spec = loadSpec(file)));
  return spec;
}

async function tableOf(file: string): Promise<ApiTable> {
  const { doc } = await load(file);
  return transform(doc, { name: 'pets', source: file }).table;
}

function op(table: ApiTable, name: string): OperationSpec {
  const found = table.operations[name];
  assert.ok(found, `operation ${name} exists`);
  return found;
}

function param(operation: OperationSpec, name: string): ParamSpec {
  const found = operation.params.find((p) => p.name === name);
  assert.ok(found, `parameter ${name} exists`);
  return found;
}

function operationOf(doc: OpenAPIV3.Document, route: string, method: 'get' | 'post' | 'put'): OpenAPIV3.OperationObject {
  const found = doc.paths[route]?.[method];
  assert.ok(found, `${method} ${route} exists`);
  return found;
}

describe('loading a Swagger 2.0 spec', () => {
  const file = fixture('swagger2.yaml');

  test('upgrades it to the OpenAPI 3 shape and reports version 2.0', async () => {
    const { doc, version } = await load(file);
    assert.equal(version, '2.0');
    assert.match(doc.openapi, /^3\.0\./);
    assert.equal(doc.info.title, 'Pet Store (Swagger 2.0)');
  });

  test('builds the server from schemes, host and basePath, preferring https', async () => {
    const { doc } = await load(file);
    assert.deepEqual(doc.servers, [{ url: 'https://pets.example.com/v2' }]);
    assert.deepEqual((await tableOf(file)).servers, [{ url: 'https://pets.example.com/v2', variables: {} }]);
  });

  const arrays: Array<[string, { given: string; want: Pick<ParamSpec, 'in' | 'style' | 'explode'> }]> = [
    ['maps collectionFormat csv to form, not exploded', { given: 'tags', want: { in: 'query', style: 'form', explode: false } }],
    ['maps collectionFormat multi to form, exploded', { given: 'ids', want: { in: 'query', style: 'form', explode: true } }],
    ['maps collectionFormat pipes to pipeDelimited', { given: 'colours', want: { in: 'query', style: 'pipeDelimited', explode: false } }],
    ['maps collectionFormat ssv to spaceDelimited', { given: 'words', want: { in: 'query', style: 'spaceDelimited', explode: false } }],
    ['maps collectionFormat tsv to relay\'s tabDelimited', { given: 'tabs', want: { in: 'query', style: 'tabDelimited', explode: false } }],
    ['treats a missing collectionFormat as csv', { given: 'plain', want: { in: 'query', style: 'form', explode: false } }],
    ['maps a csv header array to simple, not exploded', { given: 'X-Flags', want: { in: 'header', style: 'simple', explode: false } }],
    ['keeps the defaults for a query parameter that is not an array', { given: 'limit', want: { in: 'query', style: 'form', explode: true } }],
  ];
  for (const [name, { given, want }] of arrays) {
    test(name, async () => {
      const p = param(op(await tableOf(file), 'listPets'), given);
      assert.deepEqual({ in: p.in, style: p.style, explode: p.explode }, want);
    });
  }

  test('gathers type, items and validation keywords of a parameter into its schema', async () => {
    const table = await tableOf(file);
    assert.deepEqual(param(op(table, 'listPets'), 'ids').schema, { type: 'array', items: { type: 'integer' } });
    assert.deepEqual(param(op(table, 'listPets'), 'limit').schema, { type: 'integer', minimum: 1 });
  });

  test('turns an in: body parameter into a request body with the consumed media types', async () => {
    const { doc } = await load(file);
    const post = operationOf(doc, '/pets', 'post');
    assert.deepEqual(post.parameters, []);
    const body = post.requestBody as OpenAPIV3.RequestBodyObject;
    assert.equal(body.required, true);
    assert.deepEqual(Object.keys(body.content), ['application/json']);
    // The same object as the definition, so that the emitter can refer to it by name.
    assert.equal(body.content['application/json']?.schema, doc.components?.schemas?.Pet);
    assert.deepEqual(bodyShape(op(await tableOf(file), 'createPet').body), { required: true, contentTypes: ['application/json'] });
  });

  test('turns formData parameters into an x-www-form-urlencoded object body', async () => {
    const { doc } = await load(file);
    const body = operationOf(doc, '/pets/{petId}/photo', 'post').requestBody as OpenAPIV3.RequestBodyObject;
    assert.equal(body.required, true);
    assert.deepEqual(body.content, {
      'application/x-www-form-urlencoded': {
        schema: {
          type: 'object',
          properties: { caption: { type: 'string' }, public: { type: 'boolean' }, labels: { type: 'array', items: { type: 'string' } } },
          required: ['caption'],
        },
        // collectionFormat: pipes of an array field becomes its encoding.
        encoding: { labels: { style: 'pipeDelimited', explode: false } },
      },
    });
    const table = await tableOf(file);
    assert.deepEqual(bodyShape(op(table, 'describePhoto').body), { required: true, contentTypes: ['application/x-www-form-urlencoded'] });
    assert.deepEqual(op(table, 'describePhoto').params.map((p) => `${p.in}:${p.name}`), ['path:petId']);
  });

  test('turns a file formData parameter into a multipart body with a binary string', async () => {
    const { doc } = await load(file);
    const body = operationOf(doc, '/pets/{petId}/image', 'put').requestBody as OpenAPIV3.RequestBodyObject;
    assert.deepEqual(body.content, {
      'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } },
    });
  });

  test('gives response schemas the produced media types', async () => {
    const table = await tableOf(file);
    assert.deepEqual(op(table, 'listPets').produces, ['application/json']);
    assert.deepEqual(op(table, 'describePhoto').produces, []);
    assert.deepEqual(op(table, 'uploadImage').success, []);
  });

  test('maps securityDefinitions basic and apiKey', async () => {
    const { securitySchemes } = await tableOf(file);
    assert.deepEqual(securitySchemes.basicAuth, { type: 'http', scheme: 'basic' });
    assert.deepEqual(securitySchemes.apiKey, { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });

  test('maps only the oauth2 application flow to a client-credentials token URL', async () => {
    const { securitySchemes } = await tableOf(file);
    assert.deepEqual(securitySchemes.oauthApp, { type: 'oauth2', tokenUrl: 'https://auth.example.com/token' });
    // accessCode and password flows have a tokenUrl too, but are not client credentials.
    assert.deepEqual(securitySchemes.oauthCode, { type: 'oauth2', tokenUrl: null });
    assert.deepEqual(securitySchemes.oauthPassword, { type: 'oauth2', tokenUrl: null });
  });

  test('keeps document security and operation overrides', async () => {
    const table = await tableOf(file);
    assert.deepEqual(op(table, 'listPets').security, [{ apiKey: [] }]);
    assert.deepEqual(op(table, 'createPet').security, [{ basicAuth: [] }]);
  });

  test('generates a module that refers to definitions by name', async () => {
    const { text } = await generate(file, { outDir: 'generated', name: 'pets' });
    assert.match(text, /export type CreatePetBody = SchemaPet;/);
    assert.match(text, /export type ListPetsResponse = SchemaPet\[\];/);
    assert.match(text, /^ {2}Pet: SchemaPet;$/m);
  });
});

describe('upgradeSwagger2 server URL', () => {
  const cases: Array<[string, { given: Partial<OpenAPIV2.Document>; want: string }]> = [
    ['joins scheme, host and basePath', { given: { host: 'h.example.com', basePath: '/v2', schemes: ['https'] }, want: 'https://h.example.com/v2' }],
    ['prefers https among several schemes', { given: { host: 'h.example.com', schemes: ['http', 'https'] }, want: 'https://h.example.com' }],
    ['keeps the only scheme given', { given: { host: 'h.example.com', schemes: ['http'] }, want: 'http://h.example.com' }],
    ['defaults the scheme to https', { given: { host: 'h.example.com:8080', basePath: '/api' }, want: 'https://h.example.com:8080/api' }],
    ['drops a basePath of /', { given: { host: 'h.example.com', basePath: '/' }, want: 'https://h.example.com' }],
    ['gives the basePath alone without a host', { given: { basePath: '/v2' }, want: '/v2' }],
    ['gives / without host and basePath', { given: {}, want: '/' }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const doc: OpenAPIV2.Document = { swagger: '2.0', info: { title: 't', version: '1' }, paths: {}, ...given };
      assert.deepEqual(upgradeSwagger2(doc).servers, [{ url: want }]);
    });
  }
});

describe('loading an OpenAPI 3.0 spec', () => {
  const file = fixture('openapi30.yaml');

  test('reports version 3.0 and keeps the document as it is', async () => {
    const { doc, version } = await load(file);
    assert.equal(version, '3.0');
    assert.equal(doc.openapi, '3.0.3');
  });

  test('keeps server variables with their defaults', async () => {
    assert.deepEqual((await tableOf(file)).servers, [
      { url: 'https://{region}.pets.example.com/v1', variables: { region: { default: 'eu', enum: ['eu', 'us'] } } },
    ]);
  });

  test('dereferences a recursive schema and generates it by name', async () => {
    const { doc } = await load(file);
    const pet = doc.components?.schemas?.Pet as OpenAPIV3.SchemaObject;
    assert.equal(pet.properties?.parent, pet);
    const { text } = await generate(file, { outDir: 'generated' });
    assert.match(text, /^ {2}nickname\?: string \| null;$/m);
    assert.match(text, /^ {2}parent\?: SchemaPet;$/m);
    assert.match(text, /export type GetPetResponse = SchemaPet;/);
  });
});

describe('loading an OpenAPI 3.1 spec', () => {
  const file = fixture('openapi31.yaml');

  test('reports version 3.1', async () => {
    const { doc, version } = await load(file);
    assert.equal(version, '3.1');
    assert.equal(doc.openapi, '3.1.0');
  });

  test('keeps type arrays with null in the table', async () => {
    const table = await tableOf(file);
    assert.deepEqual(param(op(table, 'getPet'), 'since').schema, { type: ['string', 'null'], format: 'date' });
  });

  test('generates type arrays with null as unions with null', async () => {
    const { text } = await generate(file, { outDir: 'generated' });
    assert.match(text, /^ {2}nickname: string \| null;$/m);
    assert.match(text, /^ {2}since\?: string \| null;$/m);
  });
});

describe('loading a spec split over two files', () => {
  const file = fixture('multi-file/api.yaml');

  test('dereferences parameters and schemas from the second file', async () => {
    const { doc } = await load(file);
    assert.doesNotMatch(JSON.stringify(doc), /\$ref/);
    const get = operationOf(doc, '/pets', 'get');
    assert.deepEqual(get.parameters, [
      { name: 'limit', in: 'query', description: 'How many pets to return at most.', schema: { type: 'integer', minimum: 1, maximum: 100 } },
    ]);
  });

  test('generates the operation with the referenced parameter and schema', async () => {
    const { text, operations } = await generate(file, { outDir: 'generated' });
    assert.equal(operations, 1);
    assert.match(text, /\/\*\* How many pets to return at most\. \*\/\n {2}limit\?: number;/);
    assert.match(text, /export type ListPetsResponse = Array<\{\n {2}id: number;\n {2}name: string;\n\}>;/);
    const table = await tableOf(file);
    assert.deepEqual(param(op(table, 'listPets'), 'limit'), {
      name: 'limit',
      in: 'query',
      required: false,
      style: 'form',
      explode: true,
      allowReserved: false,
      schema: { type: 'integer', minimum: 1, maximum: 100 },
    });
  });
});

describe('loading a spec that is not valid', () => {
  test('rejects a response without description, naming the file and the JSON pointer', async () => {
    const file = fixture('invalid-response.yaml');
    await assert.rejects(loadSpec(file), (err: Error) => {
      assert.ok(err.message.includes(`${file}#/paths/~1pets/get/responses/200`), err.message);
      assert.match(err.message, /description/);
      return true;
    });
  });

  test('rejects through generate with the same location', async () => {
    const file = fixture('invalid-response.yaml');
    await assert.rejects(generate(file, { outDir: 'generated' }), (err: Error) => {
      assert.ok(err.message.includes(`${file}#/paths/~1pets/get/responses/200`), err.message);
      return true;
    });
  });

  test('rejects a YAML syntax error with a message naming the file', async () => {
    const file = fixture('yaml-syntax-error.yaml');
    await assert.rejects(loadSpec(file), (err: Error) => {
      assert.ok(err.message.includes(file), err.message);
      return true;
    });
  });

  test('rejects a missing file with a message naming it', async () => {
    const file = fixture('no-such-spec.yaml');
    await assert.rejects(loadSpec(file), (err: Error) => {
      assert.ok(err.message.includes(file), err.message);
      return true;
    });
  });
});

/** A body spec without its per-media-type schemas, which other tests cover. */
function bodyShape(body: { required: boolean; contentTypes: string[] } | null | undefined) {
  return body && { required: body.required, contentTypes: body.contentTypes };
}
