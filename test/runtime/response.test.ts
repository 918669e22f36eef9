/**
 * Unit tests for runtime/response.ts: how response bodies and headers go into the final reply.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UpstreamResponse } from '../../runtime/dispatch.js';
import { decodeBody, pickHeaders } from '../../runtime/response.js';

function res(contentType: string, body: string | Buffer, headers: Record<string, string> = {}): UpstreamResponse {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { status: 200, contentType, text: bytes.toString('utf8'), bytes, headers: { 'content-type': contentType, ...headers } };
}

const none = (text: string) => text;
const BINARY = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x80]);

const bodies: Array<[string, { given: UpstreamResponse; want: unknown }]> = [
  ['parses JSON', { given: res('application/json', '{"a":1}'), want: { a: 1 } }],
  ['parses +json', { given: res('application/problem+json; charset=utf-8', '{"title":"x"}'), want: { title: 'x' } }],
  ['gives JSON that does not parse as text', { given: res('application/json', '{oops'), want: '{oops' }],
  ['gives text/* as a string', { given: res('text/html', '<p>hi</p>'), want: '<p>hi</p>' }],
  ['gives XML as a string', { given: res('application/xml', '<a/>'), want: '<a/>' }],
  ['gives any type with a charset as a string', { given: res('application/x-custom; charset=utf-8', 'plain'), want: 'plain' }],
  ['gives an untyped UTF-8 body as a string', { given: res('', 'caf\u00e9'), want: 'caf\u00e9' }],
  ['gives an untyped non-UTF-8 body as base64', { given: res('', BINARY), want: { base64: BINARY.toString('base64'), contentType: 'application/octet-stream' } }],
  ['gives images as base64 with their content type', { given: res('image/jpeg', BINARY), want: { base64: BINARY.toString('base64'), contentType: 'image/jpeg' } }],
  ['gives octet-stream as base64 even when it happens to be UTF-8', { given: res('application/octet-stream', 'abc'), want: { base64: 'YWJj', contentType: 'application/octet-stream' } }],
  ['gives an empty body as null', { given: res('application/json', ''), want: null }],
];
for (const [name, { given, want }] of bodies) {
  test(`decodeBody ${name}`, () => {
    assert.deepEqual(decodeBody(given, none), want);
  });
}

test('decodeBody masks secrets in text bodies', () => {
  assert.equal(decodeBody(res('text/plain', 'key=s3cret echoed'), (t) => t.replace('s3cret', '***')), 'key=*** echoed');
});

test('pickHeaders keeps the listed and rate-limit headers, sorted, masked, and drops the rest', () => {
  const given = res('text/plain', 'x', { etag: '"v1"', 'x-ratelimit-remaining': '9', 'ratelimit-policy': '10;w=1', 'set-cookie': 'sid=1', location: '/next?key=s3cret', server: 'nginx' });
  const out = pickHeaders(given, new Set(['content-type', 'etag', 'location']), (t) => t.replace('s3cret', '***'));
  assert.deepEqual(out, { 'content-type': 'text/plain', etag: '"v1"', location: '/next?key=***', 'ratelimit-policy': '10;w=1', 'x-ratelimit-remaining': '9' });
  assert.deepEqual(Object.keys(out), ['content-type', 'etag', 'location', 'ratelimit-policy', 'x-ratelimit-remaining']);
});
