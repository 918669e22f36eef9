/**
 * Configuration: defaults, the YAML config file, `${ENV}` references, and validation.
 * Validated once at start-up; every message names the key and what to do.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { API_UPSTREAM_PROPERTIES, UPSTREAM_DEFAULTS, UPSTREAM_SCHEMA, resolveUpstreamDefaults, type ApiUpstreamConfig, type UpstreamDefaults } from './upstream/config.js';
import type { ClientCredentials } from './oauth2.js';
import { resolveSecretFiles } from './secret-files.js';

/**
 * A credential for one security scheme: an API key, a bearer token, basic-auth user and password,
 * or OAuth2 client credentials. Any string in it may be `{file: PATH}` in the YAML (see secret-files.ts).
 */
export type Credential = string | { username: string; password: string } | ClientCredentials;

/** Besides these, timeouts, retries, rate limits, TLS, ...: see upstream/config.ts. */
export interface ApiConfig extends ApiUpstreamConfig {
  /** Replaces the spec's server URL. */
  server?: string;
  /** Values for the spec's server variables, checked against their `enum` at start-up. */
  serverVariables?: Record<string, string>;
  /** By security scheme name, as in the spec's `components.securitySchemes`. */
  credentials?: Record<string, Credential>;
}

/** A named request with fixed params (and body) that the client may override, like txhttprelay's `hl2`. */
export interface PresetConfig {
  operation: string;
  params?: Record<string, unknown>;
  data?: unknown;
}

export interface RelayConfig {
  /**
   * `unixMode`: the UNIX socket's file mode, octal text such as "0600"; `unixOwner`, `unixGroup`: the
   * user and group it is given to (names or numeric ids; null: relay-run's own).
   */
  listen: { tcp: string | null; unix: string | null; unixMode: string; unixOwner: string | null; unixGroup: string | null };
  /** Generated modules to load; null means every module in `generated/`. */
  modules: string[] | null;
  apis: Record<string, ApiConfig>;
  presets: Record<string, PresetConfig>;
  limits: { maxLineBytes: number; maxResponseBytes: number } & ConnectionLimits;
  http: { connectTimeoutMs: number; headersTimeoutMs: number; bodyTimeoutMs: number; connectionsPerOrigin: number };
  /** Defaults of the upstream policies (retries, breaker, ...); per-API keys override them. */
  upstream: UpstreamDefaults;
  /** Client authentication: a shared token each TCP connection presents in its first line; null: none. */
  auth: { token: string | null; timeoutMs: number };
  /** How long SIGTERM/SIGINT lets in-flight requests finish before they are answered SHUTTING_DOWN. */
  shutdown: { graceMs: number };
  /** Logs: the level (`--log-level` wins) and whether each completed request gets an info line. */
  log: { level: 'error' | 'warn' | 'info' | 'debug'; requests: boolean };
  /** The HTTP listener for /metrics and /healthz (`--metrics` wins); null: none. */
  metrics: { listen: string | null };
}

/** Limits that protect the relay from a client (see docs/security.md). */
export interface ConnectionLimits {
  /** Past this many requests in flight, relay stops reading the connection until replies free room. */
  maxInFlightPerConnection: number;
  /** Connections past this count get TOO_MANY_CONNECTIONS and are closed. */
  maxConnections: number;
  /** A connection with nothing in flight that sends nothing for this long is closed; 0: never. */
  idleTimeoutMs: number;
  /** Request lines nested deeper than this are refused with TOO_DEEP before they are parsed. */
  maxJsonDepth: number;
}

