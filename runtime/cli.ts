/**
 * relay-run: the command line. Reads argv and the environment, loads config and modules,
 * starts the listeners, and handles signals (SIGTERM/SIGINT: graceful stop; SIGHUP: reload). Exit codes: 0 stopped by a signal,
 * 1 could not start (bad config, unreadable module, busy address), 2 bad usage.
 */
import { parseRunArgs } from './cli-args.js';
import { createLogger } from './log.js';
import { formatOperationList } from './list.js';
import type { Metrics } from './metrics.js';
import type { MetricsServer } from './metrics-server.js';
import { logObserver, observers } from './observer.js';
import { Redactor } from './redact.js';
import { Relay } from './relay.js';
import { maskSecrets } from './print-config.js';
import { RelayServer, parseTcpAddress } from './server.js';
import type { RelayConfig } from './config.js';
import { describeSetup, loadSetup, type Setup, type SetupInput } from './setup.js';
import { moduleCacheDir } from './ts-module.js';

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = parseRunArgs(argv);
  if (typeof args === 'number') return args;

  // Signal handlers go in before anything listens: a SIGTERM that arrives just after the
  // "listening" line must stop the relay cleanly, not kill it (and SIGHUP must not kill it either).
  const signals = new SignalBox();
  const overrides = args.servers;
  // Created only when a metrics listener is configured (known once the config is read): without one,
  // requests pay nothing for metrics.
  let metrics: Metrics | null = null;
  const upstreamObserver = {
    upstreamError: (api: string, code: string) => metrics?.upstreamError(api, code),
    rateLimit: (api: string, event: 'wait' | 'refused') => metrics?.rateLimit(api, event),
  };
  const input: SetupInput = { configFile: args.config, env, tcp: args.tcp, unix: args.unix, modules: args.modules, servers: overrides, cwd: process.cwd(), moduleCache: moduleCacheDir(env), observer: upstreamObserver };

  let server: RelayServer | undefined;
  let metricsServer: MetricsServer | undefined;
  let relay: Relay;
  let setup: Setup | undefined;
  // Logs mask every secret ever loaded, so that a reload cannot unmask one still used by old requests.
  const secrets = new Set<string>();
  let masks = new Redactor([]);
  const log = createLogger({ level: args.logLevel ?? 'info' }, { redact: (text) => masks.redact(text) });
  let observer = observers(logObserver(log));
  /** Take up a setup that has loaded (at start and on SIGHUP): its secrets, tokens, log settings and warnings. */
  const adopt = (s: Setup) => {
    s.secrets.forEach((secret) => secrets.add(secret));
    masks = new Redactor(secrets);
    // OAuth2 tokens are fetched while serving: mask each in replies and logs as soon as it exists.
    for (const source of s.catalog.tokenSources) {
      source.onToken = (token) => {
        s.redactor.add(token);
        secrets.add(token);
        masks.add(token);
      };
    }
    // `--log-level` wins over the config's log.level.
    log.configure({ level: args.logLevel ?? s.config.log.level, requests: s.config.log.requests });
    s.warnings.forEach((w) => log.warn(w));
    s.catalog.onWarning = (w) => log.warn(w);
  };
  const relayOptions = (s: Setup) => ({ catalog: s.catalog, upstream: s.upstream, limits: s.config.limits, redactor: s.redactor, log, observer });
  try {
    setup = await loadSetup(input);
    if (args.printConfig) {
      const apis = structuredClone(setup.config.apis);
      for (const [api, url] of overrides) apis[api] = { ...apis[api], server: url };
      const masked = maskSecrets({ ...setup.config, apis });
      process.stdout.write(`${JSON.stringify(masked, null, 2)}\n`);
      signals.detach();
      await setup.upstream.close();
      return 0;
    }
    if (args.list) {
      process.stdout.write(formatOperationList(setup.tables, setup.config.presets));
      signals.detach();
      await setup.upstream.close();
      return 0;
    }
    adopt(setup);
    const { config } = setup;
    const metricsAt = args.metrics ?? config.metrics.listen;
    if (metricsAt !== null) {
      // Loaded only when used: prom-client adds tens of ms to start-up.
      metrics = new (await import('./metrics.js')).Metrics();
      observer = observers(logObserver(log), metrics);
    }
    relay = new Relay(relayOptions(setup));
    server = new RelayServer(relay, { log, token: config.auth.token, authTimeoutMs: config.auth.timeoutMs, ...socketOptions(config.listen) });
    if (metrics !== null && metricsAt !== null) {
      const served = { relay, server };
      metrics.track({ inFlight: () => served.relay.inFlight, connections: () => served.server.connections });
      metricsServer = new (await import('./metrics-server.js')).MetricsServer(metrics, log);
      log.info(`metrics on ${await metricsServer.listen(parseTcpAddress(metricsAt))}/metrics and /healthz`);
    }
    const addresses: string[] = [];
    if (config.listen.tcp !== null) addresses.push(await server.listenTcp(parseTcpAddress(config.listen.tcp)));
    if (config.listen.unix !== null) addresses.push(await server.listenUnix(config.listen.unix));
    if (addresses.length === 0) throw new Error('nothing to listen on: give --tcp or --unix, or set listen in the config');
    log.info(`listening on ${addresses.join(' ')}; ${describeSetup(setup)}`);
  } catch (err) {
    log.error((err as Error).message);
    signals.detach();
    await server?.close().catch(() => {});
    await metricsServer?.close().catch(() => {});
    await setup?.upstream.close().catch(() => {});
    return 1;
  }

  for (;;) {
    const signal = await signals.next();
    if (signal !== 'SIGHUP') {
      metricsServer?.stopping();
      log.info(`${signal}: stopping; ${relay.inFlight} requests in flight, up to ${setup.config.shutdown.graceMs} ms to finish (signal again to stop now)`);
      // A second SIGTERM/SIGINT cuts the grace period short; a SIGHUP now is ignored.
      const force = (async () => {
        while ((await signals.next()) === 'SIGHUP');
      })();
      await server.shutdown(setup.config.shutdown.graceMs, force);
      await metricsServer?.close();
      signals.detach();
      await relay.options.upstream.close();
      return 0;
    }
    try {
      const next = await loadSetup(input, true, relay.options.upstream);
      if (JSON.stringify(next.config.listen) !== JSON.stringify(setup.config.listen)) {
        log.warn('SIGHUP: listen addresses, unixMode, unixOwner and unixGroup are not reloaded; restart relay-run to change them');
      }
      if (args.metrics === undefined && next.config.metrics.listen !== setup.config.metrics.listen) {
        log.warn('SIGHUP: metrics.listen is not reloaded; restart relay-run to change it');
      }
      adopt(next);
      const old = relay.options;
      // Requests in flight finish on the old tables and upstream, which closes once they are done.
      void relay
        .replace(relayOptions(next))
        .then(() => old.upstream.close())
        .catch((err: unknown) => log.debug(`closing the old upstream: ${(err as Error).message}`));
      server.configure({ log, token: next.config.auth.token, authTimeoutMs: next.config.auth.timeoutMs, ...socketOptions(setup.config.listen) });
      setup = { ...next, config: { ...next.config, listen: setup.config.listen, metrics: setup.config.metrics } };
      log.info(`SIGHUP: reloaded; ${describeSetup(setup)}`);
    } catch (err) {
      log.error(`SIGHUP: reload failed, the running config stays in force: ${(err as Error).message}`);
    }
  }
}

/** The UNIX socket's mode, owner and group (set at start; a reload keeps them). */
function socketOptions(listen: RelayConfig['listen']) {
  return { unixMode: listen.unixMode, unixOwner: listen.unixOwner, unixGroup: listen.unixGroup };
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
