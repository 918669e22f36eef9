/**
 * Unit tests for runtime/serialize.ts: OpenAPI parameter styles and relay's strict percent-encoding.
 * @see https://spec.openapis.org/oas/v3.1.1#style-examples
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeStrict, serializeCookie, serializeHeader, serializePath, serializeQuery, toValue } from '../../runtime/serialize.js';
import type { ParamSpec, ParamStyle } from '../../runtime/table.js';
import { param } from '../fixtures/runtime/tables.js';
import { relayError } from '../support/relay-error.js';

const STRING = 'blue';
const ARRAY = ['blue', 'black', 'brown'];
const OBJECT = { R: 100, G: 200, B: 150 };

/**
 * Rows of the "Style Examples" table for parameter `color`. The values are those of the 3.1.1 table,
 * which corrects 3.1.0's: label with explode=false joins with `,` as RFC 6570 section 3.2.5 says
 * (3.1.0 printed `.blue.black.brown`), and query examples are shown percent-encoded (`%7C`, `%5B`),
 * which is what relay's strict RFC 3986 encoding produces. Commas, `=` and `;` in the table are
 * separators written by the serialiser, so they stay literal.
 */
type Row = [style: ParamStyle, explode: boolean, value: 'string' | 'array' | 'object', want: string];

const PATH_ROWS: Row[] = [
  ['matrix', false, 'string', ';color=blue'],
  ['matrix', false, 'array', ';color=blue,black,brown'],
  ['matrix', false, 'object', ';color=R,100,G,200,B,150'],
  ['matrix', true, 'string', ';color=blue'],
  ['matrix', true, 'array', ';color=blue;color=black;color=brown'],
  ['matrix', true, 'object', ';R=100;G=200;B=150'],
  ['label', false, 'string', '.blue'],
  ['label', false, 'array', '.blue,black,brown'],
  ['label', false, 'object', '.R,100,G,200,B,150'],
  ['label', true, 'string', '.blue'],
  ['label', true, 'array', '.blue.black.brown'],
  ['label', true, 'object', '.R=100.G=200.B=150'],
  ['simple', false, 'string', 'blue'],
  ['simple', false, 'array', 'blue,black,brown'],
  ['simple', false, 'object', 'R,100,G,200,B,150'],
  ['simple', true, 'string', 'blue'],
  ['simple', true, 'array', 'blue,black,brown'],
  ['simple', true, 'object', 'R=100,G=200,B=150'],
];

const QUERY_ROWS: Row[] = [
  ['form', false, 'string', 'color=blue'],
  ['form', false, 'array', 'color=blue,black,brown'],
  ['form', false, 'object', 'color=R,100,G,200,B,150'],
  ['form', true, 'string', 'color=blue'],
  ['form', true, 'array', 'color=blue&color=black&color=brown'],
  ['form', true, 'object', 'R=100&G=200&B=150'],
  ['spaceDelimited', false, 'array', 'color=blue%20black%20brown'],
  ['spaceDelimited', false, 'object', 'color=R%20100%20G%20200%20B%20150'],
  ['pipeDelimited', false, 'array', 'color=blue%7Cblack%7Cbrown'],
  ['pipeDelimited', false, 'object', 'color=R%7C100%7CG%7C200%7CB%7C150'],
  ['deepObject', true, 'object', 'color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150'],
];

const VALUES = { string: STRING, array: ARRAY, object: OBJECT };

for (const [style, explode, kind, want] of PATH_ROWS) {
  test(`serialises a path ${kind} with style ${style} and explode ${explode} as ${want}`, () => {
    const color = param('color', 'path', { style, explode });
    assert.equal(serializePath(color, toValue(color, VALUES[kind])), want);
  });
}

for (const [style, explode, kind, want] of QUERY_ROWS) {
  test(`serialises a query ${kind} with style ${style} and explode ${explode} as ${want}`, () => {
    const color = param('color', 'query', { style, explode });
    assert.equal(serializeQuery(color, toValue(color, VALUES[kind])).join('&'), want);
  });
}

