/**
 * Tests of the markdown catalog (generator/catalog.ts + emit-catalog.ts) on tiny inline documents.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OpenAPIV3 } from 'openapi-types';
import { catalogView, typeText } from '../../generator/catalog.js';
import { emitCatalog } from '../../generator/emit-catalog.js';
import { transform } from '../../generator/transform.js';

const CTX = { name: 'pets', source: 'specs/pets.yaml' };

function doc(paths: OpenAPIV3.PathsObject): OpenAPIV3.Document {
  return { openapi: '3.0.3', info: { title: 'Pets', version: '1' }, servers: [{ url: 'https://pets.example.com' }], paths };
}

const PETS = doc({
  '/pets/{petId}': {
    parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer', format: 'int64' }, example: 7 }],
    get: {
      operationId: 'getPet',
      summary: 'One pet | with a pipe',
      parameters: [
        { name: 'fields', in: 'query', description: 'Fields\nto return.', schema: { type: 'array', items: { type: 'string', enum: ['name', 'age'] } } },
        { name: 'verbose', in: 'query', schema: { type: 'boolean', default: false } },
      ],
      responses: { '200': { description: 'The pet.' }, '404': { description: 'No such pet.' } },
    },
    put: {
      operationId: 'putPet',
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' }, example: { name: 'Rex' } } } },
      responses: { '204': { description: 'Saved.' }, default: { description: 'Any other error.' } },
    },
  },
});

describe('the catalog view', () => {
  const view = catalogView(PETS, transform(PETS, CTX));
  const get = view.operations.find((o) => o.request === 'pets.getPet')!;
  const put = view.operations.find((o) => o.request === 'pets.putPet')!;

  test('lists every operation by full request name, with method and path', () => {
    assert.deepEqual(view.operations.map((o) => [o.request, o.method, o.path]), [
      ['pets.getPet', 'GET', '/pets/{petId}'],
      ['pets.putPet', 'PUT', '/pets/{petId}'],
    ]);
  });

  test('describes each parameter: location, type, required, default and description', () => {
    assert.deepEqual(get.params, [
      { name: 'petId', in: 'path', type: 'integer (int64)', required: 'yes', default: '', description: '' },
      { name: 'fields', in: 'query', type: 'array of string, one of name, age', required: 'no', default: '', description: 'Fields to return.' },
      { name: 'verbose', in: 'query', type: 'boolean', required: 'no', default: 'false', description: '' },
    ]);
  });

  test('lists the documented codes, marking which make an ok reply', () => {
    assert.deepEqual(get.codes.map((c) => [c.code, c.outcome]), [['200', '`ok`'], ['404', '`error`']]);
    assert.deepEqual(put.codes.map((c) => [c.code, c.outcome]), [['204', '`ok`'], ['default', '`error`']]);
  });

  test('says a default response is ok for a 2xx when the operation documents no 2xx', () => {
    const only = doc({ '/tree': { get: { operationId: 'tree', responses: { default: { description: 'The tree.' } } } } });
    const view = catalogView(only, transform(only, CTX));
    assert.deepEqual(view.operations[0]!.codes, [{ code: 'default', outcome: '`ok` for a 2xx, else `error`', description: 'The tree.' }]);
  });

  test('gives operations whose names differ only in case distinct anchors, as GitHub numbers repeated headings', () => {
    const twins = doc({
      '/a': { get: { operationId: 'getPet', responses: { '200': { description: 'ok' } } } },
      '/b': { get: { operationId: 'GetPet', responses: { '200': { description: 'ok' } } } },
    });
    const view = catalogView(twins, transform(twins, CTX));
    assert.deepEqual(view.operations.map((o) => [o.request, o.anchor]), [['pets.GetPet', 'petsgetpet'], ['pets.getPet', 'petsgetpet-1']]);
  });

  test('builds an example line from required params, with their spec examples, and a required body', () => {
    assert.equal(get.example, '{"request":"pets.getPet","id":"1","params":{"petId":7}}');
    assert.equal(put.example, '{"request":"pets.putPet","id":"1","params":{"petId":7},"data":{"name":"Rex"}}');
  });

  const types: Array<[string, { given: Record<string, unknown>; want: string }]> = [
    ['a type with its format', { given: { type: 'integer', format: 'int32' }, want: 'integer (int32)' }],
    ['an enum', { given: { type: 'string', enum: ['json', 'xml'] }, want: 'string, one of json, xml' }],
    ['an array of a type', { given: { type: 'array', items: { type: 'number' } }, want: 'array of number' }],
    ['a oneOf', { given: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, want: 'string or integer' }],
    ['a schema without a type', { given: {}, want: 'any' }],
  ];
  for (const [name, { given, want }] of types) {
    test(`typeText shows ${name}`, () => assert.equal(typeText(given), want));
  }
});

describe('the catalog markdown', () => {
  const md = emitCatalog(catalogView(PETS, transform(PETS, CTX)));

  test('starts with the generated header naming the spec', () => {
    assert.equal(md.split('\n')[0], '<!-- Generated by relay-gen from specs/pets.yaml. Do not edit. -->');
  });

  test('escapes pipes and newlines inside table cells', () => {
    assert.match(md, /\| \[`pets\.getPet`\]\(#petsgetpet\) \| GET \| `\/pets\/\{petId\}` \| One pet \\\| with a pipe \|/);
    assert.match(md, /\| `fields` \| query \| array of string, one of name, age \| no \|  \| Fields to return\. \|/);
  });

  test('prints each example request line in a json block', () => {
    assert.ok(md.includes('```json\n{"request":"pets.getPet","id":"1","params":{"petId":7}}\n```'));
  });
});
