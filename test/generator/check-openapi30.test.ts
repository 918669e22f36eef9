/**
 * Tests of the quick validation of one-file OpenAPI 3.0 specs (generator/check-openapi30.ts) and of
 * loadSpec around it: whatever the check says, loadSpec accepts and rejects exactly what
 * swagger-parser's validate() does, with its messages and its dereferenced document.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { checkOpenApi30 } from '../../generator/check-openapi30.js';
import { loadSpec } from '../../generator/load.js';

type Doc = Record<string, any>;

/** A valid spec with a `$ref` of each common kind, a circular schema and an example. */
function base(): Doc {
  return {
    openapi: '3.0.3',
    info: { title: 'pets', version: '1' },
    paths: {
      '/pets/{id}': {
        get: {
          operationId: 'getPet',
          parameters: [{ $ref: '#/components/parameters/id' }, { $ref: '#/components/parameters/limit' }],
          responses: { '200': { $ref: '#/components/responses/pet' } },
        },
        put: {
          operationId: 'putPet',
          parameters: [{ $ref: '#/components/parameters/id' }],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } },
          responses: { '204': { description: 'stored', headers: { 'X-Rate': { $ref: '#/components/headers/rate' } } } },
        },
      },
    },
    components: {
      parameters: {
        id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        limit: { name: 'limit', in: 'query', schema: { type: 'integer' } },
      },
      responses: {
        pet: {
          description: 'a pet',
          headers: { 'X-Rate': { $ref: '#/components/headers/rate' } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' }, examples: { one: { $ref: '#/components/examples/one' } } } },
        },
      },
      headers: { rate: { schema: { type: 'integer' } } },
      schemas: {
        Pet: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string' }, tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } }, parent: { $ref: '#/components/schemas/Pet' } },
        },
        Tag: { type: 'string' },
      },
      examples: { one: { value: { id: '1' } } },
    },
  };
}

/**
 * [name, { change, vouched, valid }]: `vouched` is what the quick check answers for the changed spec,
 * `valid` whether swagger-parser (and so loadSpec) accepts it.
 */
const CASES: Array<[string, { change: (doc: Doc) => void; vouched: boolean; valid: boolean }]> = [
  ['vouches for a spec whose $refs all point at objects of the kind expected there', { change: () => {}, vouched: true, valid: true }],
  [
    'follows a $ref inside an example value as anything',
    { change: (doc) => (doc.components.examples.one.value = { pet: { $ref: '#/components/schemas/Tag' } }), vouched: true, valid: true },
  ],
  [
    'rejects a $ref to a parameter where a schema is expected',
    { change: (doc) => (doc.components.schemas.Pet.properties.id = { $ref: '#/components/parameters/limit' }), vouched: false, valid: false },
  ],
  [
    'rejects a response used as a request body (valid where it stands, not where it is used)',
    {
      change: (doc) => {
        doc.components.responses.tag = { description: 'a tag', headers: { 'X-Rate': { $ref: '#/components/headers/rate' } } };
        doc.paths['/pets/{id}'].put.requestBody = { $ref: '#/components/responses/tag' };
      },
      vouched: false,
      valid: false,
    },
  ],
  [
    // swagger-parser leaves a $ref to anything that holds a cycle unresolved while it validates.
    'leaves a response holding a recursive schema used as a request body to swagger-parser, which accepts it',
    { change: (doc) => (doc.paths['/pets/{id}'].put.requestBody = { $ref: '#/components/responses/pet' }), vouched: false, valid: true },
  ],
  [
    'rejects an invalid component that is used twice',
    { change: (doc) => (doc.components.schemas.Tag = { type: 'string', minLength: 'two' }), vouched: false, valid: false },
  ],
  [
    'rejects two parameter $refs that are equal once followed (uniqueItems)',
    {
      change: (doc) => {
        doc.components.parameters.limit2 = structuredClone(doc.components.parameters.limit);
        doc.paths['/pets/{id}'].get.parameters.push({ $ref: '#/components/parameters/limit2' });
      },
      vouched: false,
      valid: false,
    },
  ],
  [
    'accepts two parameter $refs that differ once followed',
    {
      change: (doc) => {
        doc.components.parameters.offset = { name: 'offset', in: 'query', schema: { type: 'integer' } };
        doc.paths['/pets/{id}'].get.parameters.push({ $ref: '#/components/parameters/offset' });
      },
      vouched: true,
      valid: true,
    },
  ],
  [
    'leaves a $ref where the schema takes no Reference Object (a path item) to swagger-parser',
    {
      change: (doc) => {
        doc['x-shared'] = { get: { operationId: 'listPets', responses: { '200': { description: 'pets' } } } };
        doc.paths['/pets'] = { $ref: '#/x-shared' };
      },
      vouched: false,
      valid: true,
    },
  ],
  [
    'leaves a $ref with sibling keys to swagger-parser',
    { change: (doc) => (doc.components.schemas.Pet.properties.id = { $ref: '#/components/schemas/Tag', description: 'the id' }), vouched: false, valid: true },
  ],
  [
    'leaves one Reference Object reached twice (a YAML alias) to swagger-parser',
    {
      change: (doc) => {
        const shared = { $ref: '#/components/schemas/Tag' };
        doc.components.schemas.Pet.properties.a = shared;
        doc.components.schemas.Pet.properties.b = shared;
      },
      vouched: false,
      valid: true,
    },
  ],
  [
    'rejects a $ref to a component whose name the schema does not check, invalid where it is used',
    {
      change: (doc) => {
        doc.components.schemas['Bad name'] = { type: 'text' };
        doc.components.schemas.Pet.properties.id = { $ref: '#/components/schemas/Bad name' };
      },
      vouched: false,
      valid: false,
    },
  ],
  [
    'rejects a $ref to nothing',
    { change: (doc) => (doc.components.schemas.Pet.properties.id = { $ref: '#/components/schemas/Nope' }), vouched: false, valid: false },
  ],
];

