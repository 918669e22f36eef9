/**
 * relay-run: the command line. Reads argv and the environment, loads config and modules,
 * starts the listeners, and handles signals (SIGTERM/SIGINT: graceful stop; SIGHUP: reload). Exit codes: 0 stopped by a signal,
 * 1 could not start (bad config, unreadable module, busy address), 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { createLogger, type LogLevel } from './log.js';
import { formatOperationList } from './list.js';
import { Redactor } from './redact.js';
import { Relay } from './relay.js';
import { maskSecrets } from './print-config.js';
import { RelayServer, parseTcpAddress } from './server.js';
import { describeSetup, loadSetup, type Setup, type SetupInput } from './setup.js';
import { version } from './version.js';

const USAGE = `Usage: relay-run [--tcp HOST:PORT] [--unix PATH] [--server API=URL]... [--config FILE] [MODULE...]

Serve the line-JSON protocol over TCP and/or a UNIX socket, relaying each request to its REST API.

  --tcp HOST:PORT    listen on TCP (default 127.0.0.1:9876 when neither --tcp nor --unix is given)
  --unix PATH        listen on a UNIX socket
  --server API=URL   use URL as API's base URL instead of the spec's (repeatable)
  --config FILE      YAML config: listen addresses, servers, credentials, presets, limits
  --log-level LEVEL  error, warn, info (default) or debug
  --list             print the loaded operations (name, method, path, summary) and exit
  --print-config     print the effective config (JSON, secrets masked) and exit
  --help             show this help
  --version          show relay's version
  MODULE             generated modules to serve (default: every module in ./generated)

Signals: SIGTERM/SIGINT stop gracefully (in-flight requests get up to shutdown.graceMs; a second
signal stops at once); SIGHUP reloads the config file and modules.

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
        list: { type: 'boolean', default: false },
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
  try {
    if (values.tcp !== undefined) parseTcpAddress(values.tcp);
  } catch (err) {
    return usage(`--tcp: ${(err as Error).message}`);
  }

  // Signal handlers go in before anything listens: a SIGTERM that arrives just after the
  // "listening" line must stop the relay cleanly, not kill it (and SIGHUP must not kill it either).
  const signals = new SignalBox();
  const input: SetupInput = { configFile: values.config, env, tcp: values.tcp, unix: values.unix, modules: positionals, servers: overrides, cwd: process.cwd() };

  let server: RelayServer | undefined;
  let relay: Relay;
  let setup: Setup | undefined;
  // Logs mask every secret ever loaded, so that a reload cannot unmask one still used by old requests.
  const secrets = new Set<string>();
  let masks = new Redactor([]);
  const log = createLogger(level, { redact: (text) => masks.redact(text) });
  // OAuth2 tokens are fetched while serving: mask each in replies and logs as soon as it exists.
  const watchTokens = (s: Setup) => {
    for (const source of s.catalog.tokenSources) {
      source.onToken = (token) => {
        s.redactor.add(token);
        secrets.add(token);
        masks.add(token);
      };
    }
  };
  try {
    setup = await loadSetup(input);
    if (values['print-config']) {
      const apis = structuredClone(setup.config.apis);
      for (const [api, url] of overrides) apis[api] = { ...apis[api], server: url };
      const masked = maskSecrets({ ...setup.config, apis });
      if (masked.auth.token !== null) masked.auth = { ...masked.auth, token: '***' };
      process.stdout.write(`${JSON.stringify(masked, null, 2)}\n`);
      signals.detach();
      await setup.upstream.close();
      return 0;
    }
    if (values.list) {
      process.stdout.write(formatOperationList(setup.tables, setup.config.presets));
      signals.detach();
      await setup.upstream.close();
      return 0;
    }
    setup.secrets.forEach((s) => secrets.add(s));
    masks = new Redactor(secrets);
    watchTokens(setup);
    setup.warnings.forEach((w) => log.warn(w));
    setup.catalog.onWarning = (w) => log.warn(w);
    const { config } = setup;
    relay = new Relay({ catalog: setup.catalog, upstream: setup.upstream, limits: config.limits, redactor: setup.redactor, log });
    server = new RelayServer(relay, { log, token: config.auth.token, authTimeoutMs: config.auth.timeoutMs, unixMode: config.listen.unixMode });
    const addresses: string[] = [];
    if (config.listen.tcp !== null) addresses.push(await server.listenTcp(parseTcpAddress(config.listen.tcp)));
    if (config.listen.unix !== null) addresses.push(await server.listenUnix(config.listen.unix));
    if (addresses.length === 0) throw new Error('nothing to listen on: give --tcp or --unix, or set listen in the config');
    log.info(`listening on ${addresses.join(' ')}; ${describeSetup(setup)}`);
  } catch (err) {
    log.error((err as Error).message);
    signals.detach();
    await server?.close().catch(() => {});
    await setup?.upstream.close().catch(() => {});
    return 1;
  }

  for (;;) {
    const signal = await signals.next();
    if (signal !== 'SIGHUP') {
      log.info(`${signal}: stopping; ${relay.inFlight} requests in flight, up to ${setup.config.shutdown.graceMs} ms to finish (signal again to stop now)`);
      // A second SIGTERM/SIGINT cuts the grace period short; a SIGHUP now is ignored.
      const force = (async () => {
        while ((await signals.next()) === 'SIGHUP');
      })();
      await server.shutdown(setup.config.shutdown.graceMs, force);
      signals.detach();
      await relay.options.upstream.close();
      return 0;
    }
    try {
      const next = await loadSetup(input, true);
      if (JSON.stringify(next.config.listen) !== JSON.stringify(setup.config.listen)) {
        log.warn('SIGHUP: listen addresses and unixMode are not reloaded; restart relay-run to change them');
      }
      next.secrets.forEach((s) => secrets.add(s));
      masks = new Redactor(secrets);
      watchTokens(next);
      next.warnings.forEach((w) => log.warn(w));
      next.catalog.onWarning = (w) => log.warn(w);
      const old = relay.options;
      // Requests in flight finish on the old tables and upstream, which closes once they are done.
      void relay
        .replace({ catalog: next.catalog, upstream: next.upstream, limits: next.config.limits, redactor: next.redactor, log })
        .then(() => old.upstream.close())
        .catch((err: unknown) => log.debug(`closing the old upstream: ${(err as Error).message}`));
      server.configure({ log, token: next.config.auth.token, authTimeoutMs: next.config.auth.timeoutMs, unixMode: setup.config.listen.unixMode });
      setup = { ...next, config: { ...next.config, listen: setup.config.listen } };
      log.info(`SIGHUP: reloaded; ${describeSetup(setup)}`);
    } catch (err) {
      log.error(`SIGHUP: reload failed, the running config stays in force: ${(err as Error).message}`);
    }
  }
}

/** SIGTERM, SIGINT and SIGHUP, queued so that none is lost between two awaits. */
class SignalBox {
  readonly #queue: string[] = [];
  #wake: (() => void) | null = null;
  readonly #handlers = (['SIGTERM', 'SIGINT', 'SIGHUP'] as const).map((name) => {
    const handler = () => {
      this.#queue.push(name);
      this.#wake?.();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });

  async next(): Promise<string> {
    while (this.#queue.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = null;
    return this.#queue.shift()!;
  }

  detach(): void {
    for (const [name, handler] of this.#handlers) process.off(name, handler);
  }
}

function usage(message: string): number {
  process.stderr.write(`relay-run: ${message}\n\n${USAGE}\n`);
  return 2;
}
