/**
 * Unit tests for runtime/body.ts: choosing the media type and encoding each body type.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseMediaType, encodeBody } from '../../runtime/body.js';
import { RelayError } from '../../runtime/errors.js';
import type { BodySpec } from '../../runtime/table.js';

const body = (contentTypes: string[], media: BodySpec['media'] = {}): BodySpec => ({ required: true, contentTypes, media });

function refused(code: string, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof RelayError);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  };
}

const choices: Array<[string, { given: { types: string[]; requested: string | null }; want: { key: string; type: string } }]> = [
  ['takes the first (JSON) type when the client names none', { given: { types: ['application/json', 'text/plain'], requested: null }, want: { key: 'application/json', type: 'application/json' } }],
  ['takes the type the client names', { given: { types: ['application/json', 'text/plain'], requested: 'text/plain' }, want: { key: 'text/plain', type: 'text/plain' } }],
  ['matches case-insensitively and ignores parameters', { given: { types: ['application/json; charset=utf-8'], requested: 'Application/JSON' }, want: { key: 'application/json; charset=utf-8', type: 'application/json; charset=utf-8' } }],
  ['matches a wildcard in the spec and sends the named type', { given: { types: ['image/*'], requested: 'image/png' }, want: { key: 'image/*', type: 'image/png' } }],
  ['sends JSON for */* when the client names none', { given: { types: ['*/*'], requested: null }, want: { key: '*/*', type: 'application/json' } }],
];
for (const [name, { given, want }] of choices) {
  test(`chooseMediaType ${name}`, () => {
    assert.deepEqual(chooseMediaType(body(given.types), given.requested, 'a.op'), want);
  });
}

test('chooseMediaType refuses UNSUPPORTED_MEDIA_TYPE for a type the operation does not accept, listing those it does', () => {
  assert.throws(() => chooseMediaType(body(['application/json']), 'text/csv', 'a.op'), refused('UNSUPPORTED_MEDIA_TYPE', /text\/csv \(it accepts: application\/json\)/));
});

const encodings: Array<[string, { given: { type: string; data: unknown; spec?: BodySpec }; want: { contentType: string; body: string } }]> = [
  ['JSON as JSON text', { given: { type: 'application/json', data: { a: [1, 'x'] } }, want: { contentType: 'application/json', body: '{"a":[1,"x"]}' } }],
  ['+json types as JSON text', { given: { type: 'application/merge-patch+json', data: { a: null } }, want: { contentType: 'application/merge-patch+json', body: '{"a":null}' } }],
  ['a form, strictly percent-encoded, arrays exploded by default', { given: { type: 'application/x-www-form-urlencoded', data: { q: "a b&c='d'", n: [1, 2], skip: null } }, want: { contentType: 'application/x-www-form-urlencoded', body: 'q=a%20b%26c%3D%27d%27&n=1&n=2' } }],
  [
    'a form with a pipeDelimited encoding for one property',
    {
      given: { type: 'application/x-www-form-urlencoded', data: { n: [1, 2] }, spec: body(['application/x-www-form-urlencoded'], { 'application/x-www-form-urlencoded': { schema: {}, encoding: { n: { style: 'pipeDelimited', explode: false } } } }) },
      want: { contentType: 'application/x-www-form-urlencoded', body: 'n=1%7C2' },
    },
  ],
  [
    'a form object property with deepObject encoding',
    {
      given: { type: 'application/x-www-form-urlencoded', data: { f: { a: 1 } }, spec: body(['application/x-www-form-urlencoded'], { 'application/x-www-form-urlencoded': { schema: {}, encoding: { f: { style: 'deepObject', explode: true } } } }) },
      want: { contentType: 'application/x-www-form-urlencoded', body: 'f%5Ba%5D=1' },
    },
  ],
  ['a form object property as JSON text without an encoding', { given: { type: 'application/x-www-form-urlencoded', data: { f: { a: 1 } } }, want: { contentType: 'application/x-www-form-urlencoded', body: 'f=%7B%22a%22%3A1%7D' } }],
  ['text as is', { given: { type: 'text/plain; charset=utf-8', data: 'caf\u00e9\n' }, want: { contentType: 'text/plain; charset=utf-8', body: 'caf\u00e9\n' } }],
  ['XML text as is', { given: { type: 'application/xml', data: '<a/>' }, want: { contentType: 'application/xml', body: '<a/>' } }],
];
for (const [name, { given, want }] of encodings) {
  test(`encodeBody writes ${name}`, () => {
    const out = encodeBody(given.spec ?? body([given.type]), given.type, given.type, given.data, 'a.op');
    assert.deepEqual({ contentType: out.contentType, body: String(out.body) }, want);
  });
}

test('encodeBody decodes base64 for application/octet-stream, byte for byte', () => {
  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  const out = encodeBody(body(['application/octet-stream']), 'application/octet-stream', 'application/octet-stream', bytes.toString('base64'), 'a.op');
  assert.deepEqual(out.body, bytes);
});

test('encodeBody takes {"base64", "contentType"} for any non-JSON type, and its content type', () => {
  const out = encodeBody(body(['image/*']), 'image/*', 'image/png', { base64: 'AAE=', contentType: 'image/png' }, 'a.op');
  assert.deepEqual(out, { contentType: 'image/png', body: Buffer.from([0, 1]) });
});

test('encodeBody writes multipart/form-data with fields, repeated array fields, JSON objects and files', () => {
  const spec = body(['multipart/form-data'], { 'multipart/form-data': { schema: {}, encoding: { meta: { contentType: 'application/vnd.meta+json' } } } });
  const out = encodeBody(spec, 'multipart/form-data', 'multipart/form-data', { a: 'x', tag: ['1', '2'], meta: { k: 1 }, f: { filename: 'q"\r\n.bin', base64: 'AP8=' } }, 'a.op');
  const boundary = /boundary=(relay-[0-9a-f]{24})$/.exec(out.contentType)?.[1];
  assert.ok(boundary, out.contentType);
  const b = `--${boundary}`;
  const want = Buffer.concat([
    Buffer.from(`${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n`),
    Buffer.from(`${b}\r\nContent-Disposition: form-data; name="tag"\r\n\r\n1\r\n`),
    Buffer.from(`${b}\r\nContent-Disposition: form-data; name="tag"\r\n\r\n2\r\n`),
    Buffer.from(`${b}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/vnd.meta+json\r\n\r\n{"k":1}\r\n`),
    Buffer.from(`${b}\r\nContent-Disposition: form-data; name="f"; filename="q%22%0D%0A.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.from([0x00, 0xff]),
    Buffer.from(`\r\n${b}--\r\n`),
  ]);
  assert.deepEqual(out.body, want);
});

const refusals: Array<[string, { type: string; data: unknown; want: RegExp }]> = [
  ['a form that is not an object', { type: 'application/x-www-form-urlencoded', data: [1], want: /must be an object of fields/ }],
  ['multipart data that is not an object', { type: 'multipart/form-data', data: 'x', want: /must be an object of fields/ }],
  ['octet-stream data that is not base64', { type: 'application/octet-stream', data: '***', want: /not valid base64/ }],
  ['text data that is not a string', { type: 'text/plain', data: 42, want: /must be a string/ }],
];
for (const [name, { type, data, want }] of refusals) {
  test(`encodeBody refuses UNSUPPORTED_MEDIA_TYPE for ${name}`, () => {
    assert.throws(() => encodeBody(body([type]), type, type, data, 'a.op'), refused('UNSUPPORTED_MEDIA_TYPE', want));
  });
}