const encoding: Array<[string, { given: { p: ParamSpec; value: string | string[] }; want: string }]> = [
  ['encodes a comma inside an array item so it is not taken for a separator', { given: { p: param('color', 'query', { explode: false }), value: ['a,b', 'c'] }, want: 'color=a%2Cb,c' }],
  ['encodes a comma inside a path array item', { given: { p: param('color', 'path'), value: ['a,b', 'c'] }, want: 'a%2Cb,c' }],
  ['encodes the characters encodeURIComponent leaves', { given: { p: param('q', 'query'), value: "!'()*" }, want: 'q=%21%27%28%29%2A' }],
  ['encodes spaces as %20, not +', { given: { p: param('q', 'query'), value: 'a b+c' }, want: 'q=a%20b%2Bc' }],
  ['encodes UTF-8 characters byte by byte', { given: { p: param('q', 'query'), value: 'caf\u00e9' }, want: 'q=caf%C3%A9' }],
  ['keeps RFC 3986 unreserved characters', { given: { p: param('q', 'query'), value: 'Az09-._~' }, want: 'q=Az09-._~' }],
  ['encodes the parameter name too', { given: { p: param('a b', 'query'), value: 'x' }, want: 'a%20b=x' }],
  ['encodes reserved characters without allowReserved', { given: { p: param('q', 'query'), value: 'a/b:c?d' }, want: 'q=a%2Fb%3Ac%3Fd' }],
  ['keeps reserved characters with allowReserved', { given: { p: param('q', 'query', { allowReserved: true }), value: 'a/b:c?d@e' }, want: 'q=a/b:c?d@e' }],
  ['encodes & = # even with allowReserved', { given: { p: param('q', 'query', { allowReserved: true }), value: 'a&b=c#d' }, want: 'q=a%26b%3Dc%23d' }],
  ['encodes & = # in exploded arrays with allowReserved', { given: { p: param('q', 'query', { allowReserved: true }), value: ['x&y', 'z=w'] }, want: 'q=x%26y&q=z%3Dw' }],
];

for (const [name, { given, want }] of encoding) {
  test(`serialize ${name}`, () => {
    const { p, value } = given;
    const out = p.in === 'path' ? serializePath(p, toValue(p, value)) : serializeQuery(p, toValue(p, value)).join('&');
    assert.equal(out, want);
  });
}

test('encodeStrict leaves only RFC 3986 unreserved characters', () => {
  let reserved = '';
  for (let c = 0x20; c < 0x7f; c++) reserved += String.fromCharCode(c);
  const kept = encodeStrict(reserved).replace(/%[0-9A-F]{2}/g, '');
  assert.equal(kept, '-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~');
});

const pathValues: Array<[string, { given: string; want: string }]> = [
  ['encodes the slash of ../admin so it stays in its segment', { given: '../admin', want: '..%2Fadmin' }],
  ['encodes / ? = in a path value', { given: 'a/b?x=1', want: 'a%2Fb%3Fx%3D1' }],
  ['encodes # in a path value', { given: '#', want: '%23' }],
  ['encodes % in a path value', { given: '%', want: '%25' }],
  ['encodes an already-encoded sequence again', { given: '%2F', want: '%252F' }],
  ['encodes a backslash in a path value', { given: 'a\\b', want: 'a%5Cb' }],
  ['keeps dots that are part of a name', { given: '.hidden', want: '.hidden' }],
];

for (const [name, { given, want }] of pathValues) {
  test(`serializePath ${name}`, () => {
    const id = param('id', 'path');
    assert.equal(serializePath(id, toValue(id, given)), want);
  });
}

const refusedPathValues: Array<[string, { given: { value: string | string[]; style?: ParamStyle }; want: RegExp }]> = [
  ['an empty string', { given: { value: '' }, want: /invalid parameter id: "" is not allowed/ }],
  ['"."', { given: { value: '.' }, want: /"\." is not allowed/ }],
  ['".."', { given: { value: '..' }, want: /"\.\." is not allowed/ }],
  ['"..."', { given: { value: '...' }, want: /is not allowed/ }],
  ['".." with style label', { given: { value: '..', style: 'label' }, want: /is not allowed/ }],
  ['".." with style matrix', { given: { value: '..', style: 'matrix' }, want: /is not allowed/ }],
  // An array of one item serialises to that item under style simple, so the same checks apply.
  ['a one-item array [".."]', { given: { value: ['..'] }, want: /invalid parameter id/ }],
  ['a one-item array [""]', { given: { value: [''] }, want: /invalid parameter id/ }],
  ['an empty array, which would leave an empty segment', { given: { value: [] }, want: /invalid parameter id/ }],
  ['an empty array with style label, which would leave a "." segment', { given: { value: [], style: 'label' }, want: /invalid parameter id/ }],
];

for (const [name, { given, want }] of refusedPathValues) {
  test(`serializePath refuses INVALID_PARAM for ${name}`, () => {
    const id = param('id', 'path', given.style ? { style: given.style } : {});
    assert.throws(() => serializePath(id, toValue(id, given.value)), relayError('INVALID_PARAM', want));
  });
}

