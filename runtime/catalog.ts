/**
 * The catalog: every loaded operation compiled once (server, path template, param index,
 * auth plan, success test), and the lookup from a request name to an operation or preset.
 */
import type { AuthPlan } from './auth.js';
import { planAuth, secretsOf } from './auth.js';
import type { ApiConfig, PresetConfig } from './config.js';
import { RelayError } from './errors.js';
import type { ApiTable, OperationSpec, ParamSpec, ServerSpec } from './table.js';

export interface CompiledOperation {
  api: string;
  name: string;
  /** `api.name`, as clients write it. */
  fullName: string;
  spec: OperationSpec;
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
}

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
  readonly #byName = new Map<string, Target | string[]>();

  constructor(input: CatalogInput) {
    this.tables = input.tables;
    const apiNames = new Set(input.tables.map((t) => t.name));
    for (const name of Object.keys(input.apis)) {
      if (!apiNames.has(name)) {
        throw new Error(`config apis.${name}: no loaded API is named ${name} (loaded: ${[...apiNames].join(', ') || 'none'})`);
      }
    }
    const bare = new Map<string, CompiledOperation[]>();
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
      if (config.server === undefined && serverUrl(table.servers) === null) {
        this.warnings.push(`API ${table.name} has no absolute server URL; set --server ${table.name}=URL`);
      }
      for (const spec of Object.values(table.operations)) {
        const op = compile(table, spec, config);
        this.operations.push(op);
        this.#byName.set(op.fullName, { op, preset: null });
        if (spec.operationId && spec.operationId !== spec.name) this.#byName.set(`${table.name}.${spec.operationId}`, { op, preset: null });
        for (const key of new Set([spec.name, spec.operationId ?? spec.name])) {
          bare.set(key, [...(bare.get(key) ?? []), op]);
        }
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

/** The first server's URL with variable defaults filled in, if it is absolute. */
function serverUrl(servers: ServerSpec[] | null): string | null {
  const server = servers?.[0];
  if (!server) return null;
  const url = server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => server.variables[name]?.default ?? whole);
  return /^https?:\/\//i.test(url) ? url : null;
}

function compile(table: ApiTable, spec: OperationSpec, config: ApiConfig): CompiledOperation {
  const base = config.server ?? serverUrl(spec.servers) ?? serverUrl(table.servers);
  const url = base === null ? null : new URL(base);
  const params = new Map(spec.params.map((p) => [p.name, p]));
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
    origin: url ? url.origin : null,
    host: url ? url.host : table.name,
    basePath: url ? url.pathname.replace(/\/+$/, '') : '',
    segments,
    params,
    required: spec.params.filter((p) => p.required),
    auth: planAuth(table, spec, config.credentials ?? {}),
    accept: spec.produces.length > 0 ? spec.produces.join(', ') : null,
    isSuccess: successTest(spec.success),
  };
}

/** A status test from `["200", "2XX"]`; an empty list accepts any 2xx. */
function successTest(success: string[]): (status: number) => boolean {
  if (success.length === 0) return (s) => s >= 200 && s < 300;
  const exact = new Set(success.filter((c) => /^\d{3}$/.test(c)).map(Number));
  const ranges = success.filter((c) => /^\dXX$/i.test(c)).map((c) => Number(c[0]));
  return (s) => exact.has(s) || ranges.includes(Math.floor(s / 100));
}
