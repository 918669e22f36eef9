/**
 * The catalog: every loaded operation compiled once (server, path template, param index,
 * auth plan, success test), and the lookup from a request name to an operation or preset.
 */
import type { AuthPlan } from './auth.js';
import { planAuth, secretsOf } from './auth.js';
import type { ApiConfig, PresetConfig } from './config.js';
import { RelayError } from './errors.js';
import type { ApiTable, OperationSpec, ParamSpec, ServerSpec } from './table.js';
import { TokenSource, type ClientCredentials } from './oauth2.js';
import { createAjv, lazyValidator, type Validator } from './validate.js';
import type { Ajv } from 'ajv';

export interface CompiledOperation {
  api: string;
  name: string;
  /** `api.name`, as clients write it. */
  fullName: string;
  spec: OperationSpec;
  /** The HTTP method, upper case. */
  method: string;
  /** `https://host:port`, or null when the API has no absolute server URL. */
  origin: string | null;
  /** `host:port`, for messages. */
  host: string;
  basePath: string;
  /** The path template split into literal text and parameters. */
  segments: Array<string | ParamSpec>;
  params: Map<string, ParamSpec>;
  required: ParamSpec[];
  auth: AuthPlan;
  accept: string | null;
  isSuccess: (status: number) => boolean;
  /** Schema checks of params and body, compiled at load; null when there is nothing to check. */
  validate: Validator | null;
  /** Response headers a reply carries when the request asks with `"headers": true`. */
  replyHeaders: ReadonlySet<string>;
}

/** Response headers always offered with `"headers": true`, besides those the operation documents. */
export const REPLY_HEADERS = [
  'content-type', 'content-length', 'content-disposition', 'etag', 'last-modified', 'location', 'retry-after', 'link',
  'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-request-id',
];

const DEFAULT_REPLY_HEADERS: ReadonlySet<string> = new Set(REPLY_HEADERS);

export interface Target {
  op: CompiledOperation;
  preset: PresetConfig | null;
}

export interface CatalogInput {
  tables: ApiTable[];
  apis: Record<string, ApiConfig>;
  presets: Record<string, PresetConfig>;
}

export class Catalog {
  readonly operations: CompiledOperation[] = [];
  readonly tables: ApiTable[];
  /** Secrets of every configured credential, for redaction. */
  readonly secrets: string[] = [];
  /** Start-up warnings (e.g. an API without an absolute server URL). */
  readonly warnings: string[] = [];
  /** Where warnings go: `warnings` until the caller starts serving and sends later ones (a schema found broken at first use) to its log. */
  onWarning: (message: string) => void = (message) => this.warnings.push(message);
  readonly #byName = new Map<string, Target | string[]>();
  /** OAuth2 token sources, for registering each new token with the redactor. */
  readonly tokenSources: TokenSource[] = [];