const headers: Array<[string, { given: { value: unknown; explode?: boolean }; want: string }]> = [
  ['a string as is', { given: { value: 'abc def' }, want: 'abc def' }],
  ['a number', { given: { value: 42 }, want: '42' }],
  ['an array joined by commas', { given: { value: ARRAY }, want: 'blue,black,brown' }],
  ['an object as key,value pairs', { given: { value: OBJECT }, want: 'R,100,G,200,B,150' }],
  ['an exploded object as key=value pairs', { given: { value: OBJECT, explode: true }, want: 'R=100,G=200,B=150' }],
];

for (const [name, { given, want }] of headers) {
  test(`serializeHeader writes ${name}`, () => {
    const h = param('X-Color', 'header', given.explode === undefined ? {} : { explode: given.explode });
    assert.equal(serializeHeader(h, toValue(h, given.value)), want);
  });
}

const badHeaders: Array<[string, { given: unknown }]> = [
  ['CR LF', { given: 'ok\r\nX-Injected: 1' }],
  ['a lone LF', { given: 'ok\nX-Injected: 1' }],
  ['a lone CR', { given: 'ok\rX-Injected: 1' }],
  ['NUL', { given: 'ok\0' }],
  ['LF inside an array item', { given: ['ok', 'bad\n'] }],
  ['LF inside an object value', { given: { a: 'bad\n' } }],
];

for (const [name, { given }] of badHeaders) {
  test(`serializeHeader refuses INVALID_PARAM for a value with ${name}`, () => {
    const h = param('X-Note', 'header');
    assert.throws(() => serializeHeader(h, toValue(h, given)), relayError('INVALID_PARAM', /X-Note.*CR, LF or NUL/));
  });
}

const accepted: Array<[string, { given: unknown }]> = [
  ['a string', { given: 'x' }],
  ['a number', { given: 1.5 }],
  ['a boolean', { given: false }],
  ['an array of primitives', { given: [1, 'a', true] }],
  ['an object of primitives', { given: { a: 1, b: 'c' } }],
];

for (const [name, { given }] of accepted) {
  test(`toValue accepts ${name} unchanged`, () => {
    assert.deepEqual(toValue(param('p', 'query'), given), given);
  });
}

const notValues: Array<[string, { given: unknown; want: RegExp }]> = [
  ['a nested object', { given: { a: { b: 1 } }, want: /object values must be/ }],
  ['an object holding an array', { given: { a: [1] }, want: /object values must be/ }],
  ['an array of objects', { given: [{ a: 1 }], want: /array items must be/ }],
  ['an array of arrays', { given: [[1]], want: /array items must be/ }],
  ['an array holding null', { given: [null], want: /array items must be/ }],
  ['null', { given: null, want: /must be a string, number, boolean, array or object/ }],
];

for (const [name, { given, want }] of notValues) {
  test(`toValue refuses INVALID_PARAM for ${name}`, () => {
    assert.throws(() => toValue(param('filter', 'query'), given), relayError('INVALID_PARAM', new RegExp(`filter: ${want.source}`)));
  });
}

/** Rows beyond the OpenAPI table: relay's tabDelimited (Swagger 2.0 `tsv`) and exploded delimited arrays. */
const EXTRA_QUERY_ROWS: Row[] = [
  ['tabDelimited', false, 'array', 'color=blue%09black%09brown'],
  ['tabDelimited', false, 'object', 'color=R%09100%09G%09200%09B%09150'],
  ['spaceDelimited', true, 'array', 'color=blue&color=black&color=brown'],
  ['pipeDelimited', true, 'array', 'color=blue&color=black&color=brown'],
];

for (const [style, explode, kind, want] of EXTRA_QUERY_ROWS) {
  test(`serialises a query ${kind} with style ${style} and explode ${explode} as ${want}`, () => {
    const color = param('color', 'query', { style, explode });
    assert.equal(serializeQuery(color, toValue(color, VALUES[kind])).join('&'), want);
  });
}

const cookies: Array<[string, { given: unknown; want: string }]> = [
  ['a string, percent-encoded so that ; and = cannot start another cookie', { given: 'a;b=c d', want: 'color=a%3Bb%3Dc%20d' }],
  ['an array joined by commas (style form), the commas encoded', { given: ARRAY, want: 'color=blue%2Cblack%2Cbrown' }],
  ['an object as key,value pairs', { given: OBJECT, want: 'color=R%2C100%2CG%2C200%2CB%2C150' }],
];

for (const [name, { given, want }] of cookies) {
  test(`serializeCookie writes ${name}`, () => {
    const c = param('color', 'cookie');
    assert.equal(serializeCookie(c, toValue(c, given)), want);
  });
}

test('serializeHeader refuses INVALID_PARAM for non-ASCII text, which cannot go out as a header', () => {
  const h = param('X-Note', 'header');
  assert.throws(() => serializeHeader(h, toValue(h, 'caf\u00e9')), relayError('INVALID_PARAM', /printable ASCII/));
});
