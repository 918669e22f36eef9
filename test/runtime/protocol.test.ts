/**
 * Unit tests for runtime/protocol.ts: parsing request lines, building reply lines, and framing bytes into lines.
 * Pure functions only; the socket-level behaviour is covered by test/e2e.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RelayError, type ErrorCode } from '../../runtime/errors.js';
import {
  LineSplitter,
  dispatchedLine,
  failureLine,
  parseRequest,
  refusalLine,
  responseLine,
  seconds,
  type ParseResult,
  type RequestId,
  type RequestMessage,
} from '../../runtime/protocol.js';

type Outcome = { ok: true; msg: RequestMessage } | { ok: false; id: RequestId | null; code: ErrorCode };

/** A ParseResult with the error reduced to its code, for deepEqual. */
function outcome(result: ParseResult): Outcome {
  return result.ok ? result : { ok: false, id: result.id, code: result.error.code };
}

const accepted: Array<[string, { given: string; want: RequestMessage }]> = [
  [
    'accepts a string id and params',
    {
      given: '{"request":"steam.getNewsForApp","id":"a1","params":{"appid":440}}',
      want: { request: 'steam.getNewsForApp', id: 'a1', params: { appid: 440 }, data: undefined, hasData: false, timeout: null, contentType: null, headers: false },
    },
  ],
  [
    'accepts a number id and defaults params to an empty object',
    { given: '{"request":"hl2","id":7}', want: { request: 'hl2', id: 7, params: {}, data: undefined, hasData: false, timeout: null, contentType: null, headers: false } },
  ],
  [
    'accepts id 0, which is a valid id and not a missing one',
    { given: '{"request":"hl2","id":0}', want: { request: 'hl2', id: 0, params: {}, data: undefined, hasData: false, timeout: null, contentType: null, headers: false } },
  ],
  [
    'carries data when the line has it',
    {
      given: '{"request":"pets.create","id":"x","data":{"name":"Rex"}}',
      want: { request: 'pets.create', id: 'x', params: {}, data: { name: 'Rex' }, hasData: true, timeout: null, contentType: null, headers: false },
    },
  ],
  [
    'reports hasData true when data is null',
    { given: '{"request":"pets.create","id":"x","data":null}', want: { request: 'pets.create', id: 'x', params: {}, data: null, hasData: true, timeout: null, contentType: null, headers: false } },
  ],
  [
    'treats params null as no params',
    { given: '{"request":"hl2","id":"x","params":null}', want: { request: 'hl2', id: 'x', params: {}, data: undefined, hasData: false, timeout: null, contentType: null, headers: false } },
  ],
  [
    'carries the contentType and headers fields',
    {
      given: '{"request":"pets.create","id":"x","data":"aGk=","contentType":"application/octet-stream","headers":true}',
      want: { request: 'pets.create', id: 'x', params: {}, data: 'aGk=', hasData: true, timeout: null, contentType: 'application/octet-stream', headers: true },
    },
  ],
  [
    'carries a timeout in milliseconds',
    { given: '{"request":"hl2","id":"t","timeout":2500}', want: { request: 'hl2', id: 't', params: {}, data: undefined, hasData: false, timeout: 2500, contentType: null, headers: false } },
  ],
  [
    'treats timeout null as no timeout',
    { given: '{"request":"hl2","id":"t","timeout":null}', want: { request: 'hl2', id: 't', params: {}, data: undefined, hasData: false, timeout: null, contentType: null, headers: false } },
  ],
];

for (const [name, { given, want }] of accepted) {
  test(`parseRequest ${name}`, () => {
    assert.deepEqual(outcome(parseRequest(given)), { ok: true, msg: want });
  });
}

