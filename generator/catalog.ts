/**
 * Spec + model -> the catalog view: every string that `templates/catalog.md.hbs` prints, computed
 * here (pure: no files, no templates). The catalog documents each operation for people writing
 * request lines: name, method and path, parameters, expected status codes, an example line.
 */
import type { OpenAPIV3 } from 'openapi-types';
import type { ApiModel } from './transform.js';

export interface CatalogParam {
  name: string;
  in: string;
  type: string;
  required: string;
  default: string;
  description: string;
}

export interface CatalogOperation {
  request: string;
  anchor: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  deprecated: boolean;
  security: string;
  params: CatalogParam[];
  body: string;
  codes: Array<{ code: string; outcome: string; description: string }>;
  example: string;
}

export interface CatalogView {
  source: string;
  name: string;
  title: string;
  version: string;
  description: string;
  servers: string;
  operations: CatalogOperation[];
}

/** The catalog of one API. `doc` is the dereferenced spec that `model` was made from. */
export function catalogView(doc: OpenAPIV3.Document, model: ApiModel): CatalogView {
  const { table } = model;
  const slugs = new Map<string, number>();
  return {
    source: table.source,
    name: table.name,
    title: oneLine(table.title),
    version: oneLine(table.version),
    description: (doc.info?.description ?? '').trim(),
    servers: table.servers.map((s) => `\`${s.url}\``).join(', '),
    operations: Object.keys(table.operations)
      .sort()
      .map((name) => {
        const op = table.operations[name]!;
        const item = (doc.paths?.[op.path] ?? {}) as OpenAPIV3.PathItemObject;
        const spec = (item[op.method] ?? {}) as OpenAPIV3.OperationObject;
        const docs = model.docs[name];
        // transform keeps the table's params and their docs in the same order.
        const params = op.params.map((p, j) => {
          const d = docs?.params[j];
          return { spec: p, key: d?.name ?? p.name, description: d?.description ?? null, example: exampleOf(d?.param, p.schema) };
        });
        const request = `${table.name}.${name}`;
        const exampleParams = Object.fromEntries(params.filter((p) => p.spec.required).map((p) => [p.key, p.example]));
        const body = spec.requestBody as OpenAPIV3.RequestBodyObject | undefined;
        const line: Record<string, unknown> = { request, id: '1' };
        if (Object.keys(exampleParams).length > 0) line.params = exampleParams;
        if (op.body?.required) line.data = bodyExample(body);
        return {
          request,
          anchor: anchor(request, slugs),
          method: op.method.toUpperCase(),
          path: op.path,
          summary: oneLine(op.summary ?? ''),
          description: (docs?.description ?? '').trim(),
          deprecated: op.deprecated,
          security: securityText(op.security),
          params: params.map(({ spec: p, description }) => ({
            name: p.name,
            in: p.in,
            type: typeText(p.schema),
            required: p.required ? 'yes' : 'no',
            default: p.schema.default === undefined ? '' : JSON.stringify(p.schema.default),
            description: oneLine(description ?? ''),
          })),
          body: op.body ? `${op.body.required ? 'required' : 'optional'}, as ${op.body.contentTypes.map((t) => `\`${t}\``).join(' or ')}` : '',
          codes: Object.keys(spec.responses ?? {})
            .sort()
            .map((code) => ({
              code,
              outcome: outcome(code, op.success),
              description: oneLine(((spec.responses![code] as OpenAPIV3.ResponseObject).description ?? '')),
            })),
          example: JSON.stringify(line),
        };
      }),
  };
}

/** Which reply a documented status gives, as relay decides it (see docs/protocol.md, Replies). */
function outcome(code: string, success: string[]): string {
  if (success.length === 0) {
    // No 2xx documented: any 2xx is a success.
    if (/^2/.test(code)) return '`ok`';
    return code === 'default' ? '`ok` for a 2xx, else `error`' : '`error`';
  }
  return success.includes(code.toUpperCase()) || success.includes(`${code[0]}XX`) ? '`ok`' : '`error`';
}

/** GitHub's heading anchor: lower case, punctuation dropped, `-1`, `-2`, ... for repeats. */
function anchor(heading: string, seen: Map<string, number>): string {
  const slug = heading.toLowerCase().replace(/[^\p{L}\p{N}_ -]/gu, '').replace(/ /g, '-');
  const n = seen.get(slug) ?? 0;
  seen.set(slug, n + 1);
  return n === 0 ? slug : `${slug}-${n}`;
}

function securityText(security: Array<Record<string, string[]>>): string {
  if (security.length === 0) return 'none';
  return security.map((alt) => (Object.keys(alt).length === 0 ? 'none' : Object.keys(alt).map((s) => `\`${s}\``).join(' + '))).join(' or ');
}

/** A readable type: `integer (int32)`, `string, one of json, xml, vdf`, `array of string`. */
export function typeText(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) {
    const base = typeof schema.type === 'string' ? `${schema.type}, ` : '';
    return `${base}one of ${schema.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
  }
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : typeof schema.type === 'string' ? schema.type : '';
  if (type === 'array' && schema.items && typeof schema.items === 'object') return `array of ${typeText(schema.items as Record<string, unknown>)}`;
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[key])) return (schema[key] as Array<Record<string, unknown>>).map(typeText).join(' or ');
  }
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : '';
  return `${type || 'any'}${format}`;
}

/** A value for the example line: the spec's example, else the default, the first enum value, or one of the right type. */
function exampleOf(param: OpenAPIV3.ParameterObject | undefined, schema: Record<string, unknown>): unknown {
  if (param?.example !== undefined) return param.example;
  const fromExamples = Object.values(param?.examples ?? {})[0] as OpenAPIV3.ExampleObject | undefined;
  if (fromExamples?.value !== undefined) return fromExamples.value;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [exampleOf(undefined, (schema.items ?? {}) as Record<string, unknown>)];
    default:
      return 'string';
  }
}

function bodyExample(body: OpenAPIV3.RequestBodyObject | undefined): unknown {
  for (const media of Object.values(body?.content ?? {})) {
    if (media.example !== undefined) return media.example;
    const first = Object.values(media.examples ?? {})[0] as OpenAPIV3.ExampleObject | undefined;
    if (first?.value !== undefined) return first.value;
    const schema = media.schema as OpenAPIV3.SchemaObject | undefined;
    if (schema?.example !== undefined) return schema.example;
  }
  return {};
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
