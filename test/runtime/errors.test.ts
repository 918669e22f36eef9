/**
 * Unit tests for runtime/errors.ts: the code table, RelayError, and agreement with the README's
 * error-code table (codes are public API, so the two must list the same codes).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERRORS, RelayError, relayError, type ErrorCode } from '../../runtime/errors.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const CODES = Object.keys(ERRORS) as ErrorCode[];

test('every error code has a non-empty message template', () => {
  assert.ok(CODES.length > 0);
  for (const code of CODES) {
    assert.equal(typeof ERRORS[code], 'string', code);
    assert.ok(ERRORS[code].trim().length > 0, `${code} has an empty template`);
  }
});

test('every error code is UPPER_SNAKE', () => {
  for (const code of CODES) assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
});

test('RelayError carries the code it was made with, for every code', () => {
  for (const code of CODES) {
    const err = new RelayError(code, ['a', 'b', 'c', 'd']);
    assert.equal(err.code, code);
    assert.equal(err.name, 'RelayError');
    assert.ok(err instanceof Error);
  }
});

const formatted: Array<[string, { given: RelayError; want: string }]> = [
  ['fills one argument', { given: new RelayError('MISSING_PARAM', ['appid']), want: 'missing required parameter: appid' }],
  ['fills several arguments in order', { given: new RelayError('UNKNOWN_PARAM', ['limt', 'appid, count']), want: 'unknown parameter: limt (this operation takes: appid, count)' }],
  ['fills a number', { given: new RelayError('LINE_TOO_LONG', [1048576]), want: 'line longer than 1048576 bytes refused' }],
  ['leaves a template without placeholders as is', { given: new RelayError('MISSING_ID'), want: 'request has no "id" (a string or a number)' }],
  ['fills through the relayError shorthand', { given: relayError('UNKNOWN_REQUEST', 'steam.nope'), want: 'unknown request: steam.nope' }],
];

for (const [name, { given, want }] of formatted) {
  test(`RelayError ${name}`, () => {
    assert.equal(given.message, want);
  });
}

test('RelayError keeps its cause', () => {
  const cause = new Error('low level');
  assert.equal(new RelayError('INTERNAL', [], { cause }).cause, cause);
});

/**
 * The codes in the README's error-code table: of the markdown tables whose first column is a code
 * in backticks, the one that names the most codes of ERRORS.
 */
function readmeCodes(markdown: string): string[] | null {
  const tables: string[][] = [];
  let current: string[] | null = null;
  for (const line of markdown.split(/\r?\n/)) {
    if (!line.trimStart().startsWith('|')) {
      current = null;
      continue;
    }
    const first = /^\s*\|\s*`([^`]+)`\s*\|/.exec(line)?.[1];
    if (first === undefined) continue; // the header and the |---| rule
    if (current === null) tables.push((current = []));
    current.push(first);
  }
  const known = new Set<string>(CODES);
  const best = tables
    .map((codes) => ({ codes, hits: codes.filter((c) => known.has(c)).length }))
    .sort((a, b) => b.hits - a.hits)[0];
  return best && best.hits > 0 ? best.codes : null;
}

test("the README's error-code table lists exactly the codes of ERRORS", () => {
  assert.ok(existsSync(README), 'the README error-code table is missing: README.md does not exist (every code in runtime/errors.ts must be listed there)');
  const listed = readmeCodes(readFileSync(README, 'utf8'));
  assert.ok(listed !== null, 'the README error-code table is missing: README.md has no markdown table whose first column is an error code in backticks');
  const duplicates = listed.filter((c, i) => listed.indexOf(c) !== i);
  assert.deepEqual(duplicates, [], 'codes listed twice in the README table');
  const inReadme = new Set(listed);
  assert.deepEqual(
    { missingFromReadme: CODES.filter((c) => !inReadme.has(c)), notInErrors: listed.filter((c) => !(c in ERRORS)) },
    { missingFromReadme: [], notInErrors: [] },
  );
});
