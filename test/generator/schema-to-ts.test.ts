/**
 * Tests of generator/schema-to-ts.ts: JSON Schema -> TypeScript type text, doc comments, keys.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { docComment, propertyKey, schemaToTs, type TypeContext } from '../../generator/schema-to-ts.js';

type Schema = Record<string, unknown>;

const NO_NAMES: TypeContext = { named: new Map() };

/** Join lines, so that expected multi-line types read like the output. */
const lines = (...text: string[]) => text.join('\n');

describe('schemaToTs on inline schemas', () => {
  const cases: Array<[string, { given: unknown; want: string }]> = [
    ['renders a string', { given: { type: 'string' }, want: 'string' }],
    ['renders an integer as number', { given: { type: 'integer', format: 'int64' }, want: 'number' }],
    ['renders a number', { given: { type: 'number' }, want: 'number' }],
    ['renders a boolean', { given: { type: 'boolean' }, want: 'boolean' }],
    ['renders the null type', { given: { type: 'null' }, want: 'null' }],
    ['renders an empty schema as unknown', { given: {}, want: 'unknown' }],
    ['renders the true schema as unknown', { given: true, want: 'unknown' }],
    ['renders the false schema as never', { given: false, want: 'never' }],
    ['renders an enum as a union of literals', { given: { type: 'string', enum: ['a', 'b'] }, want: '"a" | "b"' }],
    ['renders a numeric enum as number literals', { given: { type: 'integer', enum: [1, -2] }, want: '1 | -2' }],
    ['keeps null inside an enum', { given: { enum: ['a', null] }, want: '"a" | null' }],
    ['renders an enum of objects as unknown', { given: { enum: [{ a: 1 }] }, want: 'unknown' }],
    ['renders const as a literal', { given: { const: 'fixed' }, want: '"fixed"' }],
    ['adds null to a nullable (3.0) string', { given: { type: 'string', nullable: true }, want: 'string | null' }],
    ['adds null to a nullable enum', { given: { type: 'string', enum: ['a'], nullable: true }, want: '"a" | null' }],
    ['leaves a nullable schema without type as unknown', { given: { nullable: true }, want: 'unknown' }],
    ['renders a 3.1 type array with null as a union', { given: { type: ['string', 'null'] }, want: 'string | null' }],
    ['merges 3.1 type array members that map to one type', { given: { type: ['integer', 'number'] }, want: 'number' }],
    ['renders an array of a simple type with []', { given: { type: 'array', items: { type: 'string' } }, want: 'string[]' }],
    ['renders an array without items as unknown[]', { given: { type: 'array' }, want: 'unknown[]' }],
    [
      'renders an array of a union with Array<>',
      { given: { type: 'array', items: { type: 'string', nullable: true } }, want: 'Array<string | null>' },
    ],
    ['renders a nullable 3.1 array', { given: { type: ['array', 'null'], items: { type: 'integer' } }, want: 'number[] | null' }],
    [
      'renders required properties bare and optional ones with ?',
      {
        given: { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, name: { type: 'string' } } },
        want: lines('{', '  id: number;', '  name?: string;', '}'),
      },
    ],
    [
      'quotes property keys that are not identifiers',
      {
        given: { type: 'object', required: ['content-type'], properties: { 'content-type': { type: 'string' }, '2fa': { type: 'boolean' } } },
        want: lines('{', '  "content-type": string;', '  "2fa"?: boolean;', '}'),
      },
    ],
    [
      'writes a property description as a doc comment',
      {
        given: { type: 'object', properties: { id: { type: 'integer', description: 'The id.' } } },
        want: lines('{', '  /** The id. */', '  id?: number;', '}'),
      },
    ],
    [
      'indents nested objects',
      {
        given: { type: 'object', properties: { inner: { type: 'object', properties: { x: { type: 'number' } } } } },
        want: lines('{', '  inner?: {', '    x?: number;', '  };', '}'),
      },
    ],
    [
      'renders additionalProperties alone as an index signature of its type',
      { given: { type: 'object', additionalProperties: { type: 'integer' } }, want: lines('{', '  [key: string]: number;', '}') },
    ],
    [
      'renders additionalProperties true as an unknown index signature',
      { given: { type: 'object', additionalProperties: true }, want: lines('{', '  [key: string]: unknown;', '}') },
    ],
    [
      'renders an object without properties as an unknown index signature',
      { given: { type: 'object' }, want: lines('{', '  [key: string]: unknown;', '}') },
    ],
    [
      'renders a closed object without properties as Record<string, never>',
      { given: { type: 'object', additionalProperties: false }, want: 'Record<string, never>' },
    ],
    [
      'widens the index signature to unknown when properties are declared too',
      {
        given: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } }, additionalProperties: { type: 'string' } },
        want: lines('{', '  id: number;', '  [key: string]: unknown;', '}'),
      },
    ],
    [
      'adds no index signature to an object with properties and no additionalProperties',
      { given: { properties: { a: { type: 'string' } } }, want: lines('{', '  a?: string;', '}') },
    ],
    ['renders oneOf as a union', { given: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, want: 'string | number' }],
    ['renders anyOf as a union', { given: { anyOf: [{ type: 'boolean' }, { type: 'null' }] }, want: 'boolean | null' }],
    ['renders a union with an unknown member as unknown', { given: { oneOf: [{ type: 'string' }, {}] }, want: 'unknown' }],
    [
      'renders allOf as an intersection',
      {
        given: {
          allOf: [
            { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
            { type: 'object', properties: { b: { type: 'number' } } },
          ],
        },
        want: lines('{', '  a: string;', '} & {', '  b?: number;', '}'),
      },
    ],
    [
      'parenthesises a union inside allOf',
      { given: { allOf: [{ oneOf: [{ type: 'string' }, { type: 'number' }] }, { enum: ['a'] }] }, want: '(string | number) & "a"' },
    ],
    [
      'drops unknown members of allOf',
      { given: { allOf: [{}, { type: 'string' }] }, want: 'string' },
    ],
    [
      'intersects allOf with properties declared beside it',
      {
        given: { allOf: [{ type: 'string' }], properties: { x: { type: 'number' } } },
        want: lines('string & {', '  x?: number;', '}'),
      },
    ],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => assert.equal(schemaToTs(given, NO_NAMES), want));
  }

  test('starts nested lines at the given indentation', () => {
    const got = schemaToTs({ type: 'object', properties: { a: { type: 'string' } } }, NO_NAMES, '    ');
    assert.equal(got, lines('{', '      a?: string;', '    }'));
  });

  test('renders a subschema shared by two properties in both places', () => {
    const shared = { type: 'string', enum: ['x'] };
    const given = { type: 'object', properties: { a: shared, b: shared } };
    assert.equal(schemaToTs(given, NO_NAMES), lines('{', '  a?: "x";', '  b?: "x";', '}'));
  });
});

