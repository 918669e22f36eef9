/**
 * Credentials, applied per the operation's security requirements.
 * The plan for each operation is fixed at load time: which alternative to satisfy, or why none can be.
 * @see https://spec.openapis.org/oas/v3.1.0#security-requirement-object
 */
import type { Credential } from './config.js';
import type { Authorize, TokenSource } from './oauth2.js';
import { RelayError } from './errors.js';
import type { ApiTable, OperationSpec, SecurityScheme } from './table.js';

/** Where credentials go on the way out. */
export interface AuthTarget {
  headers: Record<string, string>;
  query: string[];
  cookies: string[];
  /** A credential fetched just before sending (OAuth2 client credentials). */
  authorize?: Authorize;
}

export type AuthPlan = (target: AuthTarget) => void;

const NONE: AuthPlan = () => {};

/**
 * Choose, once, how `op` is authenticated: the first alternative whose schemes all have credentials;
 * else no credentials when the spec makes security optional; else a plan that refuses with
 * MISSING_CREDENTIALS before anything is sent.
 */
export function planAuth(
  table: ApiTable,
  op: OperationSpec,
  credentials: Record<string, Credential>,
  tokens: Map<string, TokenSource> = new Map(),
): AuthPlan {
  if (op.security.length === 0) return NONE;
  let optional = false;
  let missing: string | undefined;
  for (const alternative of op.security) {
    const schemes = Object.keys(alternative);
    // An empty alternative makes credentials optional, but configured ones are still sent.
    if (schemes.length === 0) {
      optional = true;
      continue;
    }
    const steps = schemes.map((name) => step(table.securitySchemes[name], credentials[name], tokens.get(name)));
    if (steps.every((s) => s !== null)) return (target) => steps.forEach((s) => s!(target));
    // The error names the first scheme of the first alternative that is not configured.
    missing ??= schemes.find((_, i) => steps[i] === null);
  }
  if (optional) return NONE;
  const scheme = missing!;
  return () => {
    throw new RelayError('MISSING_CREDENTIALS', [`${table.name}.${op.name}`, scheme, table.name, scheme]);
  };
}

/** How one scheme applies one credential, or null when the credential is absent or of the wrong kind. */
function step(scheme: SecurityScheme | undefined, cred: Credential | undefined, tokens?: TokenSource): AuthPlan | null {
  if (!scheme || cred === undefined) return null;
  if (typeof cred === 'object' && 'clientId' in cred) {
    if (scheme.type !== 'oauth2' || !tokens) return null;
    return (t) => {
      t.authorize = async (headers, refresh, dispatcher) => {
        const used = headers.authorization?.replace(/^Bearer /, '');
        headers.authorization = `Bearer ${await tokens.token(dispatcher, refresh, Date.now(), used)}`;
      };
    };
  }
  switch (scheme.type) {
    case 'apiKey': {
      if (typeof cred !== 'string') return null;
      if (scheme.in === 'query') {
        const pair = `${encodeURIComponent(scheme.name)}=${encodeURIComponent(cred)}`;
        return (t) => void t.query.push(pair);
      }
      if (scheme.in === 'cookie') return (t) => void t.cookies.push(`${scheme.name}=${encodeURIComponent(cred)}`);
      return (t) => void (t.headers[scheme.name.toLowerCase()] = cred);
    }
    case 'http': {
      if (scheme.scheme === 'basic') {
        if (typeof cred === 'string') return null;
        const value = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
        return (t) => void (t.headers.authorization = value);
      }
      if (typeof cred !== 'string') return null;
      // bearer, and any other HTTP scheme whose credential is a single token.
      const value = `${scheme.scheme === 'bearer' ? 'Bearer' : scheme.scheme} ${cred}`;
      return (t) => void (t.headers.authorization = value);
    }
    case 'oauth2':
    case 'openIdConnect':
      // A pre-issued access token; client credentials (clientId/clientSecret) are handled above.
      if (typeof cred !== 'string') return null;
      return (t) => void (t.headers.authorization = `Bearer ${cred}`);
    default:
      return null;
  }
}

/** Every secret string in a set of credentials, for redaction. */
export function secretsOf(credentials: Record<string, Credential>): string[] {
  return Object.values(credentials).flatMap((c) => {
    if (typeof c === 'string') return [c];
    if ('clientId' in c) return [c.clientSecret];
    return [c.password, Buffer.from(`${c.username}:${c.password}`).toString('base64')];
  });
}
