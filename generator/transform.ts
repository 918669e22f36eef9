/**
 * Spec -> model: a pure function from a dereferenced OpenAPI 3 document to relay's request table,
 * plus the documentation and schemas that the emitter needs for types and comments.
 * No files, no templates here.
 */
import type { OpenAPIV3 } from 'openapi-types';
import {
  TABLE_FORMAT,
  type ApiTable,
  type BodySpec,
  type EncodingSpec,
  type MediaSpec,
  type HttpMethod,
  type JsonSchema,
  type OperationSpec,
  type ParamLocation,
  type ParamSpec,
  type ParamStyle,
  type SecurityScheme,
  type ServerSpec,
} from '../runtime/table.js';
import { isIdentifier, nameFromRoute, toIdentifier, uniqueNames } from './names.js';
import { isJsonMediaType } from '../runtime/media-type.js';
import { plainSchema, sortMediaTypes } from './schema.js';

export interface TransformContext {
  /** API name used in request lines and as the module name. */
  name: string;
  /** Spec path as written into the generated header, relative and with `/` separators. */
  source: string;
  /**
   * With relay-gen --lenient: called for a problem that would otherwise fail generation (the offending
   * parameter is skipped). Without it, such problems throw.
   */
  warn?: (message: string) => void;
}

export interface ParamDocs {
  /** The key clients use: the name, or `in.name` when two locations share it. */
  name: string;
  /** The merged parameter object of the spec (operation level over path level), for its examples. */
  param: OpenAPIV3.ParameterObject;
  description: string | null;
  required: boolean;
  /** The dereferenced schema, kept by identity for type generation. */
  schema: object;
}

/** What the emitter needs beyond the table: descriptions and schemas by identity. */
export interface OperationDocs {
  summary: string | null;
  description: string | null;
  params: ParamDocs[];
  body: object | null;
  response: object | null;
}

export interface ApiModel {
  table: ApiTable;
  docs: Record<string, OperationDocs>;
  /** `components.schemas`, by name, so that types can refer to them instead of inlining. */
  schemas: Record<string, object>;
}

const METHODS: HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Header parameters the spec says to ignore. @see https://spec.openapis.org/oas/v3.1.0#fixed-fields-9 */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

/** @see https://spec.openapis.org/oas/v3.1.0#openapi-object */
export function transform(doc: OpenAPIV3.Document, ctx: TransformContext): ApiModel {
  const routes: Array<{ path: string; method: HttpMethod; item: OpenAPIV3.PathItemObject; op: OpenAPIV3.OperationObject }> = [];
  for (const path of Object.keys(doc.paths ?? {}).sort()) {
    const item = doc.paths[path];
    if (!item) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (op) routes.push({ path, method, item, op });
    }
  }
  // Operations whose operationId is already a usable name keep it; derived names yield to them.
  const names = uniqueNames(
    routes.map(({ path, method, op }) => (op.operationId ? toIdentifier(op.operationId) : nameFromRoute(method, path))),
    routes.map(({ op }) => op.operationId !== undefined && op.operationId !== '__proto__' && isIdentifier(op.operationId)),
  );

  const operations: Record<string, OperationSpec> = {};
  const docs: Record<string, OperationDocs> = {};
  routes.forEach((route, i) => {
    const name = names[i]!;
    const where = `#/paths/${pointer(route.path)}/${route.method}`;
    const params = mergeParams(route.item.parameters, route.op.parameters, where, ctx.warn);
    const keys = paramKeys(params);
    const body = route.op.requestBody as OpenAPIV3.RequestBodyObject | undefined;
    const success = successCodes(route.op.responses ?? {});
    const successResponses = responsesFor(route.op.responses ?? {}, success);
    operations[name] = {
      name,
      operationId: route.op.operationId ?? null,
      summary: route.op.summary ?? null,
      method: route.method,
      path: route.path,
      servers: serversOf(route.op.servers ?? route.item.servers),
      params: params.map((p, j) => paramSpec(p, keys[j]!)),
      body: body ? bodySpec(body) : null,
      success,
      produces: sortMediaTypes([...new Set(successResponses.flatMap((r) => Object.keys(r.content ?? {})))]),
      responseHeaders: [...new Set(successResponses.flatMap((r) => Object.keys(r.headers ?? {}).map((h) => h.toLowerCase())))].sort(),
      security: (route.op.security ?? doc.security ?? []).map((alt) => ({ ...alt })),
      deprecated: Boolean(route.op.deprecated),
    };
    docs[name] = {
      summary: route.op.summary ?? null,
      description: route.op.description ?? null,
      params: params.map((p, j) => ({
        name: keys[j]!,
        param: p,
        description: p.description ?? null,
        required: Boolean(p.required || p.in === 'path'),
        schema: paramSchema(p),
      })),
      body: body ? jsonSchemaOf(body.content) : null,
      response: successResponses.map((r) => jsonSchemaOf(r.content ?? {})).find((s) => s !== null) ?? null,
    };
  });

  const table: ApiTable = {
    format: TABLE_FORMAT,
    name: ctx.name,
    title: doc.info?.title ?? ctx.name,
    version: doc.info?.version ?? '',
    source: ctx.source,
    servers: serversOf(doc.servers) ?? [{ url: '/', variables: {} }],
    securitySchemes: securitySchemes(doc.components?.securitySchemes ?? {}),
    operations,
  };
  return { table, docs, schemas: (doc.components?.schemas ?? {}) as Record<string, object> };
}

