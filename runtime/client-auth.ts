/**
 * Client authentication: the shared token a connection presents in its first line (`{"auth":"..."}`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` is the configured `token`, in time that does not depend on where they differ:
 * both are hashed first, so the comparison is over equal-length digests whatever the client sends.
 */
export function tokenMatches(given: string, token: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(a, b);
}