  constructor(input: CatalogInput) {
    this.tables = input.tables;
    const apiNames = new Set(input.tables.map((t) => t.name));
    for (const name of Object.keys(input.apis)) {
      if (!apiNames.has(name)) {
        throw new Error(`config apis.${name}: no loaded API is named ${name} (loaded: ${[...apiNames].join(', ') || 'none'})`);
      }
    }
    const bare = new Map<string, CompiledOperation[]>();
    // Servers are shared by many operations (GitHub's 1,223 have one): each URL is parsed once.
    const places = new Map<string, Place>();
    const placeOf = (base: string | null): Place | null => {
      if (base === null) return null;
      let place = places.get(base);
      if (!place) {
        const url = new URL(base);
        place = { origin: url.origin, host: url.host, basePath: url.pathname.replace(/\/+$/, '') };
        places.set(base, place);
      }
      return place;
    };
    let shared: Ajv | undefined;
    const ajv = () => (shared ??= createAjv());
    for (const table of input.tables) {
      const config = input.apis[table.name] ?? {};
      const credentials = config.credentials ?? {};
      for (const scheme of Object.keys(credentials)) {
        if (!(scheme in table.securitySchemes)) {
          const known = Object.keys(table.securitySchemes).join(', ') || 'none';
          throw new Error(`config apis.${table.name}.credentials.${scheme}: API ${table.name} has no security scheme ${scheme} (it has: ${known})`);
        }
      }
      this.secrets.push(...secretsOf(credentials));
      checkServerVariables(table, config.serverVariables ?? {});
      const tableBase = serverUrl(table.servers, config.serverVariables);
      if (config.server === undefined && tableBase === null) {
        this.warnings.push(`API ${table.name} has no absolute server URL; set --server ${table.name}=URL`);
      }
      const tablePlace = placeOf(tableBase);
      const tokens = tokenSources(table, config);
      this.tokenSources.push(...tokens.values());
      for (const spec of Object.values(table.operations)) {
        const op = compile(table, spec, config, tablePlace, placeOf, tokens, ajv, (w) => this.onWarning(w));
        this.operations.push(op);
        this.#byName.set(op.fullName, { op, preset: null });
        if (spec.operationId && spec.operationId !== spec.name) this.#byName.set(`${table.name}.${spec.operationId}`, { op, preset: null });
        addTo(bare, spec.name, op);
        if (spec.operationId && spec.operationId !== spec.name) addTo(bare, spec.operationId, op);
      }
    }
    for (const [key, ops] of bare) {
      if (this.#byName.has(key)) continue;
      this.#byName.set(key, ops.length === 1 ? { op: ops[0]!, preset: null } : ops.map((o) => o.fullName));
    }
    // Presets come last and win over a bare operation name of the same spelling.
    for (const [name, preset] of Object.entries(input.presets)) {
      const found = this.#byName.get(preset.operation);
      if (found === undefined) throw new Error(`config presets.${name}.operation: unknown operation ${preset.operation}`);
      if (Array.isArray(found)) throw new Error(`config presets.${name}.operation: ${preset.operation} is ambiguous; use one of ${found.join(', ')}`);
      this.#byName.set(name, { op: found.op, preset });
    }
  }

  /** The operation (and preset) for a request name, or a RelayError saying why there is none. */
  lookup(request: string): Target {
    const found = this.#byName.get(request);
    if (found === undefined) throw new RelayError('UNKNOWN_REQUEST', [request]);
    if (Array.isArray(found)) throw new RelayError('AMBIGUOUS_REQUEST', [request, found.join(', ')]);
    return found;
  }
}

/**
 * The first server's URL with its variables filled in (config values, else the spec's defaults),
 * if it is absolute. A relative server URL gives null: the config must name the server.
 * @see https://spec.openapis.org/oas/v3.1.0#server-variable-object
 */
function serverUrl(servers: ServerSpec[] | null, values: Record<string, string> = {}): string | null {
  const server = servers?.[0];
  if (!server) return null;
  const url = server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = server.variables[name];
    return variable ? (values[name] ?? variable.default) : whole;
  });
  if (!/^https?:\/\/[^/?#]+/i.test(url)) return null;
  try {
    return new URL(url).href;
  } catch {
    return null;
  }
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Each configured server variable must exist in one of the API's servers and be in its enum. */
function checkServerVariables(table: ApiTable, values: Record<string, string>): void {
  if (Object.keys(values).length === 0) return;
  const servers = [...table.servers, ...Object.values(table.operations).flatMap((op) => op.servers ?? [])];
  for (const [name, value] of Object.entries(values)) {
    const defs = servers.map((s) => s.variables[name]).filter((v) => v !== undefined);
    const where = `config apis.${table.name}.serverVariables.${name}`;
    if (defs.length === 0) {
      const known = [...new Set(servers.flatMap((s) => Object.keys(s.variables)))].join(', ') || 'none';
      throw new Error(`${where}: the servers of API ${table.name} have no variable ${name} (they have: ${known})`);
    }
    for (const def of defs) {
      if (def.enum && !def.enum.includes(value)) {
        throw new Error(`${where}: ${JSON.stringify(value)} is not allowed; use one of ${def.enum.join(', ')}`);
      }
    }
    // A value may not smuggle in another host, path or query.
    if (/[/?#@\\\s]/.test(value)) throw new Error(`${where}: ${JSON.stringify(value)} may not contain / ? # @ \\ or spaces`);
  }
}

/** One token source per OAuth2 scheme configured with client credentials. */
function tokenSources(table: ApiTable, config: ApiConfig): Map<string, TokenSource> {
  const out = new Map<string, TokenSource>();
  for (const [name, cred] of Object.entries(config.credentials ?? {})) {
    if (typeof cred !== 'object' || !('clientId' in cred)) continue;
    const scheme = table.securitySchemes[name];
    const where = `config apis.${table.name}.credentials.${name}`;
    if (scheme?.type !== 'oauth2') throw new Error(`${where}: clientId/clientSecret fit only an oauth2 scheme; ${name} is ${scheme?.type}`);
    const base = config.server ?? serverUrl(table.servers, config.serverVariables);
    let tokenUrl: string;
    try {
      tokenUrl = new URL(cred.tokenUrl ?? scheme.tokenUrl ?? '', base ?? undefined).href;
    } catch {
      throw new Error(`${where}: scheme ${name} has no usable clientCredentials token URL; set tokenUrl`);
    }
    if (!/^https?:/.test(tokenUrl)) throw new Error(`${where}: token URL ${tokenUrl} is not http(s)`);
    out.set(name, new TokenSource(name, tokenUrl, cred as ClientCredentials));
  }
  return out;
}

/** Where an operation's requests go: the parts of its server URL. */
interface Place {
  origin: string;
  host: string;
  basePath: string;
}

/** `tablePlace` is the API's own server (from `table.servers`), used unless the operation names its own. */
function compile(
  table: ApiTable,
  spec: OperationSpec,
  config: ApiConfig,
  tablePlace: Place | null,
  placeOf: (base: string | null) => Place | null,
  tokens: Map<string, TokenSource>,
  ajv: () => Ajv,
  warn: (message: string) => void,
): CompiledOperation {
  const place = config.server !== undefined ? placeOf(config.server) : spec.servers ? placeOf(serverUrl(spec.servers, config.serverVariables)) : tablePlace;
  const params = new Map(spec.params.map((p) => [p.key ?? p.name, p]));
  const segments: Array<string | ParamSpec> = [];
  for (const part of spec.path.split(/(\{[^}]+\})/)) {
    if (part === '') continue;
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    const param = name === undefined ? undefined : spec.params.find((p) => p.in === 'path' && p.name === name);
    segments.push(param ?? part);
  }
  return {
    api: table.name,
    name: spec.name,
    fullName: `${table.name}.${spec.name}`,
    spec,
    method: spec.method.toUpperCase(),
    origin: place ? place.origin : null,
    host: place ? place.host : table.name,
    basePath: place ? place.basePath : '',
    segments,
    params,
    required: spec.params.filter((p) => p.required),
    auth: planAuth(table, spec, config.credentials ?? {}, tokens),
    accept: spec.produces.length > 0 ? spec.produces.join(', ') : null,
    isSuccess: successTest(spec.success),
    validate: lazyValidator(ajv, spec, `${table.name}.${spec.name}`, warn),
    // Most operations document no response headers of their own: they share one set.
    replyHeaders: spec.responseHeaders?.length ? new Set([...REPLY_HEADERS, ...spec.responseHeaders]) : DEFAULT_REPLY_HEADERS,
  };
}

/** Status tests by their list of codes: most operations of an API share one (`["200"]`, `["201"]`, ...). */
const SUCCESS_TESTS = new Map<string, (status: number) => boolean>();

/** A status test from `["200", "2XX"]`; an empty list accepts any 2xx. */
function successTest(success: string[]): (status: number) => boolean {
  const key = success.join(',');
  let test = SUCCESS_TESTS.get(key);
  if (!test) {
    test = makeSuccessTest(success);
    SUCCESS_TESTS.set(key, test);
  }
  return test;
}

function makeSuccessTest(success: string[]): (status: number) => boolean {
  if (success.length === 0) return (s) => s >= 200 && s < 300;
  const exact = new Set(success.filter((c) => /^\d{3}$/.test(c)).map(Number));
  const ranges = success.filter((c) => /^\dXX$/i.test(c)).map((c) => Number(c[0]));
  return (s) => exact.has(s) || ranges.includes(Math.floor(s / 100));
}
