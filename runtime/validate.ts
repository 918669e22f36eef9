/**
 * Validation before dispatch: each operation's params and body checked against its schemas with ajv,
 * compiled at each operation's first request. Values are validated as the JSON the client sent: no coercion.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { RelayError } from './errors.js';
import type { JsonSchema, OperationSpec, ParamSpec } from './table.js';
import { baseMediaType } from './media-type.js';

const require = createRequire(import.meta.url);

/** A file in a multipart body, as the line protocol carries it. */
export const FILE_SCHEMA = {
  type: 'object',
  required: ['base64'],
  additionalProperties: false,
  properties: { filename: { type: 'string' }, contentType: { type: 'string' }, base64: { type: 'string' } },
} as const;

/** Checks params (and a body for one media type); throws INVALID_PARAMS naming every failing field. */
export type Validator = (params: Record<string, unknown>, data: { type: string; value: unknown } | null) => void;

/** One ajv instance per catalog: compiled validators share its cache. */
export function createAjv(): Ajv {
  // Required here, at the first validation, rather than imported: loading ajv is about 60 ms of start-up.
  const { Ajv } = require('ajv') as typeof import('ajv');
  const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
  // strict off: specs carry OpenAPI keywords (discriminator, xml, example, nullable) that are not JSON Schema.
  // unicodeRegExp off: spec patterns are often written for engines without the `u` flag (`{` unescaped).
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true, unicodeRegExp: false });
  addFormats(ajv);
  // OpenAPI formats ajv-formats does not know; any value of the type passes.
  for (const format of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']) ajv.addFormat(format, true);
  return ajv;
}

/**
 * The validator for one operation, or null when there is nothing to check. A schema ajv cannot
 * compile (broken in the spec) is skipped and reported through `warn`, not fatal.
 */
export function compileValidator(ajv: Ajv, op: OperationSpec, fullName: string, warn: (message: string) => void): Validator | null {
  const paramProps: Record<string, unknown> = {};
  for (const p of op.params) paramProps[p.key ?? p.name] = toAjvSchema(p.schema, 'param');
  const params = op.params.length === 0 ? null : tryCompile(ajv, { type: 'object', properties: paramProps }, `${fullName} params`, warn);
  const bodies = new Map<string, ValidateFunction>();
  for (const [type, media] of Object.entries(op.body?.media ?? {})) {
    const base = baseMediaType(type);
    if (isRawBody(base)) continue;
    const multipart = base.startsWith('multipart/');
    const check = tryCompile(ajv, toAjvSchema(media.schema, multipart ? 'multipart' : 'json'), `${fullName} body (${type})`, warn);
    if (check) bodies.set(type, check);
  }
  if (!params && bodies.size === 0) return null;
  return (given, data) => {
    const problems: string[] = [];
    if (params && !params(given)) problems.push(...describe(params.errors, 'params'));
    const body = data ? bodies.get(data.type) : undefined;
    if (body && data && !body(data.value)) problems.push(...describe(body.errors, 'data'));
    if (problems.length > 0) throw new RelayError('INVALID_PARAMS', [[...new Set(problems)].join('; ')]);
  };
}

function tryCompile(ajv: Ajv, schema: unknown, what: string, warn: (message: string) => void): ValidateFunction | null {
  try {
    return ajv.compile(schema as object);
  } catch (err) {
    warn(`${what}: schema not usable for validation, not checked: ${(err as Error).message}`);
    return null;
  }
}

/**
 * compileValidator deferred to the operation's first request: compiling every schema at start-up took
 * most of relay-run's start-up (GitHub's 1,223 operations: about 2 s). A schema that does not compile
 * is then reported through `warn` at that first request.
 */
export function lazyValidator(ajv: () => Ajv, op: OperationSpec, fullName: string, warn: (message: string) => void): Validator | null {
  const hasSchemas = op.params.length > 0 || Object.keys(op.body?.media ?? {}).some((type) => !isRawBody(baseMediaType(type)));
  if (!hasSchemas) return null;
  let compiled: Validator | null | undefined;
  return (params, data) => {
    if (compiled === undefined) compiled = compileValidator(ajv(), op, fullName, warn);
    compiled?.(params, data);
  };
}