export const DEFAULTS: RelayConfig = Object.freeze({
  listen: { tcp: '127.0.0.1:9876', unix: null, unixMode: '0600', unixOwner: null, unixGroup: null },
  modules: null,
  apis: {},
  presets: {},
  limits: {
    maxLineBytes: 1024 * 1024,
    maxResponseBytes: 10 * 1024 * 1024,
    maxInFlightPerConnection: 256,
    maxConnections: 1024,
    idleTimeoutMs: 0,
    maxJsonDepth: 64,
  },
  http: { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000, connectionsPerOrigin: 64 },
  upstream: UPSTREAM_DEFAULTS,
  auth: { token: null, timeoutMs: 10_000 },
  shutdown: { graceMs: 10_000 },
  log: { level: 'info' as const, requests: true },
  metrics: { listen: null },
});

const credential = {
  anyOf: [
    { type: 'string' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['username', 'password'],
      properties: { username: { type: 'string' }, password: { type: 'string' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['clientId', 'clientSecret'],
      properties: {
        clientId: { type: 'string' },
        clientSecret: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string' } },
        tokenUrl: { type: 'string', pattern: '^https?://' },
        clientAuth: { enum: ['basic', 'body'] },
      },
    },
  ],
};
const positive = { type: 'integer', minimum: 1 };
const nonNegative = { type: 'integer', minimum: 0 };

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    listen: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tcp: { type: ['string', 'null'] },
        unix: { type: ['string', 'null'] },
        unixMode: { type: 'string', pattern: '^0?[0-7]{3}$' },
        // A user or group name (POSIX portable characters) or a numeric id; YAML may give the id as a number.
        unixOwner: { type: ['string', 'integer', 'null'], pattern: '^[A-Za-z0-9_.][A-Za-z0-9_.-]*$', minimum: 0 },
        unixGroup: { type: ['string', 'integer', 'null'], pattern: '^[A-Za-z0-9_.][A-Za-z0-9_.-]*$', minimum: 0 },
      },
    },
    modules: { type: ['array', 'null'], items: { type: 'string' } },
    apis: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          server: { type: 'string', pattern: '^https?://' },
          serverVariables: { type: 'object', additionalProperties: { type: 'string' } },
          credentials: { type: 'object', additionalProperties: credential },
          ...API_UPSTREAM_PROPERTIES,
        },
      },
    },
    presets: {
      type: 'object',
      propertyNames: { pattern: '^[^.\\s]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['operation'],
        properties: { operation: { type: 'string', minLength: 1 }, params: { type: 'object' }, data: {} },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxLineBytes: positive,
        maxResponseBytes: positive,
        maxInFlightPerConnection: positive,
        maxConnections: positive,
        idleTimeoutMs: nonNegative,
        maxJsonDepth: positive,
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: { connectTimeoutMs: positive, headersTimeoutMs: positive, bodyTimeoutMs: positive, connectionsPerOrigin: positive },
    },
    upstream: UPSTREAM_SCHEMA,
    auth: {
      type: 'object',
      additionalProperties: false,
      // A short shared token is guessable; 16 characters is the least relay accepts.
      properties: { token: { type: ['string', 'null'], minLength: 16 }, timeoutMs: positive },
    },
    shutdown: { type: 'object', additionalProperties: false, properties: { graceMs: nonNegative } },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { enum: ['error', 'warn', 'info', 'debug'] }, requests: { type: 'boolean' } },
    },
    metrics: { type: 'object', additionalProperties: false, properties: { listen: { type: ['string', 'null'] } } },
  },
} as const;

let compiled: ValidateFunction | undefined;

/** The schema's validator, loaded and compiled at first use: relay-run without --config never needs ajv (about 60 ms of start-up). */
function validator(): ValidateFunction {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  compiled ??= new Ajv({ allErrors: true, allowUnionTypes: true }).compile(SCHEMA);
  return compiled;
}

export interface LoadedConfig {
  config: RelayConfig;
  /** Things worth a warning at start-up, e.g. a credential whose environment variable is unset. */
  warnings: string[];
}

