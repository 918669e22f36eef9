/**
 * JSON Schema -> TypeScript type text. Pure. Named component schemas are referred to by name
 * (`Schemas["Pet"]`), which keeps output small and makes recursive schemas expressible.
 * @see https://spec.openapis.org/oas/v3.1.0#schema-object
 */
import { isIdentifier } from './names.js';

export interface TypeContext {
  /** Named schemas by object identity, and how to refer to each. */
  named: Map<object, string>;
}

type Schema = Record<string, unknown>;

/** Render `schema` as a type; `indent` is the indentation of the line the type starts on. */
export function schemaToTs(schema: unknown, ctx: TypeContext, indent = '', self?: object): string {
  return render(schema, ctx, indent, new Set(self ? [self] : []), self);
}

function render(schema: unknown, ctx: TypeContext, indent: string, ancestors: Set<object>, self?: object): string {
  if (schema === true || schema === undefined) return 'unknown';
  if (schema === false) return 'never';
  if (schema === null || typeof schema !== 'object') return 'unknown';
  const ref = ctx.named.get(schema);
  if (ref !== undefined && schema !== self) return ref;
  // An unnamed cycle cannot be written inline.
  if (ancestors.has(schema) && schema !== self) return 'unknown';
  // One set for the whole walk, each schema in it while its subtree renders, instead of a copy per node.
  const added = !ancestors.has(schema);
  ancestors.add(schema);
  const s = schema as Schema;
  const type = base(s, ctx, indent, ancestors);
  if (added) ancestors.delete(schema);
  return s.nullable === true && type !== 'unknown' ? union([type, 'null']) : type;
}

function base(s: Schema, ctx: TypeContext, indent: string, ancestors: Set<object>): string {
  const sub = (x: unknown) => render(x, ctx, indent, ancestors);
  if ('const' in s) return literal(s.const);
  if (Array.isArray(s.enum)) return union(s.enum.map(literal));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const members = s[key];
    if (Array.isArray(members) && members.length > 0) return union(members.map(sub));
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    const parts = s.allOf.map(sub).filter((t) => t !== 'unknown');
    const own = hasObjectShape(s) ? [objectType(s, ctx, indent, ancestors)] : [];
    const all = [...parts, ...own];
    return all.length === 0 ? 'unknown' : all.map((t) => (/[|]/.test(t) ? `(${t})` : t)).join(' & ');
  }
  if (Array.isArray(s.type)) {
    return union(s.type.map((t) => base({ ...s, type: t }, ctx, indent, ancestors)));
  }
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return arrayOf(s.items === undefined ? 'unknown' : sub(s.items));
    case 'object':
      return objectType(s, ctx, indent, ancestors);
    default:
      if (hasObjectShape(s)) return objectType(s, ctx, indent, ancestors);
      if (s.items !== undefined) return arrayOf(sub(s.items));
      return 'unknown';
  }
}

function hasObjectShape(s: Schema): boolean {
  return s.type === 'object' || typeof s.properties === 'object' || s.additionalProperties !== undefined;
}

function objectType(s: Schema, ctx: TypeContext, indent: string, ancestors: Set<object>): string {
  const props = (s.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const inner = `${indent}  `;
  const lines: string[] = [];
  for (const [key, value] of Object.entries(props)) {
    const doc = value && typeof value === 'object' ? docComment((value as Schema).description, inner) : '';
    const optional = required.has(key) ? '' : '?';
    lines.push(`${doc}${inner}${propertyKey(key)}${optional}: ${render(value, ctx, inner, ancestors)};`);
  }
  const extra = s.additionalProperties;
  if (extra !== false && !(Object.keys(props).length > 0 && extra === undefined)) {
    // An index signature must admit every declared property's type, so it widens when both exist.
    const valueType = Object.keys(props).length > 0 || extra === undefined || extra === true ? 'unknown' : render(extra, ctx, inner, ancestors);
    lines.push(`${inner}[key: string]: ${valueType};`);
  }
  return lines.length === 0 ? 'Record<string, never>' : `{\n${lines.join('\n')}\n${indent}}`;
}

function arrayOf(item: string): string {
  return /^[\w$."[\]]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

function literal(value: unknown): string {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return JSON.stringify(value);
  return 'unknown';
}

/** A property name as written in a type: bare when it is an identifier, else quoted. */
export function propertyKey(key: string): string {
  return isIdentifier(key) ? key : JSON.stringify(key);
}

/** A JSDoc block for `text` at `indent`, or '' when there is no text. Never lets `*\/` close it early. */
export function docComment(text: unknown, indent: string): string {
  if (typeof text !== 'string' || text.trim() === '') return '';
  const lines = text.trim().replace(/\*\//g, '*\\/').split(/\r?\n/).map((l) => l.trimEnd());
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)).join('\n')}\n${indent} */\n`;
}
