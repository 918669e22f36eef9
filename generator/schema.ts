/**
 * Pure helpers over schemas and media types shared by transform and emit.
 */
import { baseMediaType, isJsonMediaType } from '../runtime/media-type.js';
import type { JsonSchema } from '../runtime/table.js';

/** Re-exported: the generator's tests name media types through this module. */
export { isJsonMediaType };

/** Keywords that only document a schema; the runtime table leaves them out. */
const DOC_KEYWORDS = new Set(['description', 'example', 'examples', 'externalDocs', 'xml', 'title', '$comment']);

/** Keywords whose value is one schema, a list of schemas, or a map of name to schema. */
const SCHEMA_KEYWORDS = new Set(['items', 'additionalItems', 'contains', 'not', 'if', 'then', 'else', 'additionalProperties', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties']);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * A deep copy of a dereferenced schema as plain data, without documentation keywords.
 * Keywords are dropped only where they are keywords: a property named `title` stays, and values
 * (`default`, `enum`, `const`) are copied whole. A cycle (possible after dereferencing) becomes `{}`,
 * which accepts anything.
 * @see https://json-schema.org/draft/2020-12/json-schema-core#section-10
 */
export function plainSchema(schema: object): JsonSchema {
  return copySchema(schema, new Set()) as JsonSchema;
}

function copySchema(schema: unknown, ancestors: Set<object>): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return copyValue(schema, ancestors);
  if (ancestors.has(schema)) return {};
  ancestors.add(schema);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DOC_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    if (SCHEMA_KEYWORDS.has(key)) {
      out[key] = Array.isArray(value) ? value.map((v) => copySchema(v, ancestors)) : copySchema(value, ancestors);
    } else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(value)) {
      out[key] = value.map((v) => copySchema(v, ancestors));
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && value !== null && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, v]) => [name, copySchema(v, ancestors)]));
    } else {
      out[key] = copyValue(value, ancestors);
    }
  }
  ancestors.delete(schema);
  return out;
}

/** Plain JSON data, copied as it is (cycles, impossible in JSON but possible in memory, become null). */
function copyValue(value: unknown, ancestors: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return null;
  ancestors.add(value);
  const out = Array.isArray(value)
    ? value.map((v) => copyValue(v, ancestors))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyValue(v, ancestors)]));
  ancestors.delete(value);
  return out;
}

/** JSON media types first (`application/json` before `+json`), then the rest, each alphabetically. */
export function sortMediaTypes(types: string[]): string[] {
  const rank = (t: string) => (baseMediaType(t) === 'application/json' ? 0 : isJsonMediaType(t) ? 1 : 2);
  return [...types].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
