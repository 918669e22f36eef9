/**
 * Model -> TypeScript module text, through `templates/module.ts.hbs`.
 * Every string the template prints is computed here; the template only places them.
 * The output is deterministic: sorted keys, no timestamps, no absolute paths.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../runtime/package-root.js';
import Handlebars from 'handlebars';
import type { ApiModel } from './transform.js';
import { capitalize, toIdentifier, uniqueNames } from './names.js';
import { docComment, propertyKey, schemaToTs, type TypeContext } from './schema-to-ts.js';

const TEMPLATE_URL = path.join(PACKAGE_ROOT, 'templates', 'module.ts.hbs');

let compiled: HandlebarsTemplateDelegate | undefined;

function template(): HandlebarsTemplateDelegate {
  // noEscape: the output is TypeScript, not HTML.
  compiled ??= Handlebars.create().compile(readFileSync(TEMPLATE_URL, 'utf8'), { noEscape: true, strict: true });
  return compiled;
}

/** Render the generated module for `model`. */
export function emitModule(model: ApiModel): string {
  return template()(moduleView(model));
}

/** The strings the template prints. */
function moduleView(model: ApiModel) {
  const { table, docs } = model;
  const schemaNames = Object.keys(model.schemas).sort();
  const opNames = Object.keys(table.operations).sort();
  const pascals = uniqueNames(opNames.map(capitalize));
  // Each named schema is a type alias, and references use the alias: aliases may recurse through
  // unions and arrays (`type Value = string | Value[]`), which `Schemas["Value"]` lookups may not.
  const reserved = ['Schemas', 'Operations', 'api', ...pascals.flatMap((p) => [`${p}Params`, `${p}Body`, `${p}Response`])];
  const aliases = uniqueNames(
    [...reserved, ...schemaNames.map((name) => `Schema${capitalize(toIdentifier(name).replace(/^_/, ''))}`)],
    reserved.map(() => true),
  ).slice(reserved.length);
  const ctx: TypeContext = {
    named: new Map(schemaNames.map((name, i) => [model.schemas[name]!, aliases[i]!])),
  };
  return {
    source: table.source,
    name: table.name,
    title: oneLine(table.title),
    version: oneLine(table.version),
    schemas: schemaNames.map((name, i) => {
      const schema = model.schemas[name]!;
      return {
        key: propertyKey(name),
        alias: aliases[i]!,
        doc: docComment((schema as { description?: unknown }).description, ''),
        type: schemaToTs(schema, ctx, '', schema),
      };
    }),
    operations: opNames.map((name, i) => {
      const op = table.operations[name]!;
      const doc = docs[name]!;
      return {
        name: propertyKey(name),
        pascal: pascals[i]!,
        doc: docComment(
          [`${op.method.toUpperCase()} ${op.path}${op.deprecated ? ' (deprecated)' : ''}`, doc.summary, doc.description]
            .filter(Boolean)
            .join('\n\n'),
          '',
        ),
        params: paramsType(doc.params, ctx),
        body: doc.body ? schemaToTs(doc.body, ctx) : 'never',
        response: doc.response ? schemaToTs(doc.response, ctx) : 'unknown',
      };
    }),
    // A `"__proto__":` key in an object literal would set the prototype; a computed key makes it a property.
    table: JSON.stringify(sortKeys(table), null, 2).replace(/"__proto__":/g, '["__proto__"]:'),
  };
}

function paramsType(params: ApiModel['docs'][string]['params'], ctx: TypeContext): string {
  if (params.length === 0) return 'Record<string, never>';
  const lines = params.map(
    (p) => `${docComment(p.description, '  ')}  ${propertyKey(p.name)}${p.required ? '' : '?'}: ${schemaToTs(p.schema, ctx, '  ')};`,
  );
  return `{\n${lines.join('\n')}\n}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\*\//g, '*\\/').trim();
}

/** A copy with every object's keys sorted; arrays keep their order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  // Assigned one by one (no entry arrays): GitHub's table has 1,223 operations of nested objects.
  // No prototype, so that a `__proto__` key is assigned as a property, as Object.fromEntries would.
  const sorted = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(obj).sort()) {
    if (obj[key] !== undefined) sorted[key] = sortKeys(obj[key]);
  }
  return sorted;
}