/** JSON pointer escaping. @see https://www.rfc-editor.org/rfc/rfc6901#section-3 */
function pointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Path-level parameters, overridden by operation-level ones with the same name and location. */
function mergeParams(
  pathLevel: OpenAPIV3.PathItemObject['parameters'],
  opLevel: OpenAPIV3.OperationObject['parameters'],
  where: string,
  warn?: (message: string) => void,
): OpenAPIV3.ParameterObject[] {
  const byKey = new Map<string, OpenAPIV3.ParameterObject>();
  const list = [...(Array.isArray(pathLevel) ? pathLevel : []), ...(Array.isArray(opLevel) ? opLevel : [])] as OpenAPIV3.ParameterObject[];
  for (const p of list) {
    const problem =
      p === null || typeof p !== 'object' || typeof p.name !== 'string'
        ? 'a parameter without a name'
        : !['path', 'query', 'header', 'cookie'].includes(p.in)
          ? `parameter ${p.name} has unsupported location "${p.in}"`
          : null;
    if (problem !== null) {
      if (!warn) throw new Error(`${where}: ${problem}`);
      warn(`${where}: ${problem}; skipped`);
      continue;
    }
    if (p.in === 'header' && IGNORED_HEADERS.has(p.name.toLowerCase())) continue;
    byKey.set(`${p.in}:${p.name}`, p);
  }
  const params = [...byKey.values()];
  return params;
}

/**
 * The key each parameter has in the client's `params`: its name, or `in.name` (`header.version`)
 * when the operation uses that name in more than one location. Unique by construction:
 * (in, name) pairs are unique after merging.
 */
function paramKeys(params: OpenAPIV3.ParameterObject[]): string[] {
  const count = new Map<string, number>();
  for (const p of params) count.set(p.name, (count.get(p.name) ?? 0) + 1);
  return params.map((p) => (count.get(p.name)! > 1 ? `${p.in}.${p.name}` : p.name));
}

/** @see https://spec.openapis.org/oas/v3.1.0#parameter-object */
function paramSpec(p: OpenAPIV3.ParameterObject, key: string): ParamSpec {
  const location = p.in as ParamLocation;
  const style = (p.style ?? (location === 'query' || location === 'cookie' ? 'form' : 'simple')) as ParamStyle;
  return {
    name: p.name,
    ...(key === p.name ? {} : { key }),
    in: location,
    required: Boolean(p.required || location === 'path'),
    style,
    explode: p.explode ?? style === 'form',
    allowReserved: Boolean(p.allowReserved),
    schema: plainSchema(paramSchema(p)),
    ...(p.schema === undefined && p.content ? { contentType: Object.keys(p.content)[0] } : {}),
  };
}

/** A parameter's schema, from `schema` or, for `content` parameters, the media type's schema. */
function paramSchema(p: OpenAPIV3.ParameterObject): object {
  if (p.schema) return p.schema;
  const media = Object.values(p.content ?? {})[0];
  return media?.schema ?? {};
}

