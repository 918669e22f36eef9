/**
 * relay-run's command line, parsed with commander: options, --help and --version, and usage errors
 * that say what to do next. Exit codes are documented in the help text and in README.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { parseTcpAddress } from './server.js';
import { version } from './version.js';

export interface RunArgs {
  tcp: string | undefined;
  unix: string | undefined;
  /** `--server API=URL` overrides by API name. */
  servers: Map<string, string>;
  config: string | undefined;
  /** undefined: the config's `log.level` (default info). */
  logLevel: LogLevel | undefined;
  list: boolean;
  printConfig: boolean;
  metrics: string | undefined;
  modules: string[];
}

const EPILOG = `
Signals: SIGTERM/SIGINT stop gracefully (in-flight requests get up to shutdown.graceMs; a second
signal stops at once); SIGHUP reloads the config file and modules.

Exit codes: 0 stopped by SIGTERM/SIGINT, or --list, --print-config, --help, --version done;
1 could not start (bad config, unreadable module, busy address); 2 bad usage.

Examples:
  relay-run --tcp 127.0.0.1:9876 --config relay.config.yaml
  relay-run --unix /run/relay.sock --metrics 127.0.0.1:9877 generated/steam.ts
  relay-run --list`;

function tcpAddress(value: string): string {
  try {
    parseTcpAddress(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

function serverOverride(value: string, previous: string[] | undefined): string[] {
  if (!/^([^=]+)=(https?:\/\/.+)$/i.test(value)) {
    throw new InvalidArgumentError(`expected API=URL with an http(s) URL, e.g. --server steam=http://127.0.0.1:8080`);
  }
  return [...(previous ?? []), value];
}

const USAGE_LINE = 'Usage: relay-run [--tcp HOST:PORT] [--unix PATH] [--server API=URL]... [--config FILE] [options] [MODULE...]';

/** A usage error: what is wrong, the usage line, and where to read more. */
export function usageError(message: string): string {
  return `relay-run: ${message}\n${USAGE_LINE}\nRun relay-run --help for every option.\n`;
}

/** Parse argv: the options, or the exit code when relay-run should stop here (0 help/version, 2 bad usage). */
export function parseRunArgs(argv: string[], write = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) }): RunArgs | number {
  const program = new Command('relay-run')
    .description('Serve the line-JSON protocol over TCP and/or a UNIX socket, relaying each request to its REST API.')
    .usage('[--tcp HOST:PORT] [--unix PATH] [--server API=URL]... [--config FILE] [options] [MODULE...]')
    .argument('[MODULE...]', 'generated modules to serve (default: every module in ./generated)')
    .option('--tcp <HOST:PORT>', 'listen on TCP (default 127.0.0.1:9876 when neither --tcp nor --unix is given)', tcpAddress)
    .option('--unix <PATH>', 'listen on a UNIX socket')
    .option('--server <API=URL>', "use URL as API's base URL instead of the spec's (repeatable)", serverOverride)
    .option('--config <FILE>', 'YAML config: listen addresses, servers, credentials, presets, limits, log, metrics')
    .addOption(new Option('--log-level <LEVEL>', 'the least severe level logged (default: log.level of the config, else info)').choices(LOG_LEVELS))
    .option('--metrics <HOST:PORT>', 'serve Prometheus /metrics and /healthz over HTTP on this address (config metrics.listen)', tcpAddress)
    .option('--list', 'print the loaded operations (name, method, path, summary) and exit')
    .option('--print-config', 'print the effective config (JSON, secrets masked) and exit')
    .helpOption('-h, --help', 'show this help')
    .version(version, '--version', "show relay's version")
    .addHelpText('after', EPILOG)
    .exitOverride()
    .configureOutput({
      writeOut: write.out,
      writeErr: write.err,
      outputError: (text, out) => out(usageError(text.replace(/^error: /, '').trimEnd())),
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  const o = program.opts<{ tcp?: string; unix?: string; server?: string[]; config?: string; logLevel?: LogLevel; metrics?: string; list?: boolean; printConfig?: boolean }>();
  const servers = new Map<string, string>();
  for (const pair of o.server ?? []) {
    const at = pair.indexOf('=');
    servers.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return {
    tcp: o.tcp,
    unix: o.unix,
    servers,
    config: o.config,
    logLevel: o.logLevel,
    list: o.list === true,
    printConfig: o.printConfig === true,
    metrics: o.metrics,
    modules: program.args,
  };
}
