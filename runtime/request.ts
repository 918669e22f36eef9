/**
 * Building the HTTP request for one operation from the client's params and data.
 * Checks names and presence, serialises each parameter where it belongs, applies credentials.
 * Pure: throws RelayError for anything that must not be sent.
 */
import type { CompiledOperation } from './catalog.js';
import { RelayError } from './errors.js';
import { serializeCookie, serializeHeader, serializePath, serializeQuery, toValue } from './serialize.js';
import { chooseMediaType, encodeBody, isJsonType } from './body.js';
import type { ParamSpec } from './table.js';
import type { AuthTarget } from './auth.js';
import { version } from './version.js';
import type { Authorize } from './oauth2.js';

export interface OutgoingRequest {
  origin: string;
  /** Path and query, encoded. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | null;
  /**
   * Set when a credential must be fetched before sending (OAuth2 client credentials): adds the
   * Authorization header; `refresh` forces a new token (after a 401).
   */
  authorize?: Authorize;
}

const USER_AGENT = `relay/${version}`;

/**
 * Build the request, or throw the RelayError that explains why it cannot be sent.
 * Order of checks: unknown params, missing params, schema validation, server, then serialisation.
 * A param the client omits (or sets to null) takes the spec's `default`, which is sent.
 */
export function buildRequest(
  op: CompiledOperation,
  given: Record<string, unknown>,
  hasData: boolean,
  data: unknown,
  contentType: string | null = null,
): OutgoingRequest {
  for (const key of Object.keys(given)) {
    if (!op.params.has(key)) {
      const known = [...op.params.keys()].join(', ') || 'no parameters';
      throw new RelayError('UNKNOWN_PARAM', [key, known]);
    }
  }
  const params: Record<string, unknown> = {};
  const sent: Record<string, unknown> = {};
  for (const param of op.spec.params) {
    const key = keyOf(param);
    const value = given[key];
    if (value !== undefined && value !== null) params[key] = sent[key] = value;
    else if (param.schema.default !== undefined && param.schema.default !== null) params[key] = param.schema.default;
  }
  for (const param of op.required) {
    if (params[keyOf(param)] === undefined) throw new RelayError('MISSING_PARAM', [keyOf(param)]);
  }
  const withBody = hasData && data !== undefined && data !== null;
  if (!withBody && op.spec.body?.required) throw new RelayError('MISSING_BODY', [op.fullName]);
  if (withBody && !op.spec.body) throw new RelayError('UNEXPECTED_BODY', [op.fullName]);
  if (contentType !== null && !withBody) throw new RelayError('UNSUPPORTED_MEDIA_TYPE', [`${contentType} (no "data" given)`, op.fullName]);
  const media = withBody ? chooseMediaType(op.spec.body, contentType, op.fullName) : null;
  // Only what the client sent is validated: a spec's default that breaks its own schema (it happens)
  // is the spec's mistake, and the upstream presumably accepts it.
  op.validate?.(sent, media ? { type: media.key, value: data } : null);
  if (op.origin === null) throw new RelayError('NO_SERVER', [op.api, op.api, op.api]);

  let path = op.basePath;
  for (const segment of op.segments) {
    path += typeof segment === 'string' ? segment : serializePath(segment, valueOf(segment, params[keyOf(segment)]));
  }
  const target: AuthTarget = { headers: {}, query: [], cookies: [] };
  for (const param of op.spec.params) {
    const raw = params[keyOf(param)];
    if (raw === undefined || param.in === 'path') continue;
    const value = valueOf(param, raw);
    if (param.in === 'query') target.query.push(...serializeQuery(param, value));
    else if (param.in === 'header') target.headers[param.name.toLowerCase()] = serializeHeader(param, value);
    else target.cookies.push(serializeCookie(param, value));
  }
  op.auth(target);

  const headers = target.headers;
  headers['user-agent'] ??= USER_AGENT;
  if (op.accept !== null) headers.accept = op.accept;
  if (target.cookies.length > 0) headers.cookie = target.cookies.join('; ');
  let body: string | Buffer | null = null;
  if (media) {
    const encoded = encodeBody(op.spec.body, media.key, media.type, data, op.fullName);
    headers['content-type'] = encoded.contentType;
    body = encoded.body;
  }
  if (target.query.length > 0) path += `${path.includes('?') ? '&' : '?'}${target.query.join('&')}`;
  const out: OutgoingRequest = { origin: op.origin, path, method: op.method, headers, body };
  if (target.authorize) out.authorize = target.authorize;
  return out;
}

/**
 * A parameter value ready for its serialiser: a `content: application/json` parameter becomes its
 * JSON text (any shape); others must be primitives, flat arrays or flat objects.
 * @see https://spec.openapis.org/oas/v3.1.0#fixed-fields-for-use-with-content
 */
function valueOf(param: ParamSpec, raw: unknown) {
  if (param.contentType !== undefined && isJsonType(param.contentType)) return JSON.stringify(raw);
  return toValue(param, raw);
}

/** The key a parameter has in the client's `params`. */
export function keyOf(param: ParamSpec): string {
  return param.key ?? param.name;
}
