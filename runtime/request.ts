/**
 * Building the HTTP request for one operation from the client's params and data.
 * Checks names and presence, serialises each parameter where it belongs, applies credentials.
 * Pure: throws RelayError for anything that must not be sent.
 */
import type { CompiledOperation } from './catalog.js';
import { RelayError } from './errors.js';
import { serializeCookie, serializeHeader, serializePath, serializeQuery, toValue, encodeStrict } from './serialize.js';
import type { AuthTarget } from './auth.js';
import { version } from './version.js';

export interface OutgoingRequest {
  origin: string;
  /** Path and query, encoded. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

const USER_AGENT = `relay/${version}`;

/** Build the request, or throw the RelayError that explains why it cannot be sent. */
export function buildRequest(op: CompiledOperation, params: Record<string, unknown>, hasData: boolean, data: unknown): OutgoingRequest {
  for (const key of Object.keys(params)) {
    if (!op.params.has(key)) {
      const known = [...op.params.keys()].join(', ') || 'no parameters';
      throw new RelayError('UNKNOWN_PARAM', [key, known]);
    }
  }
  for (const param of op.required) {
    if (params[param.name] === undefined || params[param.name] === null) throw new RelayError('MISSING_PARAM', [param.name]);
  }
  if (op.origin === null) throw new RelayError('NO_SERVER', [op.api, op.api, op.api]);

  let path = op.basePath;
  for (const segment of op.segments) {
    path += typeof segment === 'string' ? segment : serializePath(segment, toValue(segment, params[segment.name]));
  }
  const target: AuthTarget = { headers: {}, query: [], cookies: [] };
  for (const param of op.spec.params) {
    const raw = params[param.name];
    if (raw === undefined || raw === null || param.in === 'path') continue;
    const value = toValue(param, raw);
    if (param.in === 'query') target.query.push(...serializeQuery(param, value));
    else if (param.in === 'header') target.headers[param.name.toLowerCase()] = serializeHeader(param, value);
    else target.cookies.push(serializeCookie(param, value));
  }
  op.auth(target);

  const headers = target.headers;
  headers['user-agent'] ??= USER_AGENT;
  if (op.accept !== null) headers.accept = op.accept;
  if (target.cookies.length > 0) headers.cookie = target.cookies.join('; ');
  const body = buildBody(op, hasData, data, headers);
  if (target.query.length > 0) path += `${path.includes('?') ? '&' : '?'}${target.query.join('&')}`;
  return { origin: op.origin, path, method: op.spec.method.toUpperCase(), headers, body };
}

/** The request body by the operation's preferred media type (JSON first). */
function buildBody(op: CompiledOperation, hasData: boolean, data: unknown, headers: Record<string, string>): string | null {
  const spec = op.spec.body;
  if (!hasData || data === undefined || data === null) {
    if (spec?.required) throw new RelayError('MISSING_BODY', [op.fullName]);
    return null;
  }
  if (!spec) throw new RelayError('UNEXPECTED_BODY', [op.fullName]);
  const type = spec.contentTypes[0] ?? 'application/json';
  const base = type.split(';')[0]!.trim().toLowerCase();
  if (base === 'application/json' || base.endsWith('+json') || base === '*/*') {
    headers['content-type'] = base === '*/*' ? 'application/json' : type;
    return JSON.stringify(data);
  }
  if (base === 'application/x-www-form-urlencoded' && data !== null && typeof data === 'object' && !Array.isArray(data)) {
    headers['content-type'] = type;
    return formEncode(op, data as Record<string, unknown>);
  }
  if (base.startsWith('text/') && typeof data === 'string') {
    headers['content-type'] = type;
    return data;
  }
  throw new RelayError('UNSUPPORTED_MEDIA_TYPE', [type, op.fullName]);
}

function formEncode(op: CompiledOperation, data: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const [key, raw] of Object.entries(data)) {
    if (raw === undefined || raw === null) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      if (typeof v === 'object' && v !== null) throw new RelayError('UNSUPPORTED_MEDIA_TYPE', ['application/x-www-form-urlencoded (it has nested values)', op.fullName]);
      pairs.push(`${encodeStrict(key)}=${encodeStrict(String(v))}`);
    }
  }
  return pairs.join('&');
}
