/**
 * Unit tests for the connection-side pieces of the protocol: parseLine (cancel and auth lines, the
 * depth cap), exceedsDepth, the cancel refusal line, and the constant-time token check.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenMatches } from '../../runtime/client-auth.js';
import { RelayError } from '../../runtime/errors.js';
import { cancelRefusalLine, exceedsDepth, parseLine, type LineMessage } from '../../runtime/protocol.js';

function outcome(m: LineMessage): unknown {
  if (m.kind === 'refused') return { kind: m.kind, id: m.id, code: m.error.code };
  if (m.kind === 'request') return { kind: m.kind, id: m.msg.id, request: m.msg.request };
  return m;
}

const cases: Array<[string, { given: string; want: unknown }]> = [
  ['reads a cancel line with a string id', { given: '{"cancel":"7"}', want: { kind: 'cancel', id: '7' } }],
  ['reads a cancel line with a number id', { given: '{"cancel":7}', want: { kind: 'cancel', id: 7 } }],
  ['refuses a cancel id that is not a string or finite number', { given: '{"cancel":[7]}', want: { kind: 'refused', id: null, code: 'INVALID_ID' } }],
  ['refuses a cancel line with another field', { given: '{"cancel":"7","x":1}', want: { kind: 'refused', id: null, code: 'INVALID_FIELD' } }],
  ['reads an auth line', { given: '{"auth":"s3cret"}', want: { kind: 'auth', token: 's3cret' } }],
  ['refuses an auth value that is not a string', { given: '{"auth":1}', want: { kind: 'refused', id: null, code: 'INVALID_FIELD' } }],
  ['treats a line with an id as a request, so a stray "cancel" field is INVALID_FIELD with the id', { given: '{"id":"r","request":"x","cancel":"7"}', want: { kind: 'refused', id: 'r', code: 'INVALID_FIELD' } }],
  ['reads a request', { given: '{"id":"r","request":"steam.getAppList"}', want: { kind: 'request', id: 'r', request: 'steam.getAppList' } }],
  ['refuses bad JSON', { given: '{"cancel":', want: { kind: 'refused', id: null, code: 'BAD_JSON' } }],
  ['refuses an object without id, request, cancel or auth as MISSING_ID', { given: '{}', want: { kind: 'refused', id: null, code: 'MISSING_ID' } }],
];

for (const [name, { given, want }] of cases) {
  test(`parseLine ${name}`, () => {
    assert.deepEqual(outcome(parseLine(given, 64)), want);
  });
}

test('parseLine refuses a line nested deeper than the cap with TOO_DEEP and the cap in the message', () => {
  const m = parseLine('{"id":1,"request":"x","params":{"a":[[1]]}}', 3);
  assert.equal(m.kind, 'refused');
  assert.equal((m as { error: RelayError }).error.code, 'TOO_DEEP');
  assert.equal((m as { error: RelayError }).error.message, 'JSON nested deeper than 3 levels (limits.maxJsonDepth)');
  assert.equal(parseLine('{"id":1,"request":"x","params":{"a":[1]}}', 3).kind, 'request');
});

const depths: Array<[string, { given: [string, number]; want: boolean }]> = [
  ['counts arrays and objects alike', { given: ['[{"a":[1]}]', 2], want: true }],
  ['allows exactly the cap', { given: ['[{"a":[1]}]', 3], want: false }],
  ['ignores brackets inside strings', { given: ['["[[[[{{{{"]', 1], want: false }],
  ['ignores escaped quotes inside strings', { given: ['["\\"[[[["]', 1], want: false }],
  ['counts after a string that ends in an escaped backslash', { given: ['["\\\\",[[1]]]', 2], want: true }],
  ['measures depth, not count, of siblings', { given: ['[[1],[2],[3],[4]]', 2], want: false }],
  ['finds an unbalanced deep prefix', { given: ['['.repeat(100_000), 64], want: true }],
  ['is off when the cap is Infinity', { given: ['['.repeat(1000), Infinity], want: false }],
];

for (const [name, { given, want }] of depths) {
  test(`exceedsDepth ${name}`, () => {
    assert.equal(exceedsDepth(...given), want);
  });
}

test('cancelRefusalLine names the id in "cancel" and leaves "id" null', () => {
  assert.equal(
    cancelRefusalLine('x', new RelayError('NOT_IN_FLIGHT', ['"x"'])),
    '{"status":"error","id":null,"cancel":"x","response":{"error":"no request with id \\"x\\" is in flight on this connection","code":"NOT_IN_FLIGHT"}}\n',
  );
});

test('tokenMatches accepts the token and refuses anything else, whatever its length', () => {
  const token = 'tok-0123456789abcdef';
  assert.equal(tokenMatches(token, token), true);
  for (const other of ['', 'tok', `${token}x`, token.slice(0, -1), token.toUpperCase(), 'x'.repeat(10_000)]) {
    assert.equal(tokenMatches(other, token), false, other);
  }
});