describe('schemaToTs with named schemas', () => {
  test('refers to a named schema by its name', () => {
    const pet = { type: 'object', properties: { name: { type: 'string' } } };
    const ctx: TypeContext = { named: new Map([[pet, 'Schemas["Pet"]']]) };
    assert.equal(schemaToTs(pet, ctx), 'Schemas["Pet"]');
    assert.equal(schemaToTs({ type: 'array', items: pet }, ctx), 'Schemas["Pet"][]');
    assert.equal(schemaToTs({ oneOf: [pet, { type: 'null' }] }, ctx), 'Schemas["Pet"] | null');
  });

  test('renders the body of a named schema when it is the schema being defined', () => {
    const pet = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
    const ctx: TypeContext = { named: new Map([[pet, 'Schemas["Pet"]']]) };
    assert.equal(schemaToTs(pet, ctx, '', pet), lines('{', '  name: string;', '}'));
  });

  test('refers to a self-recursive named schema by name inside its own body', () => {
    const node: Schema = { type: 'object', properties: {} };
    (node.properties as Schema).children = { type: 'array', items: node };
    (node.properties as Schema).parent = node;
    const ctx: TypeContext = { named: new Map([[node, 'Schemas["Node"]']]) };
    assert.equal(
      schemaToTs(node, ctx, '  ', node),
      lines('{', '    children?: Schemas["Node"][];', '    parent?: Schemas["Node"];', '  }'),
    );
  });

  test('refers to mutually recursive named schemas by name', () => {
    const a: Schema = { type: 'object', properties: {} };
    const b: Schema = { type: 'object', properties: { a } };
    (a.properties as Schema).b = b;
    const ctx: TypeContext = { named: new Map<object, string>([[a, 'Schemas["A"]'], [b, 'Schemas["B"]']]) };
    assert.equal(schemaToTs(a, ctx, '', a), lines('{', '  b?: Schemas["B"];', '}'));
    assert.equal(schemaToTs(b, ctx, '', b), lines('{', '  a?: Schemas["A"];', '}'));
  });

  test('renders an unnamed cycle as unknown instead of looping', () => {
    const node: Schema = { type: 'object', properties: {} };
    (node.properties as Schema).next = node;
    assert.equal(schemaToTs(node, NO_NAMES), lines('{', '  next?: unknown;', '}'));
  });

  test('renders an unnamed cycle through an array as unknown[]', () => {
    const node: Schema = { type: 'object', properties: {} };
    (node.properties as Schema).children = { type: 'array', items: node };
    assert.equal(schemaToTs(node, NO_NAMES), lines('{', '  children?: unknown[];', '}'));
  });
});

describe('docComment', () => {
  const cases: Array<[string, { given: [text: unknown, indent: string]; want: string }]> = [
    ['gives nothing for no text', { given: [undefined, ''], want: '' }],
    ['gives nothing for blank text', { given: ['  \n ', ''], want: '' }],
    ['gives nothing for a non-string', { given: [42, ''], want: '' }],
    ['writes one line as a one-line block', { given: ['The id.', '  '], want: '  /** The id. */\n' }],
    ['trims the text', { given: ['  The id.  \n', ''], want: '/** The id. */\n' }],
    [
      'writes several lines as a block, keeping empty lines',
      { given: ['First.\n\nThird.', '  '], want: '  /**\n   * First.\n   *\n   * Third.\n   */\n' },
    ],
    ['escapes */ so that the text cannot close the comment', { given: ['a */ b', ''], want: '/** a *\\/ b */\n' }],
    ['escapes every */ in a block', { given: ['*/\n*/', ''], want: '/**\n * *\\/\n * *\\/\n */\n' }],
    ['accepts Windows line ends', { given: ['a\r\nb', ''], want: '/**\n * a\n * b\n */\n' }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const got = docComment(...given);
      assert.equal(got, want);
      // Whatever the text, the block closes exactly once, at its end.
      if (got !== '') assert.equal(got.indexOf('*/'), got.length - 3);
    });
  }
});

describe('propertyKey', () => {
  const cases: Array<[string, { given: string; want: string }]> = [
    ['leaves an identifier bare', { given: 'appid', want: 'appid' }],
    ['quotes a key with a dash', { given: 'content-type', want: '"content-type"' }],
    ['quotes a key with brackets', { given: 'filter[kind]', want: '"filter[kind]"' }],
    ['quotes and escapes a key with a quote', { given: 'say "hi"', want: '"say \\"hi\\""' }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => assert.equal(propertyKey(given), want));
  }
});
