/**
 * Response bodies for the final reply: JSON parsed, text as a string, binary as
 * `{"base64": ..., "contentType": ...}`; and the response headers a reply may carry.
 */
import type { UpstreamResponse } from './dispatch.js';
import { jsonLine } from './json-line.js';
import { baseMediaType, isJsonMediaType } from './media-type.js';
import { RawJson } from './protocol.js';

/** Media types whose bodies are text even though they are not `text/*`. */
const TEXTUAL = /^(application\/(json|xml|javascript|ecmascript|x-www-form-urlencoded|graphql|yaml|x-yaml|x-ndjson|csv)|.*\+(json|xml|yaml))$/;

/** isJsonContent's answers by content-type string (an upstream repeats a few); bounded, since upstreams choose them. */
const JSON_TYPES = new Map<string, boolean>();

export function isJsonContent(contentType: string): boolean {
  let json = JSON_TYPES.get(contentType);
  if (json === undefined) {
    json = isJsonMediaType(contentType);
    if (JSON_TYPES.size >= 64) JSON_TYPES.clear();
    JSON_TYPES.set(contentType, json);
  }
  return json;
}

/** Whether a body of this type is text: `text/*`, JSON, XML and kin, or any type with a charset. */
export function isTextContent(contentType: string, bytes: Buffer): boolean {
  const base = baseMediaType(contentType);
  if (base === '') return isUtf8(bytes);
  return base.startsWith('text/') || TEXTUAL.test(base) || /;\s*charset=/i.test(contentType);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The reply's `response`: null for an empty body; parsed JSON (text when it does not parse); text; or base64. */
export function decodeBody(res: UpstreamResponse, redact: (text: string) => string): unknown {
  if (res.bytes.length === 0) return null;
  if (!isTextContent(res.contentType, res.bytes)) {
    return { base64: res.bytes.toString('base64'), contentType: res.contentType || 'application/octet-stream' };
  }
  const text = redact(res.text);
  if (isJsonContent(res.contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * The reply's `response`, as decodeBody, but a JSON body that is valid JSON once secrets are masked
 * goes into the reply as its text (RawJson) instead of being parsed and serialised again.
 */
export function replyBody(res: UpstreamResponse, redact: (text: string) => string): unknown {
  if (res.bytes.length === 0 || !isJsonContent(res.contentType)) return decodeBody(res, redact);
  const text = redact(res.text);
  const line = jsonLine(text);
  return line === null ? text : new RawJson(line);
}

/** The selected response headers (see REPLY_HEADERS in catalog.ts), secrets masked. */
export function pickHeaders(res: UpstreamResponse, wanted: ReadonlySet<string>, redact: (text: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(res.headers).sort()) {
    if (wanted.has(name) || /^(x-)?ratelimit-/.test(name)) out[name] = redact(res.headers[name]!);
  }
  return out;
}
