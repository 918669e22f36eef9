/**
 * Request bodies by media type: JSON, form-urlencoded (with `encoding`), multipart/form-data
 * (fields and files), text, and raw bytes given as base64. Pure: throws RelayError for what cannot be sent.
 * @see https://spec.openapis.org/oas/v3.1.0#request-body-object
 */
import { randomBytes } from 'node:crypto';
import { RelayError } from './errors.js';
import { baseMediaType, isJsonMediaType } from './media-type.js';
import { encodeStrict, serializeQuery, toValue } from './serialize.js';
import type { BodySpec, EncodingSpec, ParamSpec } from './table.js';

export interface EncodedBody {
  contentType: string;
  body: string | Buffer;
}

/** A file or raw bytes, as the line protocol carries them. */
interface BytesValue {
  base64: string;
  filename?: string;
  contentType?: string;
}

/** Media types whose `data` string is base64 of the bytes rather than the text itself. */
const BINARY = /^(application\/(octet-stream|pdf|zip|gzip|x-tar)|image\/.*|audio\/.*|video\/.*)$/;

/** A media type relay sends as JSON: a JSON type, or `*` `/` `*` (the operation takes anything). */
export function isJsonType(type: string): boolean {
  return isJsonMediaType(type) || baseMediaType(type) === '*/*';
}


/**
 * The media type to send: the client's `contentType` when the operation accepts it (`*` wildcards in
 * the spec match), else the operation's first (JSON types come first), else JSON.
 * Returns the spec's key for the type (to find its schema) and the concrete type to send.
 */
export function chooseMediaType(spec: BodySpec | null, requested: string | null, opName: string): { key: string; type: string } {
  const offered = spec?.contentTypes ?? [];
  if (requested === null) {
    const key = offered[0] ?? 'application/json';
    return { key, type: key.includes('*') ? 'application/json' : key };
  }
  const want = baseMediaType(requested);
  const key = offered.find((t) => baseMediaType(t) === want) ?? offered.find((t) => matches(baseMediaType(t), want));
  if (key === undefined) {
    throw new RelayError('UNSUPPORTED_MEDIA_TYPE', [`${requested} (it accepts: ${offered.join(', ') || 'no body'})`, opName]);
  }
  return { key, type: key.includes('*') ? requested : key };
}

function matches(pattern: string, type: string): boolean {
  if (pattern === '*/*') return true;
  return pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1));
}

/** Encode `data` as `type`; `key` finds the spec's `encoding` for form and multipart bodies. */
export function encodeBody(spec: BodySpec | null, key: string, type: string, data: unknown, opName: string): EncodedBody {
  const base = baseMediaType(type);
  const encoding = spec?.media?.[key]?.encoding ?? {};
  const refuse = (why: string) => new RelayError('UNSUPPORTED_MEDIA_TYPE', [`${type} (${why})`, opName]);
  if (isJsonType(base)) return { contentType: type, body: JSON.stringify(data) };
  if (base === 'application/x-www-form-urlencoded') {
    if (!isPlainObject(data)) throw refuse('"data" must be an object of fields');
    return { contentType: type, body: formUrlEncoded(data, encoding) };
  }
  if (base === 'multipart/form-data') {
    if (!isPlainObject(data)) throw refuse('"data" must be an object of fields');
    const boundary = `relay-${randomBytes(12).toString('hex')}`;
    return { contentType: `multipart/form-data; boundary=${boundary}`, body: multipart(data, encoding, boundary, refuse) };
  }
  if (isBytes(data)) return { contentType: data.contentType ?? type, body: decodeBase64(data.base64, refuse) };
  if (typeof data !== 'string') throw refuse('"data" must be a string, or {"base64": ...} for bytes');
  if (BINARY.test(base)) return { contentType: type, body: decodeBase64(data, refuse) };
  return { contentType: type, body: data };
}

/** Fields as `application/x-www-form-urlencoded`, each per its `encoding` (style form, explode by default). */
function formUrlEncoded(data: Record<string, unknown>, encoding: Record<string, EncodingSpec>): string {
  const pairs: string[] = [];
  for (const [name, raw] of Object.entries(data)) {
    if (raw === undefined || raw === null) continue;
    const enc = encoding[name] ?? {};
    const styled = enc.style !== undefined || enc.explode !== undefined;
    const object = typeof raw === 'object' && !Array.isArray(raw);
    if (isNested(raw) || (object && !styled) || (enc.contentType !== undefined && isJsonType(enc.contentType) && typeof raw === 'object')) {
      // An object property goes as JSON text (the spec's default contentType for objects) unless its
      // encoding names a style; values no style can carry always do.
      pairs.push(`${encodeStrict(name)}=${encodeStrict(JSON.stringify(raw))}`);
      continue;
    }
    const style = enc.style ?? 'form';
    const param: ParamSpec = {
      name,
      in: 'query',
      required: false,
      style,
      explode: enc.explode ?? style === 'form',
      allowReserved: enc.allowReserved ?? false,
      schema: {},
    };
    pairs.push(...serializeQuery(param, toValue(param, raw)));
  }
  return pairs.join('&');
}

/** RFC 7578 multipart/form-data: one part per field, repeated for arrays; files with their name and type. */
function multipart(data: Record<string, unknown>, encoding: Record<string, EncodingSpec>, boundary: string, refuse: (why: string) => RelayError): Buffer {
  const parts: Buffer[] = [];
  const add = (name: string, value: unknown) => {
    const enc = encoding[name] ?? {};
    let headers = `Content-Disposition: form-data; name="${quote(name)}"`;
    let body: Buffer;
    if (isBytes(value)) {
      headers += `; filename="${quote(value.filename ?? name)}"\r\nContent-Type: ${safe(value.contentType ?? enc.contentType ?? 'application/octet-stream')}`;
      body = decodeBase64(value.base64, refuse);
    } else if (typeof value === 'object' && value !== null) {
      headers += `\r\nContent-Type: ${safe(enc.contentType ?? 'application/json')}`;
      body = Buffer.from(JSON.stringify(value));
    } else {
      if (enc.contentType && !enc.contentType.startsWith('text/plain')) headers += `\r\nContent-Type: ${safe(enc.contentType)}`;
      body = Buffer.from(String(value));
    }
    parts.push(Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), body, Buffer.from('\r\n'));
  };
  for (const [name, raw] of Object.entries(data)) {
    if (raw === undefined || raw === null) continue;
    if (Array.isArray(raw)) raw.forEach((v) => add(name, v));
    else add(name, raw);
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

/** A quoted-string for Content-Disposition: quotes and line breaks escaped as browsers do. */
function quote(text: string): string {
  return text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A header value from the client: CR, LF and NUL removed so it cannot start another header. */
function safe(text: string): string {
  return text.replace(/[\r\n\0]/g, '');
}

function decodeBase64(text: string, refuse: (why: string) => RelayError): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) throw refuse('"base64" is not valid base64');
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
}

function isBytes(value: unknown): value is BytesValue {
  return isPlainObject(value) && typeof value.base64 === 'string' && Object.keys(value).every((k) => ['base64', 'filename', 'contentType'].includes(k));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether a form value holds objects or arrays inside (no style serialises those). */
function isNested(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((v) => typeof v === 'object' && v !== null);
}