/** Raw bodies are bytes or text; their schema describes the bytes, not the protocol's value. */
function isRawBody(base: string): boolean {
  return base === 'application/octet-stream' || base.startsWith('text/') || base.startsWith('image/');
}

/** `params.count: must be integer` from ajv's errors. */
function describe(errors: ErrorObject[] | null | undefined, root: string): string[] {
  return (errors ?? [])
    .filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword) || (errors ?? []).length === 1)
    .map((e) => {
      const keys = e.instancePath.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
      if (e.keyword === 'required') keys.push(String(e.params.missingProperty));
      if (e.keyword === 'additionalProperties') keys.push(String(e.params.additionalProperty));
      const path = [root, ...keys].map((k, i) => (i > 0 && /^\d+$/.test(k) ? `[${k}]` : i > 0 ? `.${k}` : k)).join('');
      if (e.keyword === 'required') return `${path}: is required`;
      if (e.keyword === 'additionalProperties') return `${path}: is not allowed`;
      if (e.keyword === 'enum') return `${path}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      return `${path}: ${e.message ?? e.keyword}`;
    });
}

/**
 * A spec schema in the shape ajv (draft-07) checks: OpenAPI 3.0's `nullable` and boolean
 * `exclusiveMinimum`/`exclusiveMaximum` rewritten, and, in multipart bodies, binary strings also
 * accepting the protocol's file object. Recursive over subschemas; the input is not changed.
 * @see https://spec.openapis.org/oas/v3.0.3#fixed-fields-19
 */
export function toAjvSchema(schema: JsonSchema | unknown, mode: 'param' | 'json' | 'multipart'): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(s)) {
    if (['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'].includes(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toAjvSchema(v, mode)]));
    } else if (['allOf', 'anyOf', 'oneOf', 'prefixItems'].includes(key) && Array.isArray(value)) {
      out[key] = value.map((v) => toAjvSchema(v, mode));
    } else if (['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'additionalItems'].includes(key)) {
      out[key] = Array.isArray(value) ? value.map((v) => toAjvSchema(v, mode)) : toAjvSchema(value, mode);
    } else if (key === '$schema' || key === '$id' || key === '$ref' || key === 'discriminator') {
      // Dereferenced already; a stray $ref or foreign $schema would make ajv look elsewhere.
      continue;
    } else {
      out[key] = value;
    }
  }
  if (typeof s.exclusiveMinimum === 'boolean') {
    delete out.exclusiveMinimum;
    if (s.exclusiveMinimum && typeof s.minimum === 'number') {
      out.exclusiveMinimum = s.minimum;
      delete out.minimum;
    }
  }
  if (typeof s.exclusiveMaximum === 'boolean') {
    delete out.exclusiveMaximum;
    if (s.exclusiveMaximum && typeof s.maximum === 'number') {
      out.exclusiveMaximum = s.maximum;
      delete out.maximum;
    }
  }
  // Duplicate enum values are a common spec slip that would make the whole schema uncompilable.
  if (Array.isArray(out.enum)) out.enum = [...new Map(out.enum.map((v) => [JSON.stringify(v), v])).values()];
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  if (mode === 'multipart' && isBinary(s)) {
    const { type: _type, format: _format, contentEncoding: _ce, contentMediaType: _cmt, ...rest } = out;
    return { ...rest, anyOf: [{ type: 'string' }, FILE_SCHEMA] };
  }
  return out;
}

function isBinary(s: Record<string, unknown>): boolean {
  return (s.type === 'string' || s.type === undefined) && (s.format === 'binary' || s.format === 'byte' || typeof s.contentMediaType === 'string' || s.contentEncoding === 'base64');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export type { ParamSpec };
