/**
 * Media types: the one definition of "JSON" shared by the generator (ordering an operation's types)
 * and the runtime (encoding bodies, decoding responses).
 */

/** `Application/JSON; charset=utf-8` -> `application/json`. */
export function baseMediaType(type: string): string {
  return type.split(';')[0]!.trim().toLowerCase();
}

/** `application/json`, `text/json` and any `+json` type (`application/problem+json`), parameters ignored. */
export function isJsonMediaType(type: string): boolean {
  const base = baseMediaType(type);
  return base === 'application/json' || base === 'text/json' || base.endsWith('+json');
}
