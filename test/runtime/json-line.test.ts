/**
 * Unit tests for runtime/json-line.ts and the splice it allows: a JSON upstream body goes into the
 * final reply as its text exactly when JSON.parse would accept it, on one line, secrets masked first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { UpstreamResponse } from '../../runtime/dispatch.js';
import { jsonLine } from '../../runtime/json-line.js';
import { RawJson, responseLine } from '../../runtime/protocol.js';
import { decodeBody, replyBody } from '../../runtime/response.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const cases: Array<[string, { given: string; want: string | null }]> = [
  ['keeps an object as it is', { given: '{"a":1,"b":[true,false,null],"c":"x"}', want: '{"a":1,"b":[true,false,null],"c":"x"}' }],
  ['accepts a bare scalar with surrounding whitespace', { given: ' \t-0.5e+10 ', want: ' \t-0.5e+10 ' }],
  ['turns CR and LF between tokens into spaces', { given: '{\r\n  "a": [1,\n2]\r\n}\n', want: '{    "a": [1, 2]  } ' }],
  ['keeps escapes, \\u included, and characters U+2028 and U+2029', { given: '"a\\n\\u00e9\\/\u2028\u2029"', want: '"a\\n\\u00e9\\/\u2028\u2029"' }],
  ['keeps nesting deeper than any stack', { given: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, want: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }],
  ['refuses a raw newline inside a string', { given: '"a\nb"', want: null }],
  ['refuses a trailing comma', { given: '[1,]', want: null }],
  ['refuses two values', { given: '{} {}', want: null }],
  ['refuses a leading zero', { given: '01', want: null }],
  ['refuses a bad escape', { given: '"\\x41"', want: null }],
  ['refuses a short \\u escape', { given: '"\\u12"', want: null }],
  ['refuses an unquoted key', { given: '{a:1}', want: null }],
  ['refuses a missing colon', { given: '{"a" 1}', want: null }],
  ['refuses an unclosed string', { given: '"abc', want: null }],
  ['refuses mismatched brackets', { given: '[1}', want: null }],
  ['refuses empty text', { given: '  ', want: null }],
  ['refuses a byte order mark', { given: '\ufeff{}', want: null }],
  ['refuses NaN', { given: 'NaN', want: null }],
];
for (const [name, { given, want }] of cases) {
  test(`jsonLine ${name}`, () => {
    assert.equal(jsonLine(given), want);
    assert.equal(want !== null, parses(given));
  });
}

test('jsonLine accepts exactly what JSON.parse accepts, and its line parses to the same value', () => {
  const text = fc.oneof(
    fc.json(),
    fc.json().map((j) => JSON.stringify(JSON.parse(j), null, '\r\n')),
    fc.tuple(fc.json(), fc.nat(), fc.string({ maxLength: 3 })).map(([j, at, junk]) => j.slice(0, at % (j.length + 1)) + junk + j.slice(at % (j.length + 1))),
  );
  fc.assert(
    fc.property(text, (given) => {
      const line = jsonLine(given);
      assert.equal(line !== null, parses(given), given);
      if (line !== null) {
        assert.doesNotMatch(line, /[\r\n]/);
        assert.deepEqual(JSON.parse(line), JSON.parse(given));
      }
    }),
    { numRuns: 3000 },
  );
});

function res(contentType: string, body: string): UpstreamResponse {
  const bytes = Buffer.from(body);
  return { status: 200, contentType, text: body, bytes, headers: { 'content-type': contentType } };
}

test('a reply with a spliced JSON body is the line JSON.stringify would write for the parsed body', () => {
  const body = '{"b": 1.5, "a": ["x", {"c": null}]}';
  const raw = replyBody(res('application/json', body), (t) => t);
  assert.ok(raw instanceof RawJson);
  const headers = { 'x-ratelimit-remaining': '9' };
  const spliced = responseLine('id"1', true, 12.345, 200, raw, 2, headers);
  const parsed = responseLine('id"1', true, 12.345, 200, JSON.parse(body), 2, headers);
  assert.deepEqual(JSON.parse(spliced), JSON.parse(parsed));
  assert.equal(spliced.replace(/\s/g, ''), parsed.replace(/\s/g, ''));
  assert.equal(spliced.split('\n').length, 2);
});

test('a JSON body with a secret is masked before it is spliced', () => {
  const raw = replyBody(res('application/json', '{\n"echo": "key=s3cretvalue"\n}'), (t) => t.replaceAll('s3cretvalue', '***'));
  assert.ok(raw instanceof RawJson);
  assert.equal(raw.text, '{ "echo": "key=***" }');
});

test('a JSON body that is not valid JSON stays text, and other types decode as before', () => {
  assert.equal(replyBody(res('application/json', '{oops\n'), (t) => t), '{oops\n');
  assert.equal(replyBody(res('text/plain', '{"a":1}'), (t) => t), decodeBody(res('text/plain', '{"a":1}'), (t) => t));
  assert.equal(replyBody(res('application/json', ''), (t) => t), null);
});