/** Read, substitute and validate a config file. Throws an Error that names the file and key. */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    // Imported here: relay-run without --config does not load a YAML parser (about 60 ms of start-up).
    const { parse: parseYaml } = await import('yaml');
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new Error(`config ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  raw = await resolveSecretFiles(raw, file);
  return resolveConfig(raw, env, `config ${file}`);
}

/** Substitute `${VAR}` references, validate, and merge over DEFAULTS. Pure but for `env`. */
export function resolveConfig(raw: unknown, env: NodeJS.ProcessEnv, origin = 'config'): LoadedConfig {
  const warnings: string[] = [];
  const substituted = substitute(raw, [], env, warnings, origin);
  const validate = validator();
  if (!validate(substituted)) {
    const problems = (validate.errors ?? []).map((e) => {
      const keys = e.instancePath.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
      if (e.keyword === 'additionalProperties') {
        return `${keyPath([...keys, String(e.params.additionalProperty)])}: unknown key`;
      }
      if (e.keyword === 'propertyNames') {
        return `${keyPath([...keys, String(e.params.propertyName)])}: invalid name (no dots or spaces)`;
      }
      if (e.keyword === 'enum') return `${keyPath(keys)}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      return `${keyPath(keys) || '(top level)'}: ${e.message}`;
    });
    throw new Error(`${origin} is invalid:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
  const c = substituted as Partial<RelayConfig>;
  const listen = { ...DEFAULTS.listen, ...c.listen };
  // A numeric id may come as a YAML number: kept as text, as a name is.
  for (const key of ['unixOwner', 'unixGroup'] as const) {
    const given: unknown = listen[key];
    if (typeof given === 'number') listen[key] = String(given);
  }
  const config: RelayConfig = {
    listen,
    modules: c.modules ?? DEFAULTS.modules,
    apis: c.apis ?? {},
    presets: c.presets ?? {},
    limits: { ...DEFAULTS.limits, ...c.limits },
    http: { ...DEFAULTS.http, ...c.http },
    upstream: resolveUpstreamDefaults(c.upstream),
    auth: { ...DEFAULTS.auth, ...c.auth },
    shutdown: { ...DEFAULTS.shutdown, ...c.shutdown },
    log: { ...DEFAULTS.log, ...c.log },
    metrics: { ...DEFAULTS.metrics, ...c.metrics },
  };
  return { config, warnings };
}

/** `apis.steam.credentials` from `['apis', 'steam', 'credentials']`. */
function keyPath(keys: string[]): string {
  return keys.map((k, i) => (/^\d+$/.test(k) ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replace `${VAR}` and `${VAR:-default}` in every string; `$${VAR}` stays literal `${VAR}`.
 * An unset variable drops a credential (with a warning: requests needing it will be refused)
 * and is an error anywhere else.
 */
function substitute(value: unknown, keys: string[], env: NodeJS.ProcessEnv, warnings: string[], origin: string): unknown {
  if (typeof value === 'string') {
    let missing: string | null = null;
    const out = value.replace(REFERENCE, (whole, escaped: string, name: string, fallback: string | undefined) => {
      if (escaped) return whole.slice(1);
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      missing ??= name;
      return '';
    });
    if (missing === null) return out;
    if (keys[0] === 'apis' && keys[2] === 'credentials') {
      warnings.push(`${keyPath(keys)}: environment variable ${missing} is not set; requests that need it will be refused`);
      return undefined;
    }
    throw new Error(`${origin}: ${keyPath(keys)}: environment variable ${missing} is not set`);
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, [...keys, String(i)], env, warnings, origin));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const s = substitute(v, [...keys, k], env, warnings, origin);
      if (s !== undefined) out[k] = s;
    }
    // A basic-auth credential missing one half is no credential at all.
    const pair = 'username' in value && 'password' in value;
    const client = 'clientId' in value && 'clientSecret' in value;
    const incomplete = (pair && !('username' in out && 'password' in out)) || (client && !('clientId' in out && 'clientSecret' in out));
    if (keys[0] === 'apis' && keys[2] === 'credentials' && keys.length === 4 && incomplete) {
      return undefined;
    }
    return out;
  }
  return value;
}