const refused: Array<[string, { given: string; want: { id: RequestId | null; code: ErrorCode } }]> = [
  ['refuses BAD_JSON with id null when the line is not JSON', { given: '{"request":', want: { id: null, code: 'BAD_JSON' } }],
  ['refuses BAD_JSON with id null for bare words', { given: 'hello', want: { id: null, code: 'BAD_JSON' } }],
  ['refuses NOT_AN_OBJECT for an array', { given: '[{"request":"hl2","id":1}]', want: { id: null, code: 'NOT_AN_OBJECT' } }],
  ['refuses NOT_AN_OBJECT for null', { given: 'null', want: { id: null, code: 'NOT_AN_OBJECT' } }],
  ['refuses NOT_AN_OBJECT for a number', { given: '42', want: { id: null, code: 'NOT_AN_OBJECT' } }],
  ['refuses NOT_AN_OBJECT for a string', { given: '"hl2"', want: { id: null, code: 'NOT_AN_OBJECT' } }],
  ['refuses MISSING_ID when there is no id', { given: '{"request":"hl2"}', want: { id: null, code: 'MISSING_ID' } }],
  ['refuses MISSING_ID when id is null', { given: '{"request":"hl2","id":null}', want: { id: null, code: 'MISSING_ID' } }],
  ['refuses INVALID_ID with id null when id is an object', { given: '{"request":"hl2","id":{"n":1}}', want: { id: null, code: 'INVALID_ID' } }],
  ['refuses INVALID_ID with id null when id is a boolean', { given: '{"request":"hl2","id":true}', want: { id: null, code: 'INVALID_ID' } }],
  ['refuses INVALID_ID with id null when id is an array', { given: '{"request":"hl2","id":[1]}', want: { id: null, code: 'INVALID_ID' } }],
  ['refuses MISSING_REQUEST carrying the id when request is absent', { given: '{"id":"r1"}', want: { id: 'r1', code: 'MISSING_REQUEST' } }],
  ['refuses MISSING_REQUEST carrying the id when request is empty', { given: '{"request":"","id":5}', want: { id: 5, code: 'MISSING_REQUEST' } }],
  ['refuses MISSING_REQUEST carrying the id when request is not a string', { given: '{"request":3,"id":5}', want: { id: 5, code: 'MISSING_REQUEST' } }],
  ['refuses INVALID_FIELD when params is a string', { given: '{"request":"hl2","id":"p","params":"appid=440"}', want: { id: 'p', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD when params is an array', { given: '{"request":"hl2","id":"p","params":[440]}', want: { id: 'p', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD when params is a number', { given: '{"request":"hl2","id":"p","params":440}', want: { id: 'p', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD for a timeout of 0', { given: '{"request":"hl2","id":"t","timeout":0}', want: { id: 't', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD for a negative timeout', { given: '{"request":"hl2","id":"t","timeout":-5}', want: { id: 't', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD for a fractional timeout', { given: '{"request":"hl2","id":"t","timeout":1.5}', want: { id: 't', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD for a timeout given as a string', { given: '{"request":"hl2","id":"t","timeout":"100"}', want: { id: 't', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD for a timeout setTimeout cannot hold', { given: '{"request":"hl2","id":"t","timeout":1e12}', want: { id: 't', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD when headers is not a boolean', { given: '{"request":"hl2","id":"h","headers":"yes"}', want: { id: 'h', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD when contentType is not a media type', { given: '{"request":"hl2","id":"c","contentType":"json"}', want: { id: 'c', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD when contentType holds a line break', { given: '{"request":"hl2","id":"c","contentType":"text/plain\\r\\nX-A: 1"}', want: { id: 'c', code: 'INVALID_FIELD' } }],
  ['refuses INVALID_FIELD for an unknown top-level field', { given: '{"request":"hl2","id":"u","parms":{}}', want: { id: 'u', code: 'INVALID_FIELD' } }],
];

for (const [name, { given, want }] of refused) {
  test(`parseRequest ${name}`, () => {
    assert.deepEqual(outcome(parseRequest(given)), { ok: false, ...want });
  });
}

test('parseRequest names the unknown field and the allowed ones in INVALID_FIELD', () => {
  const result = parseRequest('{"request":"hl2","id":"u","parms":{}}');
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.match(result.error.message, /"parms"/);
  assert.match(result.error.message, /request, id, params, data, timeout/);
});

test('parseRequest keeps the JSON parser message in BAD_JSON and its cause', () => {
  const result = parseRequest('{nope');
  assert.ok(!result.ok);
  assert.match(result.error.message, /^line is not valid JSON: /);
  assert.ok(result.error.cause instanceof SyntaxError);
});

const secondsCases: Array<[string, { given: number; want: number }]> = [
  ['rounds 395.96 ms to 0.39596 s', { given: 395.96, want: 0.39596 }],
  ['gives 0 for 0 ms', { given: 0, want: 0 }],
  ['gives 0.001 for 1 ms', { given: 1, want: 0.001 }],
  ['rounds to five decimals', { given: 1234.567891, want: 1.23457 }],
  ['rounds sub-10-microsecond times to 0', { given: 0.004, want: 0 }],
];

for (const [name, { given, want }] of secondsCases) {
  test(`seconds ${name}`, () => {
    assert.equal(seconds(given), want);
  });
}

/** Checks that `line` is one line of JSON and returns the parsed value. */
function parseLine(line: string): unknown {
  assert.ok(line.endsWith('\n'), 'a reply line ends with a newline');
  assert.equal(line.indexOf('\n'), line.length - 1, 'a reply line holds exactly one newline, at its end');
  return JSON.parse(line.slice(0, -1));
}

const replies: Array<[string, { given: () => string; want: unknown }]> = [
  ['dispatchedLine with a string id', { given: () => dispatchedLine('a1'), want: { status: 'dispatched', id: 'a1' } }],
  ['dispatchedLine with a number id', { given: () => dispatchedLine(7), want: { status: 'dispatched', id: 7 } }],
  [
    'responseLine for a documented success',
    {
      given: () => responseLine('a1', true, 395.96, 200, { appnews: { appid: 440 } }),
      want: { status: 'ok', id: 'a1', time: 0.39596, code: 200, attempts: 1, response: { appnews: { appid: 440 } } },
    },
  ],
  [
    'responseLine for an upstream error status',
    { given: () => responseLine(3, false, 12, 404, 'not found', 3), want: { status: 'error', id: 3, time: 0.012, code: 404, attempts: 3, response: 'not found' } },
  ],
  [
    'failureLine with no HTTP status',
    {
      given: () => failureLine('f', 1500, new RelayError('CONNECT_REFUSED', ['api.example.com:443'])),
      want: { status: 'error', id: 'f', time: 1.5, code: null, attempts: 1, response: { error: 'connection refused by api.example.com:443', code: 'CONNECT_REFUSED' } },
    },
  ],
  [
    'failureLine that keeps the status of a response cut off for size',
    {
      given: () => failureLine('f', 2, new RelayError('RESPONSE_TOO_LARGE', ['api.example.com', 10]), 200, 2),
      want: {
        status: 'error',
        id: 'f',
        time: 0.002,
        code: 200,
        attempts: 2,
        response: { error: 'response from api.example.com is larger than 10 bytes; cut off', code: 'RESPONSE_TOO_LARGE' },
      },
    },
  ],
  [
    'refusalLine with a null id',
    {
      given: () => refusalLine(null, new RelayError('BAD_JSON', ['Unexpected end of JSON input'])),
      want: { status: 'error', id: null, response: { error: 'line is not valid JSON: Unexpected end of JSON input', code: 'BAD_JSON' } },
    },
  ],
  [
    'refusalLine whose message holds a newline',
    {
      given: () => refusalLine('m', new RelayError('INVALID_FIELD', ['first\nsecond'])),
      want: { status: 'error', id: 'm', response: { error: 'first\nsecond', code: 'INVALID_FIELD' } },
    },
  ],
];

for (const [name, { given, want }] of replies) {
  test(`builds ${name} as one line of JSON`, () => {
    assert.deepEqual(parseLine(given()), want);
  });
}

test('refusalLine has exactly the keys status, id and response, in that order', () => {
  const line = refusalLine('r', new RelayError('MISSING_PARAM', ['appid']));
  assert.equal(line, '{"status":"error","id":"r","response":{"error":"missing required parameter: appid","code":"MISSING_PARAM"}}\n');
});

test('dispatchedLine is exactly {"status":"dispatched","id":...}', () => {
  assert.equal(dispatchedLine('q"1'), '{"status":"dispatched","id":"q\\"1"}\n');
});

/** A LineSplitter that records what it reports, in order. */
function recorder(maxBytes: number) {
  const events: string[] = [];
  const splitter = new LineSplitter(
    maxBytes,
    (line) => void events.push(`line:${line}`),
    () => void events.push('tooLong'),
  );
  return { splitter, events };
}

/** Push each string as one chunk. */
function pushAll(splitter: LineSplitter, chunks: Array<string | Buffer>): void {
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
}

/** A buffer split into one-byte chunks. */
function bytewise(text: string): Buffer[] {
  return [...Buffer.from(text)].map((byte) => Buffer.from([byte]));
}

const framing: Array<[string, { given: { maxBytes?: number; chunks: Array<string | Buffer>; end?: boolean }; want: string[] }]> = [
  ['joins a line split across chunks', { given: { chunks: ['{"req', 'uest":', '"a"}\n'] }, want: ['line:{"request":"a"}'] }],
  ['splits several lines in one chunk', { given: { chunks: ['one\ntwo\nthree\n'] }, want: ['line:one', 'line:two', 'line:three'] }],
  ['keeps the tail of a chunk for the next one', { given: { chunks: ['one\ntw', 'o\n'] }, want: ['line:one', 'line:two'] }],
  ['strips CRLF endings', { given: { chunks: ['one\r\ntwo\r\n'] }, want: ['line:one', 'line:two'] }],
  ['strips a CR that arrives in the chunk before its LF', { given: { chunks: ['one\r', '\ntwo\r', '\n'] }, want: ['line:one', 'line:two'] }],
  ['ignores blank lines', { given: { chunks: ['\n\r\none\n\n  \n\ttwo\n'] }, want: ['line:one', 'line:\ttwo'] }],
  ['decodes a two-byte character split between chunks', { given: { chunks: bytewise('caf\u00e9\n') }, want: ['line:caf\u00e9'] }],
  ['decodes three- and four-byte characters split byte by byte', { given: { chunks: bytewise('\u20ac \u{1F600}\n') }, want: ['line:\u20ac \u{1F600}'] }],
  [
    'decodes a character split exactly at the end of a chunk that ends a line',
    { given: { chunks: [Buffer.from('a\n\xe2\x82', 'latin1'), Buffer.from('\xac\n', 'latin1')] }, want: ['line:a', 'line:\u20ac'] },
  ],
  ['does not deliver an unterminated line before end()', { given: { chunks: ['one\ntwo'] }, want: ['line:one'] }],
  ['delivers a final unterminated line on end()', { given: { chunks: ['one\ntwo'], end: true }, want: ['line:one', 'line:two'] }],
  ['strips the CR of a final unterminated line on end()', { given: { chunks: ['two\r'], end: true }, want: ['line:two'] }],
  ['delivers nothing more on end() after a complete line', { given: { chunks: ['one\n'], end: true }, want: ['line:one'] }],
  ['delivers a line of exactly maxBytes', { given: { maxBytes: 5, chunks: ['12345\n'] }, want: ['line:12345'] }],
  ['delivers a CRLF line of exactly maxBytes', { given: { maxBytes: 5, chunks: ['12345\r\n'] }, want: ['line:12345'] }],
  ['refuses a line of maxBytes + 1 once', { given: { maxBytes: 5, chunks: ['123456\nok\n'] }, want: ['tooLong', 'line:ok'] }],
  ['refuses a CRLF line of maxBytes + 1 once', { given: { maxBytes: 5, chunks: ['123456\r\nok\n'] }, want: ['tooLong', 'line:ok'] }],
  [
    'refuses a long line once and still delivers the next line in the same chunk',
    { given: { maxBytes: 8, chunks: ['a'.repeat(100) + '\nnext\n'] }, want: ['tooLong', 'line:next'] },
  ],
  [
    'refuses a long line once and still delivers the next line in a later chunk',
    { given: { maxBytes: 8, chunks: ['before\n' + 'a'.repeat(20), 'a'.repeat(20), 'a\nne', 'xt\n'] }, want: ['line:before', 'tooLong', 'line:next'] },
  ],
  [
    'refuses a long line that arrives in the chunk after a partial one',
    { given: { maxBytes: 8, chunks: ['abcd', 'efghijklmnop\nok\n'] }, want: ['tooLong', 'line:ok'] },
  ],
  [
    'refuses each of two long lines once',
    { given: { maxBytes: 4, chunks: ['123456\n', '7890123\nok\n'] }, want: ['tooLong', 'tooLong', 'line:ok'] },
  ],
  ['drops a long unterminated line on end() without a second report', { given: { maxBytes: 4, chunks: ['123456789'], end: true }, want: ['tooLong'] }],
  ['refuses a final unterminated line of maxBytes + 1 on end()', { given: { maxBytes: 4, chunks: ['12345'], end: true }, want: ['tooLong'] }],
  ['counts maxBytes in bytes, not characters', { given: { maxBytes: 4, chunks: ['\u00e9\u00e9\u00e9\nok\n'] }, want: ['tooLong', 'line:ok'] }],
];

for (const [name, { given, want }] of framing) {
  test(`LineSplitter ${name}`, () => {
    const { splitter, events } = recorder(given.maxBytes ?? 1024);
    pushAll(splitter, given.chunks);
    if (given.end) splitter.end();
    assert.deepEqual(events, want);
  });
}

test('LineSplitter reports a too-long line as soon as it passes maxBytes and stays quiet until its newline', () => {
  const maxBytes = 1024;
  const chunk = Buffer.alloc(100, 'x');
  const { splitter, events } = recorder(maxBytes);
  let pushed = 0;
  let pushedWhenReported = -1;
  for (let i = 0; i < 50_000; i++) {
    splitter.push(chunk);
    pushed += chunk.length;
    if (pushedWhenReported === -1 && events.length > 0) pushedWhenReported = pushed;
  }
  // 5 MB went in without a newline: one report, made within a chunk of the limit, and no line.
  assert.deepEqual(events, ['tooLong']);
  assert.ok(pushedWhenReported > maxBytes && pushedWhenReported <= maxBytes + 1 + chunk.length, `reported after ${pushedWhenReported} bytes`);
  splitter.push(Buffer.from('xxxx\n{"request":"hl2","id":1}\n'));
  assert.deepEqual(events, ['tooLong', 'line:{"request":"hl2","id":1}']);
});

test('LineSplitter keeps working for normal lines after a long one, across many chunks', () => {
  const { splitter, events } = recorder(16);
  pushAll(splitter, [...bytewise('y'.repeat(1000)), ...bytewise('\nshort\n')]);
  assert.deepEqual(events, ['tooLong', 'line:short']);
});
