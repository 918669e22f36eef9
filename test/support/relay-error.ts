/**
 * A predicate for assert.throws / assert.rejects: the error is a RelayError with the given code
 * (and, when given, a message matching `message`).
 */
import assert from 'node:assert/strict';
import { RelayError } from '../../runtime/errors.js';

export function relayError(code: string, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof RelayError, `expected a RelayError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  };
}
