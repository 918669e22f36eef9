/**
 * Tests of generator/schema.ts: schemas reduced to plain data for the table, and media types.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isJsonMediaType, plainSchema, sortMediaTypes } from '../../generator/schema.js';

type Schema = Record<string, unknown>;

describe('plainSchema', () => {
  const cases: Array<[string, { given: Schema; want: Schema }]> = [
    [
      'drops documentation keywords and extensions',
      {
        given: { type: 'integer', minimum: 1, description: 'd', title: 't', example: 2, examples: [3], externalDocs: { url: 'u' }, xml: {}, $comment: 'c', 'x-internal': true },
        want: { type: 'integer', minimum: 1 },
      },
    ],
    [
      'drops documentation keywords of nested schemas',
      {
        given: { type: 'array', items: { type: 'string', description: 'An item.' } },
        want: { type: 'array', items: { type: 'string' } },
      },
    ],
    [
      'keeps object properties named like documentation keywords or extensions',
      {
        given: {
          type: 'object',
          required: ['title'],
          properties: { title: { type: 'string' }, description: { type: 'string' }, example: { type: 'integer' }, 'x-id': { type: 'string' } },
          additionalProperties: false,
        },
        want: {
          type: 'object',
          required: ['title'],
          properties: { title: { type: 'string' }, description: { type: 'string' }, example: { type: 'integer' }, 'x-id': { type: 'string' } },
          additionalProperties: false,
        },
      },
    ],
    [
      'keeps default, enum and const values as they are',
      {
        given: { type: 'object', default: { title: 'a', 'x-b': 1 }, enum: [{ description: 'kept' }], const: { title: 'c' } },
        want: { type: 'object', default: { title: 'a', 'x-b': 1 }, enum: [{ description: 'kept' }], const: { title: 'c' } },
      },
    ],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => assert.deepEqual(plainSchema(given), want));
  }

  test('turns a cycle into the empty schema instead of looping', () => {
    const node: Schema = { type: 'object', properties: {} };
    (node.properties as Schema).next = node;
    assert.deepEqual(plainSchema(node), { type: 'object', properties: { next: {} } });
  });

  test('copies a subschema shared by two properties into both', () => {
    const shared = { type: 'string', description: 'x' };
    assert.deepEqual(plainSchema({ properties: { a: shared, b: shared } }), { properties: { a: { type: 'string' }, b: { type: 'string' } } });
  });

  test('returns a copy that shares nothing with the input', () => {
    const given = { type: 'array', items: { type: 'string' }, enum: [['a']] };
    const got = plainSchema(given);
    assert.notEqual(got.items, given.items);
    assert.notEqual((got.enum as unknown[])[0], given.enum[0]);
    assert.deepEqual(given, { type: 'array', items: { type: 'string' }, enum: [['a']] });
  });
});

describe('isJsonMediaType', () => {
  const cases: Array<[string, { given: string; want: boolean }]> = [
    ['accepts application/json', { given: 'application/json', want: true }],
    ['accepts parameters and any case', { given: 'Application/JSON; charset=utf-8', want: true }],
    ['accepts text/json', { given: 'text/json', want: true }],
    ['accepts a +json suffix', { given: 'application/problem+json', want: true }],
    ['rejects xml', { given: 'application/xml', want: false }],
    ['rejects JSON Lines', { given: 'application/jsonl', want: false }],
    ['rejects JSON text sequences', { given: 'application/json-seq', want: false }],
    ['rejects form data', { given: 'application/x-www-form-urlencoded', want: false }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => assert.equal(isJsonMediaType(given), want));
  }
});

describe('sortMediaTypes', () => {
  const cases: Array<[string, { given: string[]; want: string[] }]> = [
    [
      'puts application/json first, then other JSON types, then the rest, each alphabetically',
      {
        given: ['text/plain', 'application/xml', 'application/vnd.api+json', 'application/json', 'application/hal+json'],
        want: ['application/json', 'application/hal+json', 'application/vnd.api+json', 'application/xml', 'text/plain'],
      },
    ],
    ['ranks application/json with parameters first', { given: ['text/json', 'application/json; charset=utf-8'], want: ['application/json; charset=utf-8', 'text/json'] }],
    [
      'does not rank a non-JSON type that merely starts with application/json as JSON',
      { given: ['application/jsonl', 'application/merge-patch+json'], want: ['application/merge-patch+json', 'application/jsonl'] },
    ],
    ['gives an empty list for no types', { given: [], want: [] }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => assert.deepEqual(sortMediaTypes(given), want));
  }

  test('does not reorder its input', () => {
    const given = ['text/plain', 'application/json'];
    sortMediaTypes(given);
    assert.deepEqual(given, ['text/plain', 'application/json']);
  });
});