describe('checking an OpenAPI 3.0 spec as written', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'relay-check30-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [i, [name, { change, vouched, valid }]] of CASES.entries()) {
    test(name, async () => {
      const doc = base();
      change(doc);
      const parser = new SwaggerParser();
      await parser.parse(structuredClone(doc) as never);
      assert.equal(checkOpenApi30(parser.api as Doc, (ref) => parser.$refs.get(ref)), vouched);

      const file = path.join(dir, `case${i}.json`);
      await writeFile(file, JSON.stringify(doc));
      const theirs = await SwaggerParser.validate(file).then(
        (api) => ({ api }),
        (err: Error) => ({ err }),
      );
      const ours = await loadSpec(file).then(
        ({ doc: api }) => ({ api }),
        (err: Error) => ({ err }),
      );
      assert.equal('api' in theirs, valid, 'err' in theirs ? theirs.err.message : 'swagger-parser accepts');
      if ('api' in theirs) {
        assert.ok('api' in ours, `swagger-parser accepts, loadSpec rejects: ${'err' in ours ? ours.err.message : ''}`);
        assert.deepEqual(ours.api, theirs.api);
      } else {
        assert.ok('err' in ours, 'swagger-parser rejects, loadSpec accepts');
        // loadSpec words swagger-parser's message with the file before each JSON pointer.
        for (const line of theirs.err.message.split('\n').map((l) => l.trim()).filter(Boolean)) {
          assert.ok(ours.err.message.includes(line.replace(/^#\//, `${file}#/`)), `${ours.err.message}\nlacks: ${line}`);
        }
      }
    });
  }
});

/**
 * Mutated copies of the ReadMe OpenAPI 3.0 examples, one mutation each from a seeded generator: a
 * `$ref` pointed at another component, an object replaced by a `$ref`, a key deleted or set, an array
 * item repeated, a `$ref` given a sibling, a component added under an odd name and referenced.
 */
describe('the quick check against swagger-parser on mutated specs', () => {
  const RUNS = 80;
  let seeds: Doc[] = [];
  before(async () => {
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve('@readme/oas-examples/package.json')), '3.0', 'json');
    for (const name of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
      const text = await readFile(path.join(dir, name), 'utf8');
      if (text.length < 60_000) seeds.push(JSON.parse(text) as Doc);
    }
  });

  test('never vouches for a spec swagger-parser rejects, and dereferences to the same document', async () => {
    let state = 2;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
    let vouched = 0;
    for (let run = 0; run < RUNS; run++) {
      const doc = structuredClone(pick(seeds));
      mutate(doc, random, pick);
      const parser = new SwaggerParser();
      const ok = await parser.parse(structuredClone(doc) as never).then(
        () => checkOpenApi30(parser.api as Doc, (ref) => parser.$refs.get(ref)),
        () => false,
      );
      if (!ok) continue;
      vouched++;
      const theirs = await SwaggerParser.validate(structuredClone(doc) as never).catch((err: Error) => assert.fail(`run ${run}: vouched, swagger-parser rejects: ${err.message}`));
      assert.deepEqual(await dereferenced(doc), theirs, `run ${run}`);
    }
    // The mutations leave about half the specs valid: the check must vouch for some of them.
    assert.ok(vouched > RUNS / 4, `vouched for ${vouched} of ${RUNS}`);
  });
});

