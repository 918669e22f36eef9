/**
 * Parameter serialisation as OpenAPI describes it: style and explode per location,
 * with RFC 3986 percent-encoding. Pure functions; the caller has checked names and presence.
 * @see https://spec.openapis.org/oas/v3.1.0#style-examples
 */
import { RelayError } from './errors.js';
import type { ParamSpec } from './table.js';

type Primitive = string | number | boolean;
type Value = Primitive | Primitive[] | Record<string, Primitive>;

/** Everything but RFC 3986 unreserved characters is encoded (encodeURIComponent leaves `!'()*`). */
export function encodeStrict(text: string): string {
  const encoded = encodeURIComponent(text);
  return SUB_DELIMS.test(encoded) ? encoded.replace(SUB_DELIMS_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}
const SUB_DELIMS = /[!'()*]/;
const SUB_DELIMS_ALL = /[!'()*]/g;

/**
 * For `allowReserved`: reserved characters stay as they are, except `#`, `&` and `=`,
 * which would end the query or start another parameter.
 */
function encodeReserved(text: string): string {
  return encodeURI(text).replace(/[#&=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Check that `raw` is something a parameter can carry, and narrow it. */
export function toValue(param: ParamSpec, raw: unknown): Value {
  if (isPrimitive(raw)) return raw;
  if (Array.isArray(raw)) {
    if (raw.every(isPrimitive)) return raw;
    throw invalid(param, 'array items must be strings, numbers or booleans');
  }
  if (raw !== null && typeof raw === 'object') {
    if (Object.values(raw).every(isPrimitive)) return raw as Record<string, Primitive>;
    throw invalid(param, 'object values must be strings, numbers or booleans');
  }
  throw invalid(param, 'must be a string, number, boolean, array or object');
}

function isPrimitive(value: unknown): value is Primitive {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function invalid(param: ParamSpec, why: string): RelayError {
  return new RelayError('INVALID_PARAM', [param.name, why]);
}

/**
 * A path parameter, encoded so that it stays inside its segment:
 * `/`, `?`, `#` and `%` are percent-encoded, and a value that is empty or all dots is refused.
 */
export function serializePath(param: ParamSpec, value: Value): string {
  const out = pathText(param, value);
  // Checked on the result, whatever the value's shape: an empty or dot-only segment would change the path.
  if (out === '' || /^\.+$/.test(out)) throw invalid(param, `${JSON.stringify(out)} is not allowed as a path segment`);
  return out;
}

function pathText(param: ParamSpec, value: Value): string {
  const enc = encodeStrict;
  const { name, style, explode } = param;
  if (isPrimitive(value)) {
    const text = String(value);
    if (text === '' || /^\.+$/.test(text)) throw invalid(param, `${JSON.stringify(text)} is not allowed in a path segment`);
    if (style === 'label') return `.${enc(text)}`;
    if (style === 'matrix') return `;${enc(name)}=${enc(text)}`;
    return enc(text);
  }
  const pairs = entries(value);
  const isArray = Array.isArray(value);
  if (style === 'label') {
    const sep = explode ? '.' : ',';
    return `.${pairs.map(item(enc, isArray, explode ? '=' : ',')).join(sep)}`;
  }
  if (style === 'matrix') {
    if (explode) return pairs.map(([k, v]) => `;${enc(isArray ? name : k)}=${enc(v)}`).join('');
    return `;${enc(name)}=${pairs.map(item(enc, isArray, ',')).join(',')}`;
  }
  return pairs.map(item(enc, isArray, explode ? '=' : ',')).join(',');
}

/** A query parameter as `name=value` pairs, already encoded, to be joined with `&`. */
export function serializeQuery(param: ParamSpec, value: Value): string[] {
  const enc = param.allowReserved ? encodeReserved : encodeStrict;
  const name = encodeStrict(param.name);
  if (isPrimitive(value)) return [`${name}=${enc(String(value))}`];
  const pairs = entries(value);
  const isArray = Array.isArray(value);
  switch (param.style) {
    case 'deepObject':
      return pairs.map(([k, v]) => `${name}%5B${encodeStrict(k)}%5D=${enc(v)}`);
    case 'spaceDelimited':
    case 'pipeDelimited':
    case 'tabDelimited': {
      const sep = { spaceDelimited: '%20', pipeDelimited: '%7C', tabDelimited: '%09' }[param.style];
      if (param.explode && isArray) return pairs.map(([, v]) => `${name}=${enc(v)}`);
      return [`${name}=${pairs.map(item(enc, isArray, sep)).join(sep)}`];
    }
    default:
      if (param.explode) return pairs.map(([k, v]) => `${isArray ? name : encodeStrict(k)}=${enc(v)}`);
      return [`${name}=${pairs.map(item(enc, isArray, ',')).join(',')}`];
  }
}

/** A header parameter (style simple). CR, LF and NUL are refused (they would start another header), as is non-ASCII text. */
export function serializeHeader(param: ParamSpec, value: Value): string {
  const text = isPrimitive(value)
    ? String(value)
    : entries(value).map(item(asIs, Array.isArray(value), param.explode ? '=' : ',')).join(',');
  if (/[\r\n\0]/.test(text)) throw invalid(param, 'header values cannot contain CR, LF or NUL');
  // RFC 9110 5.5: visible ASCII, space and tab. Other bytes would be refused or mangled on the way out.
  if (/[^\t\x20-\x7e]/.test(text)) throw invalid(param, 'header values must be printable ASCII');
  return text;
}

/** A cookie parameter as `name=value` (style form), value percent-encoded. */
export function serializeCookie(param: ParamSpec, value: Value): string {
  const text = isPrimitive(value) ? String(value) : entries(value).map(item(asIs, Array.isArray(value), ',')).join(',');
  return `${param.name}=${encodeStrict(text)}`;
}

function entries(value: Primitive[] | Record<string, Primitive>): Array<[string, string]> {
  if (Array.isArray(value)) return value.map((v, i) => [String(i), String(v)]);
  return Object.entries(value).map(([k, v]) => [k, String(v)]);
}

/** One item of an array or object value, encoded: an array item alone, an object's key and value joined by `between`. */
function item(enc: (text: string) => string, isArray: boolean, between: string): (pair: [string, string]) => string {
  return ([k, v]) => (isArray ? enc(v) : `${enc(k)}${between}${enc(v)}`);
}

const asIs = (text: string) => text;
