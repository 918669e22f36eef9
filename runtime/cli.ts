/**
 * relay-run: the command line. Reads argv and the environment, loads config and modules,
 * starts the listeners, and handles signals. Exit codes: 0 stopped by a signal,
 * 1 could not start (bad config, unreadable module, busy address), 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { Catalog } from './catalog.js';
import { DEFAULTS, loadConfigFile, type RelayConfig } from './config.js';
import type { Dispatcher } from 'undici';
import { createDispatcher } from './dispatch.js';
import { defaultModules, loadModules } from './loader.js';
import { createLogger, type LogLevel } from './log.js';
import { Redactor } from './redact.js';
import { Relay } from './relay.js';
import { maskSecrets } from './print-config.js';
import { RelayServer, parseTcpAddress } from './server.js';
import { version } from './version.js';

const USAGE = `Usage: relay-run [--tcp HOST:PORT] [--unix PATH] [--server API=URL]... [--config FILE] [MODULE...]

Serve the line-JSON protocol over TCP and/or a UNIX socket, relaying each request to its REST API.

  --tcp HOST:PORT    listen on TCP (default 127.0.0.1:9876 when neither --tcp nor --unix is given)
  --unix PATH        listen on a UNIX socket
  --server API=URL   use URL as API's base URL instead of the spec's (repeatable)
  --config FILE      YAML config: listen addresses, servers, credentials, presets, limits
  --log-level LEVEL  error, warn, info (default) or debug
  --print-config     print the effective config (JSON, secrets masked) and exit
  --help             show this help
  --version          show relay's version
  MODULE             generated modules to serve (default: every module in ./generated)

Exit codes: 0 stopped by SIGTERM/SIGINT, 1 could not start, 2 bad usage.`;

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        tcp: { type: 'string' },
        unix: { type: 'string' },
        server: { type: 'string', multiple: true, default: [] },
        config: { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        'print-config': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = args;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const level = values['log-level'] as LogLevel;
  if (!['error', 'warn', 'info', 'debug'].includes(level)) return usage(`--log-level must be error, warn, info or debug, got ${level}`);
  const overrides = new Map<string, string>();
  for (const pair of values.server) {
    const match = /^([^=]+)=(https?:\/\/.+)$/i.exec(pair);
    if (!match) return usage(`--server expects API=URL with an http(s) URL, e.g. --server steam=http://127.0.0.1:8080; got ${JSON.stringify(pair)}`);
    overrides.set(match[1]!, match[2]!);
  }
  let tcp;
  try {
    tcp = values.tcp === undefined ? undefined : parseTcpAddress(values.tcp);
  } catch (err) {
    return usage(`--tcp: ${(err as Error).message}`);
  }

  const bootLog = createLogger(level, null);
  // Signal handlers go in before anything listens: a SIGTERM that arrives just after the
  // "listening" line must stop the relay cleanly, not kill it.
  let signalled: ((signal: string) => void) | null = null;
  const pendingSignal = new Promise<string>((resolve) => (signalled = resolve));
  const onTerm = () => signalled?.('SIGTERM');
  const onInt = () => signalled?.('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const detach = () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  };

  let server: RelayServer | undefined;
  let relay: Relay;
  let dispatcher: Dispatcher | undefined;
  try {
    let config: RelayConfig = structuredClone(DEFAULTS);
    if (values.config !== undefined) {
      const loaded = await loadConfigFile(values.config, env);
      config = loaded.config;
      loaded.warnings.forEach((w) => bootLog.warn(w));
    }
    if (tcp !== undefined || values.unix !== undefined) {
      config.listen = { tcp: values.tcp ?? null, unix: values.unix ?? null };
    }
    if (values['print-config']) {
      const apis = structuredClone(config.apis);
      for (const [api, url] of overrides) apis[api] = { ...apis[api], server: url };
      process.stdout.write(`${JSON.stringify(maskSecrets({ ...config, apis }), null, 2)}\n`);
      detach();
      return 0;
    }
    const files = positionals.length > 0 ? positionals : (config.modules ?? (await defaultModules(process.cwd())));
    if (files.length === 0) throw new Error('no modules to serve: give MODULE paths, or run where generated/ holds relay-gen output');
    const tables = await loadModules(files);
    const apis = { ...config.apis };
    for (const [api, url] of overrides) {
      if (!tables.some((t) => t.name === api)) {
        throw new Error(`--server ${api}=...: no loaded API is named ${api} (loaded: ${tables.map((t) => t.name).join(', ')})`);
      }
      apis[api] = { ...apis[api], server: url };
    }
    const catalog = new Catalog({ tables, apis, presets: config.presets });
    const redactor = new Redactor(catalog.secrets);
    for (const source of catalog.tokenSources) source.onToken = (token) => redactor.add(token);
    const log = createLogger(level, redactor);
    catalog.warnings.forEach((w) => log.warn(w));
    dispatcher = createDispatcher(config.http);
    relay = new Relay({ catalog, dispatcher, limits: config.limits, redactor, log });
    server = new RelayServer(relay, { maxLineBytes: config.limits.maxLineBytes, log });
    const addresses: string[] = [];
    if (config.listen.tcp !== null) addresses.push(await server.listenTcp(parseTcpAddress(config.listen.tcp)));
    if (config.listen.unix !== null) addresses.push(await server.listenUnix(config.listen.unix));
    if (addresses.length === 0) throw new Error('nothing to listen on: give --tcp or --unix, or set listen in the config');
    const apiList = tables.map((t) => `${t.name} (${Object.keys(t.operations).length} operations)`).join(', ');
    const presets = Object.keys(config.presets);
    log.info(`listening on ${addresses.join(' ')}; apis: ${apiList}${presets.length ? `; presets: ${presets.join(', ')}` : ''}`);
  } catch (err) {
    bootLog.error((err as Error).message);
    detach();
    await server?.close().catch(() => {});
    await dispatcher?.close().catch(() => {});
    return 1;
  }

  const signal = await pendingSignal;
  detach();
  bootLog.info(`${signal}: stopping (${relay.inFlight} requests in flight)`);
  await server.close();
  await dispatcher.close();
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`relay-run: ${message}\n\n${USAGE}\n`);
  return 2;
}
