/**
 * Unit tests for runtime/validate.ts: schemas compiled once per operation, errors naming each field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RelayError } from '../../runtime/errors.js';
import { compileValidator, createAjv, toAjvSchema } from '../../runtime/validate.js';
import type { OperationSpec } from '../../runtime/table.js';
import { operation, param } from '../fixtures/runtime/tables.js';

const ajv = createAjv();

function validator(spec: Partial<OperationSpec>, warnings: string[] = []) {
  const check = compileValidator(ajv, operation('op', spec), 't.op', (w) => warnings.push(w));
  assert.ok(check);
  return check;
}

function fails(run: () => void, ...want: RegExp[]) {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof RelayError);
    assert.equal(err.code, 'INVALID_PARAMS');
    for (const w of want) assert.match(err.message, w);
    return true;
  });
}

const typed = {
  params: [
    param('count', 'query', { schema: { type: 'integer', minimum: 1 } }),
    param('flag', 'query', { schema: { type: 'boolean' } }),
    param('ids', 'query', { schema: { type: 'array', items: { type: 'integer' } } }),
    param('when', 'query', { schema: { type: 'string', format: 'date-time' } }),
  ],
};

const bad: Array<[string, { given: Record<string, unknown>; want: RegExp }]> = [
  ['a string for an integer, validating JSON values as sent (no coercion)', { given: { count: '5' }, want: /^request does not match the operation's schema: params\.count: must be integer$/ }],
  ['a number below the minimum', { given: { count: 0 }, want: /params\.count: must be >= 1/ }],
  ['a string for a boolean', { given: { flag: 'true' }, want: /params\.flag: must be boolean/ }],
  ['a wrong array item, by index', { given: { ids: [1, 'x'] }, want: /params\.ids\[1\]: must be integer/ }],
  ['a bad date-time format', { given: { when: 'yesterday' }, want: /params\.when: must match format "date-time"/ }],
];
for (const [name, { given, want }] of bad) {
  test(`refuses INVALID_PARAMS for ${name}`, () => {
    fails(() => validator(typed)(given, null), want);
  });
}

test('names every failing field in one message', () => {
  fails(() => validator(typed)({ count: 'x', flag: 1 }, null), /params\.count: must be integer; params\.flag: must be boolean/);
});

test('accepts JSON values of the right types', () => {
  validator(typed)({ count: 5, flag: true, ids: [1, 2], when: '2024-01-02T03:04:05Z' }, null);
});

test('validates params by their in.name key', () => {
  const check = validator({ params: [param('v', 'query', { key: 'query.v', schema: { type: 'integer' } })] });
  fails(() => check({ 'query.v': 'x' }, null), /params\.query\.v: must be integer/);
});

const body = {
  body: {
    required: true,
    contentTypes: ['application/json', 'multipart/form-data', 'application/octet-stream'],
    media: {
      'application/json': {
        schema: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' }, age: { type: 'integer', nullable: true } } },
      },
      'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } },
      'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
    },
  },
};

test('checks the body against the schema of the media type being sent', () => {
  const check = validator(body);
  fails(() => check({}, { type: 'application/json', value: { age: 'x', extra: 1 } }), /data\.name: is required/, /data\.age: must be integer,null/, /data\.extra: is not allowed/);
  check({}, { type: 'application/json', value: { name: 'a', age: null } });
});

test('accepts a file object where a multipart schema has a binary string', () => {
  const check = validator(body);
  check({}, { type: 'multipart/form-data', value: { file: { filename: 'a.png', base64: 'AA==' } } });
  check({}, { type: 'multipart/form-data', value: { file: 'plain text' } });
  fails(() => check({}, { type: 'multipart/form-data', value: { file: { name: 'a.png' } } }), /data\.file/);
});

test('does not check raw bodies against their byte schema', () => {
  validator(body)({}, { type: 'application/octet-stream', value: 'AAEC' });
});

test('compiles nothing for an operation without schemas', () => {
  assert.equal(compileValidator(ajv, operation('none'), 't.none', () => {}), null);
});

test('skips a schema ajv cannot compile, with a warning naming the operation', () => {
  const warnings: string[] = [];
  const check = compileValidator(ajv, operation('op', { params: [param('p', 'query', { schema: { type: 'integer', pattern: '(' } })] }), 't.op', (w) => warnings.push(w));
  assert.equal(check, null);
  assert.match(warnings[0]!, /^t\.op params: schema not usable for validation, not checked/);
});

const rewrites: Array<[string, { given: object; want: object }]> = [
  ['OpenAPI 3.0 nullable adds null to the type', { given: { type: 'string', nullable: true }, want: { type: ['string', 'null'] } }],
  ['nullable adds null to an enum', { given: { type: 'string', enum: ['a'], nullable: true }, want: { type: ['string', 'null'], enum: ['a', null] } }],
  ['a boolean exclusiveMinimum becomes the draft-07 number', { given: { type: 'number', minimum: 1, exclusiveMinimum: true }, want: { type: 'number', exclusiveMinimum: 1 } }],
  ['a false exclusiveMaximum is dropped', { given: { maximum: 5, exclusiveMaximum: false }, want: { maximum: 5 } }],
  ['nested schemas are rewritten too', { given: { properties: { a: { items: { nullable: true, type: 'integer' } } } }, want: { properties: { a: { items: { type: ['integer', 'null'] } } } } }],
  ['duplicate enum values are dropped', { given: { enum: [1, 2, 2, 'a', 'a'] }, want: { enum: [1, 2, 'a'] } }],
  ['discriminator and stray $ref are dropped', { given: { discriminator: { propertyName: 'k' }, $ref: '#/x', type: 'object' }, want: { type: 'object' } }],
];
for (const [name, { given, want }] of rewrites) {
  test(`toAjvSchema: ${name}`, () => {
    assert.deepEqual(toAjvSchema(given, 'json'), want);
  });
}

test('compiles patterns written without the unicode flag in mind', () => {
  const check = validator({ params: [param('id', 'query', { schema: { type: 'string', pattern: '^(?:{[0-9a-f]{2}}|[0-9a-f]{2})$' } })] });
  check({ id: '{ab}' }, null);
  fails(() => check({ id: 'zz' }, null), /params\.id: must match pattern/);
});