/** The document as loadSpec's quick path dereferences it: parsed, then ref-parser's dereference with swagger-parser's options. */
async function dereferenced(doc: Doc): Promise<unknown> {
  const require = createRequire(createRequire(import.meta.url).resolve('@apidevtools/swagger-parser'));
  const Options = require('./options.js') as new () => object;
  const { dereferenceInternal } = require('@apidevtools/json-schema-ref-parser') as { dereferenceInternal: (p: unknown, o: object) => void };
  const options = new Options();
  const parser = new SwaggerParser();
  await parser.parse(structuredClone(doc) as never, options as never);
  dereferenceInternal(parser, options);
  return parser.api;
}

function mutate(doc: Doc, random: () => number, pick: <T>(items: T[]) => T): void {
  const nodes: Array<{ parent: any; key: string; value: any }> = [];
  const walk = (o: any) => {
    if (o === null || typeof o !== 'object') return;
    for (const key of Object.keys(o)) {
      nodes.push({ parent: o, key, value: o[key] });
      walk(o[key]);
    }
  };
  walk(doc);
  const pointers: string[] = [];
  for (const [section, map] of Object.entries<any>(doc.components ?? {})) {
    for (const name of Object.keys(map ?? {})) pointers.push(`#/components/${section}/${name}`);
  }
  const refs = nodes.filter((n) => n.value !== null && typeof n.value === 'object' && typeof n.value.$ref === 'string');
  const objects = nodes.filter((n) => n.value !== null && typeof n.value === 'object' && !Array.isArray(n.value));
  const values = [7, 'x', true, null, [], {}, { type: 'text' }, { description: 'd' }, { name: 'n', in: 'query' }, { $ref: '' }];
  const node = pick(nodes);
  switch (Math.floor(random() * 7)) {
    case 0:
      if (refs.length > 0 && pointers.length > 0) pick(refs).value.$ref = pick(pointers);
      break;
    case 1:
      if (pointers.length > 0 && node.value !== null && typeof node.value === 'object') node.parent[node.key] = { $ref: pick(pointers) };
      break;
    case 2: {
      const keys = node.value !== null && typeof node.value === 'object' ? Object.keys(node.value) : [];
      if (keys.length > 0 && !Array.isArray(node.value)) delete node.value[pick(keys)];
      break;
    }
    case 3:
      if (objects.length > 0) {
        const key = pick(['description', 'type', 'x-a', 'example', 'items', 'schema', 'name', 'required', 'default', 'properties']);
        pick(objects).value[key] = random() < 0.5 && pointers.length > 0 ? { $ref: pick(pointers) } : structuredClone(pick(values));
      }
      break;
    case 4:
      if (Array.isArray(node.value) && node.value.length > 0) node.value.push(structuredClone(pick(node.value)));
      break;
    case 5:
      if (refs.length > 0) pick(refs).value.description = 'beside a $ref';
      break;
    default: {
      const sections = Object.keys(doc.components ?? {}).filter((s) => doc.components[s] !== null && typeof doc.components[s] === 'object');
      if (sections.length === 0 || refs.length === 0) break;
      const section = pick(sections);
      const name = pick(['Bad name', 'ok_name', 'x-y', 'é']);
      doc.components[section][name] = structuredClone(pick([{ type: 'text' }, { name: 'n', in: 'query' }, { description: 7 }, { description: 'd' }]));
      pick(refs).value.$ref = `#/components/${section}/${name}`;
    }
  }
}
