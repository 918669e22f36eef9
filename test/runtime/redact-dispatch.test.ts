/**
 * Unit tests for runtime/redact.ts (masking secrets) and the pure parts of runtime/dispatch.ts
 * (mapping undici/Node failures to RelayErrors by code, recognising JSON media types).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isJson, upstreamError } from '../../runtime/dispatch.js';
import type { ErrorCode } from '../../runtime/errors.js';
import { Redactor } from '../../runtime/redact.js';

const redactions: Array<[string, { given: { secrets: string[]; text: string }; want: string }]> = [
  ['masks a raw secret', { given: { secrets: ['s3cr3t-key'], text: 'GET /x?key=s3cr3t-key failed' }, want: 'GET /x?key=*** failed' }],
  ['masks every occurrence', { given: { secrets: ['abcd1234'], text: 'abcd1234 and abcd1234' }, want: '*** and ***' }],
  ['masks a percent-encoded secret', { given: { secrets: ['k/y+z=1'], text: 'key=k%2Fy%2Bz%3D1&x=1' }, want: 'key=***&x=1' }],
  ['masks raw and encoded forms in one text', { given: { secrets: ['a b&c'], text: 'raw a b&c, encoded a%20b%26c' }, want: 'raw ***, encoded ***' }],
  ['masks several secrets', { given: { secrets: ['first-secret', 'second-secret'], text: 'first-secret second-secret' }, want: '*** ***' }],
  ['masks a secret containing another whole', { given: { secrets: ['abcd', 'abcdefgh'], text: 'x abcdefgh y abcd' }, want: 'x *** y ***' }],
  ['ignores secrets shorter than 4 characters', { given: { secrets: ['abc', 'x', ''], text: 'abc x abcabc' }, want: 'abc x abcabc' }],
  ['masks a secret of exactly 4 characters', { given: { secrets: ['abcd'], text: 'key=abcd' }, want: 'key=***' }],
  ['leaves text without secrets unchanged', { given: { secrets: ['s3cr3t-key'], text: 'nothing to hide' }, want: 'nothing to hide' }],
];

for (const [name, { given, want }] of redactions) {
  test(`Redactor ${name}`, () => {
    assert.equal(new Redactor(given.secrets).redact(given.text), want);
  });
}

test('Redactor is active only when it has a secret of 4 characters or more', () => {
  assert.equal(new Redactor([]).active, false);
  assert.equal(new Redactor(['abc']).active, false);
  assert.equal(new Redactor(['abcd']).active, true);
});

/** An Error with a Node/undici-style `code`, and optionally a cause. */
function coded(code: string, message = code, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

const HOST = 'api.example.com:443';

const mapped: Array<[string, { given: unknown; want: { code: ErrorCode; message: RegExp } }]> = [
  ['ECONNREFUSED to CONNECT_REFUSED naming the host', { given: coded('ECONNREFUSED', 'connect ECONNREFUSED 1.2.3.4:443'), want: { code: 'CONNECT_REFUSED', message: /^connection refused by api\.example\.com:443$/ } }],
  ['ENOTFOUND to DNS_FAILED naming the host without its port', { given: coded('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example.com'), want: { code: 'DNS_FAILED', message: /^could not resolve host api\.example\.com$/ } }],
  ['EAI_AGAIN to DNS_FAILED', { given: coded('EAI_AGAIN'), want: { code: 'DNS_FAILED', message: /api\.example\.com/ } }],
  [
    'an AggregateError whose errors have ECONNREFUSED to CONNECT_REFUSED',
    { given: new AggregateError([coded('ECONNREFUSED', 'connect ECONNREFUSED ::1:443'), coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443')], ''), want: { code: 'CONNECT_REFUSED', message: /api\.example\.com:443/ } },
  ],
  [
    'an error whose cause has UND_ERR_CONNECT_TIMEOUT to CONNECT_TIMEOUT',
    { given: new TypeError('fetch failed', { cause: coded('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error') }), want: { code: 'CONNECT_TIMEOUT', message: /^timed out connecting to api\.example\.com:443$/ } },
  ],
  ['ETIMEDOUT to CONNECT_TIMEOUT', { given: coded('ETIMEDOUT'), want: { code: 'CONNECT_TIMEOUT', message: /api\.example\.com:443/ } }],
  ['UND_ERR_HEADERS_TIMEOUT to HEADERS_TIMEOUT', { given: coded('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'), want: { code: 'HEADERS_TIMEOUT', message: /^timed out waiting for response headers from api\.example\.com:443$/ } }],
  ['UND_ERR_BODY_TIMEOUT to BODY_TIMEOUT', { given: coded('UND_ERR_BODY_TIMEOUT', 'Body Timeout Error'), want: { code: 'BODY_TIMEOUT', message: /reading the response body from api\.example\.com:443/ } }],
  ['DEPTH_ZERO_SELF_SIGNED_CERT to TLS_FAILED saying self-signed', { given: coded('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), want: { code: 'TLS_FAILED', message: /^TLS failure with api\.example\.com:443: .*self-signed/ } }],
  ['CERT_HAS_EXPIRED to TLS_FAILED saying expired', { given: coded('CERT_HAS_EXPIRED', 'certificate has expired'), want: { code: 'TLS_FAILED', message: /expired/ } }],
  ['ERR_TLS_CERT_ALTNAME_INVALID to TLS_FAILED about the host name', { given: coded('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), want: { code: 'TLS_FAILED', message: /host name/ } }],
  ['an unlisted ERR_SSL_ code to TLS_FAILED with the error message', { given: coded('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), want: { code: 'TLS_FAILED', message: /wrong version number/ } }],
  ['ECONNRESET to CONNECTION_RESET', { given: coded('ECONNRESET', 'read ECONNRESET'), want: { code: 'CONNECTION_RESET', message: /^connection to api\.example\.com:443 closed unexpectedly: read ECONNRESET$/ } }],
  ['UND_ERR_SOCKET to CONNECTION_RESET', { given: coded('UND_ERR_SOCKET', 'other side closed'), want: { code: 'CONNECTION_RESET', message: /other side closed/ } }],
  ['an unknown code to UPSTREAM_FAILED with the first line of the message', { given: coded('EWHATEVER', 'something odd\nat line 2'), want: { code: 'UPSTREAM_FAILED', message: /^request to api\.example\.com:443 failed: something odd$/ } }],
  ['an error without a code to UPSTREAM_FAILED', { given: new Error('boom'), want: { code: 'UPSTREAM_FAILED', message: /failed: boom$/ } }],
  ['a thrown string to UPSTREAM_FAILED', { given: 'weird', want: { code: 'UPSTREAM_FAILED', message: /failed: weird$/ } }],
  [
    'a code found two causes deep',
    { given: new Error('outer', { cause: new Error('middle', { cause: coded('ECONNREFUSED') }) }), want: { code: 'CONNECT_REFUSED', message: /api\.example\.com:443/ } },
  ],
];

for (const [name, { given, want }] of mapped) {
  test(`upstreamError maps ${name}`, () => {
    const err = upstreamError(given, HOST);
    assert.equal(err.code, want.code);
    assert.match(err.message, want.message);
    assert.equal(err.cause, given, 'the original error is kept as the cause');
  });
}

test('upstreamError does not loop on an error that is its own cause', () => {
  const err: Error & { cause?: unknown } = new Error('self');
  err.cause = err;
  assert.equal(upstreamError(err, HOST).code, 'UPSTREAM_FAILED');
});

const media: Array<[string, { given: string; want: boolean }]> = [
  ['application/json', { given: 'application/json', want: true }],
  ['application/json with a charset', { given: 'application/json; charset=utf-8', want: true }],
  ['upper-case APPLICATION/JSON', { given: 'APPLICATION/JSON', want: true }],
  ['a +json suffix', { given: 'application/problem+json', want: true }],
  ['text/json', { given: 'text/json', want: true }],
  ['text/html', { given: 'text/html; charset=utf-8', want: false }],
  ['text/plain', { given: 'text/plain', want: false }],
  ['application/jsonp', { given: 'application/jsonp', want: false }],
  ['an empty content type', { given: '', want: false }],
];

for (const [name, { given, want }] of media) {
  test(`isJson is ${want} for ${name}`, () => {
    assert.equal(isJson(given), want);
  });
}