/** @see https://spec.openapis.org/oas/v3.1.0#request-body-object */
function bodySpec(body: OpenAPIV3.RequestBodyObject): BodySpec {
  const content = body.content ?? {};
  const media: Record<string, MediaSpec> = {};
  for (const [type, value] of Object.entries(content)) {
    const spec: MediaSpec = { schema: value?.schema ? plainSchema(value.schema) : {} };
    const encoding = encodingSpecs(value?.encoding);
    if (encoding) spec.encoding = encoding;
    media[type] = spec;
  }
  return { required: Boolean(body.required), contentTypes: sortMediaTypes(Object.keys(content)), media };
}

/** @see https://spec.openapis.org/oas/v3.1.0#encoding-object */
function encodingSpecs(encoding: Record<string, OpenAPIV3.EncodingObject> | undefined): Record<string, EncodingSpec> | undefined {
  const entries = Object.entries(encoding ?? {}).map(([name, e]) => {
    const out: EncodingSpec = {};
    if (typeof e?.contentType === 'string') out.contentType = e.contentType;
    if (typeof e?.style === 'string') out.style = e.style as ParamStyle;
    if (typeof e?.explode === 'boolean') out.explode = e.explode;
    if (typeof e?.allowReserved === 'boolean') out.allowReserved = e.allowReserved;
    return [name, out] as const;
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The schema of the preferred (JSON first) media type of a content map. */
function jsonSchemaOf(content: Record<string, OpenAPIV3.MediaTypeObject>): object | null {
  const [type] = sortMediaTypes(Object.keys(content));
  if (type === undefined) return null;
  const schema = content[type]?.schema;
  if (schema) return schema;
  return isJsonMediaType(type) ? {} : null;
}

/**
 * The documented success statuses: exact 2xx codes and the `2XX` range.
 * @see https://spec.openapis.org/oas/v3.1.0#patterned-fields-0
 */
function successCodes(responses: OpenAPIV3.ResponsesObject): string[] {
  return Object.keys(responses)
    .filter((code) => /^2(\d\d|XX)$/i.test(code))
    .map((code) => code.toUpperCase())
    .sort();
}

/** The responses that count as success, or `default` when the spec documents no 2xx. */
function responsesFor(responses: OpenAPIV3.ResponsesObject, success: string[]): OpenAPIV3.ResponseObject[] {
  const keys = success.length > 0 ? Object.keys(responses).filter((k) => success.includes(k.toUpperCase())) : ['default'];
  return keys.map((k) => responses[k] as OpenAPIV3.ResponseObject | undefined).filter((r) => r !== undefined);
}

/** @see https://spec.openapis.org/oas/v3.1.0#server-object */
function serversOf(servers: OpenAPIV3.ServerObject[] | undefined): ServerSpec[] | null {
  if (!servers || servers.length === 0) return null;
  return servers.map((s) => ({
    url: s.url,
    variables: Object.fromEntries(
      Object.entries(s.variables ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, v]) => [name, v.enum ? { default: String(v.default), enum: v.enum.map(String) } : { default: String(v.default) }]),
    ),
  }));
}

/** @see https://spec.openapis.org/oas/v3.1.0#security-scheme-object */
function securitySchemes(
  schemes: Record<string, OpenAPIV3.SecuritySchemeObject | OpenAPIV3.ReferenceObject>,
): Record<string, SecurityScheme> {
  const out: Record<string, SecurityScheme> = {};
  for (const [name, value] of Object.entries(schemes)) {
    const s = value as OpenAPIV3.SecuritySchemeObject | { type: 'mutualTLS' };
    if (s.type === 'apiKey') out[name] = { type: 'apiKey', in: s.in as 'query' | 'header' | 'cookie', name: s.name };
    else if (s.type === 'http') out[name] = { type: 'http', scheme: String(s.scheme ?? '').toLowerCase() };
    else if (s.type === 'oauth2') out[name] = { type: 'oauth2', tokenUrl: s.flows?.clientCredentials?.tokenUrl ?? null };
    else if (s.type === 'openIdConnect') out[name] = { type: 'openIdConnect', url: s.openIdConnectUrl };
    else if (s.type === 'mutualTLS') out[name] = { type: 'mutualTLS' };
  }
  return out;
}

