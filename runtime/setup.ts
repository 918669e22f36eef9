/**
 * What relay-run serves, built from the config file, the modules and the command line: config,
 * tables, catalog and redactor. Built at start-up and again on SIGHUP (reload).
 */
import { Catalog } from './catalog.js';
import { DEFAULTS, loadConfigFile, type RelayConfig } from './config.js';
import { defaultModules, loadModules } from './loader.js';
import path from 'node:path';
import { Redactor } from './redact.js';
import { loadTls } from './upstream/tls.js';
import { Upstream, type UpstreamOptions } from './upstream/upstream.js';
import type { ApiTable } from './table.js';

export interface SetupInput {
  /** `--config`, if given. */
  configFile: string | undefined;
  env: NodeJS.ProcessEnv;
  /** `--tcp` / `--unix` as given; when either is set they replace `listen` of the config. */
  tcp: string | undefined;
  unix: string | undefined;
  /** MODULE arguments. */
  modules: string[];
  /** `--server API=URL` overrides. */
  servers: Map<string, string>;
  cwd: string;
  /** Where the JavaScript of TypeScript modules is cached (ts-module.ts); null or absent: nowhere. */
  moduleCache?: string | null;
  /** Told of upstream failures and rate-limit waits (metrics). */
  observer?: UpstreamOptions['observer'];
}

export interface Setup {
  config: RelayConfig;
  tables: ApiTable[];
  catalog: Catalog;
  /** Masks every configured secret: credentials and the client auth token. */
  redactor: Redactor;
  /** Every secret, for redactors that must outlive a reload. */
  secrets: string[];
  warnings: string[];
  /** Timeouts, retries, rate limits, breaker and TLS for this setup's APIs; close it when done with it. */
  upstream: Upstream;
}

/**
 * Read config and modules and compile them. Throws an Error that says what is wrong; nothing is changed
 * on failure. `previous` (a reload) is the upstream in service: its limiters and breakers are carried over.
 */
export async function loadSetup(input: SetupInput, fresh = false, previous?: Upstream): Promise<Setup> {
  let config: RelayConfig = structuredClone(DEFAULTS);
  const warnings: string[] = [];
  if (input.configFile !== undefined) {
    const loaded = await loadConfigFile(input.configFile, input.env);
    config = loaded.config;
    warnings.push(...loaded.warnings);
  }
  if (input.tcp !== undefined || input.unix !== undefined) {
    config.listen = { ...config.listen, tcp: input.tcp ?? null, unix: input.unix ?? null };
  }
  const files = input.modules.length > 0 ? input.modules : (config.modules ?? (await defaultModules(input.cwd)));
  if (files.length === 0) throw new Error('no modules to serve: give MODULE paths, or run where generated/ holds relay-gen output');
  const tables = await loadModules(files, fresh, input.moduleCache ?? null);
  const apis = { ...config.apis };
  for (const [api, url] of input.servers) {
    if (!tables.some((t) => t.name === api)) {
      throw new Error(`--server ${api}=...: no loaded API is named ${api} (loaded: ${tables.map((t) => t.name).join(', ')})`);
    }
    apis[api] = { ...apis[api], server: url };
  }
  const catalog = new Catalog({ tables, apis, presets: config.presets });
  warnings.push(...catalog.warnings);
  const secrets = [...catalog.secrets, ...(config.auth.token === null ? [] : [config.auth.token])];
  // TLS files are relative to the config file's directory.
  const tls = await loadTls(apis, input.configFile === undefined ? input.cwd : path.dirname(path.resolve(input.cwd, input.configFile)));
  warnings.push(...tls.warnings);
  const upstream = new Upstream({ operations: catalog.operations, config: { ...config, apis }, tls: tls.options, observer: input.observer, previous });
  return { config, tables, catalog, redactor: new Redactor(secrets), secrets, warnings, upstream };
}

/** `steam (12 operations); presets: hl2`, for the start-up and reload log lines. */
export function describeSetup(setup: Setup): string {
  const apiList = setup.tables.map((t) => `${t.name} (${Object.keys(t.operations).length} operations)`).join(', ');
  const presets = Object.keys(setup.config.presets);
  return `apis: ${apiList}${presets.length ? `; presets: ${presets.join(', ')}` : ''}`;
}
