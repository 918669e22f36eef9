/**
 * Redirects, for APIs whose config allows them (`followRedirects: true`): only to the same origin
 * (scheme, host and port), so that credentials and the request never reach a host the config did
 * not name. Pure.
 */
import { RelayError } from '../errors.js';
import type { OutgoingRequest } from '../request.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Whether `status` with a `Location` header asks for a redirect. */
export function isRedirect(status: number, location: string | string[] | undefined): boolean {
  return REDIRECTS.has(status) && typeof location === 'string' && location !== '';
}

/**
 * The request to send next for a redirect, or a REDIRECT_REFUSED error when it leaves the origin.
 * 303 (and 301/302 after a POST, as browsers do) become a GET without a body.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.4
 */
export function redirectTarget(current: OutgoingRequest, status: number, location: string, host: string): OutgoingRequest | RelayError {
  let target: URL;
  try {
    target = new URL(location, `${current.origin}${current.path}`);
  } catch {
    return new RelayError('REDIRECT_REFUSED', [host, `invalid Location ${JSON.stringify(location.slice(0, 200))}`]);
  }
  if (target.origin !== new URL(current.origin).origin) {
    return new RelayError('REDIRECT_REFUSED', [host, `it leads to another origin (${target.origin}); only same-origin redirects are followed`]);
  }
  const toGet = status === 303 || ((status === 301 || status === 302) && current.method === 'POST');
  if (!toGet) return { ...current, path: `${target.pathname}${target.search}` };
  const headers = { ...current.headers };
  delete headers['content-type'];
  return { ...current, path: `${target.pathname}${target.search}`, method: current.method === 'HEAD' ? 'HEAD' : 'GET', headers, body: null };
}
