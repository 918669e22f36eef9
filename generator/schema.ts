/**
 * Pure helpers over schemas and media types shared by transform and emit.
 */
import type { JsonSchema } from '../runtime/table.js';

/** Keywords that only document a schema; the runtime table leaves them out. */
const DOC_KEYWORDS = new Set(['description', 'example', 'examples', 'externalDocs', 'xml', 'title', '$comment']);

/**
 * A deep copy of a dereferenced schema as plain data, without documentation keywords.
 * A cycle (possible after dereferencing) becomes `{}`, which accepts anything.
 */
export function plainSchema(schema: object): JsonSchema {
  return copy(schema, new Set()) as JsonSchema;
}

function copy(value: unknown, ancestors: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return {};
  ancestors.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((item) => copy(item, ancestors));
  else {
    const obj: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (DOC_KEYWORDS.has(key) || key.startsWith('x-')) continue;
      obj[key] = copy(v, ancestors);
    }
    out = obj;
  }
  ancestors.delete(value);
  return out;
}

/** `application/json`, `application/problem+json`, `text/json; charset=utf-8`, ... */
export function isJsonMediaType(type: string): boolean {
  const base = type.split(';')[0]!.trim().toLowerCase();
  return base === 'application/json' || base === 'text/json' || base.endsWith('+json');
}

/** JSON media types first (`application/json` before `+json`), then the rest, each alphabetically. */
export function sortMediaTypes(types: string[]): string[] {
  const rank = (t: string) => (t.toLowerCase().startsWith('application/json') ? 0 : isJsonMediaType(t) ? 1 : 2);
  return [...types].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
