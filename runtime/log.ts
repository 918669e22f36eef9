/**
 * Structured logs with pino: one JSON object per line on stderr (readable lines when stderr is a
 * terminal), every line passed through the redactor, so that no configured secret or fetched token
 * is ever written.
 */
import { pino, type Logger as Pino } from 'pino';
import type { Redactor } from './redact.js';
import type { RequestDone } from './observer.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** The per-request line (`msg: "request"`), at info, unless `log.requests` is off. */
  request(entry: RequestDone): void;
  /** Change the level and whether per-request lines are written (config reload). */
  configure(settings: { level: LogLevel; requests: boolean }): void;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Write a line per completed request (config `log.requests`, default true). */
  requests?: boolean;
  /** Where lines go; default stderr. */
  out?: (line: string) => void;
  /** Human-readable lines instead of JSON (default: when stderr is a terminal and `out` is not given). */
  pretty?: boolean;
}

/** A logger writing lines at or above `level`, secrets masked. */
export function createLogger(opts: LoggerOptions, redactor: Pick<Redactor, 'redact'> | null): Logger {
  const redact = redactor ? (text: string) => redactor.redact(text) : (text: string) => text;
  const pretty = opts.pretty ?? (opts.out === undefined && process.stderr.isTTY === true);
  // Synchronous, as pino's own default: per-request lines are batched (RequestBatch), so a busy relay
  // writes once per batch, and a line written is a line in the log, even when the process exits at once.
  const destination = opts.out || pretty ? null : pino.destination({ dest: 2, sync: true });
  const stream = opts.out
    ? { write: pretty ? (line: string) => opts.out!(prettyLine(line)) : opts.out }
    : pretty
      ? { write: (line: string) => void process.stderr.write(prettyLine(line)) }
      : destination!;
  const batch = destination ? new RequestBatch(destination, redact) : null;
  const base: Pino = pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Masks the whole serialised line: messages, request ids, error texts alike. Request lines
      // gathered before it are written first, so that lines stay in order.
      hooks: {
        streamWrite: (line) => {
          batch?.flush();
          return redact(line);
        },
      },
    },
    stream,
  );
  let requests = opts.requests ?? true;
  // Messages are masked before serialisation too, since JSON escaping could hide a secret from the line mask.
  return {
    error: (message) => base.error(redact(message)),
    warn: (message) => base.warn(redact(message)),
    info: (message) => base.info(redact(message)),
    debug: (message) => {
      if (base.isLevelEnabled('debug')) base.debug(redact(message));
    },
    request: (entry) => {
      // Serialised here rather than by pino: one line per request is the logger's hot path, and a
      // fixed shape needs no generic serialiser. The line is the one pino would write (a test checks).
      if (!requests || !base.isLevelEnabled('info')) return;
      if (batch) batch.add(entry);
      else stream.write(redact(requestLine(entry, process.pid)));
    },
    configure: (settings) => {
      base.level = settings.level;
      requests = settings.requests;
    },
  };
}

/**
 * Per-request lines on their way to stderr, written together at most BATCH_MS after the first or once
 * BATCH_LINES have gathered. A write to a pipe costs tens of microseconds here, about a tenth of a
 * request's CPU when each line had its own (docs/performance.md). The lines are formatted (and masked)
 * when the batch is written, in one loop, rather than one at a time between requests. The timer keeps
 * the process alive until the lines are written; at exit they are written at once.
 */
const BATCH_MS = 50;
const BATCH_LINES = 64;

class RequestBatch {
  readonly #destination: ReturnType<typeof pino.destination>;
  readonly #redact: (text: string) => string;
  /** Requests done and their times, formatted together when the batch is written. */
  #entries: RequestDone[] = [];
  #times: number[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(destination: ReturnType<typeof pino.destination>, redact: (text: string) => string) {
    this.#destination = destination;
    this.#redact = redact;
    process.once('exit', () => {
      try {
        this.flush();
      } catch {
        // Nothing more can be done with a log that cannot be written at exit.
      }
    });
  }

  add(entry: RequestDone): void {
    this.#entries.push(entry);
    this.#times.push(Date.now());
    if (this.#entries.length >= BATCH_LINES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const entries = this.#entries;
    if (entries.length === 0) return;
    const times = this.#times;
    this.#entries = [];
    this.#times = [];
    let text = '';
    for (let i = 0; i < entries.length; i++) text += requestLine(entries[i]!, process.pid, times[i]);
    this.#destination.write(this.#redact(text));
  }
}

/** `time` as pino's isoTime writes it; the text up to the second is reused within that second. */
let isoMs = -1;
let isoText = '';
let isoSecond = -1;
let isoHead = '';
export function isoTime(now = Date.now()): string {
  if (now !== isoMs) {
    isoMs = now;
    const ms = now % 1000;
    // toISOString costs about a microsecond; within one second only the milliseconds change.
    if (now - ms !== isoSecond) {
      isoSecond = now - ms;
      isoHead = new Date(now).toISOString().slice(0, -4);
    }
    isoText = `${isoHead}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  }
  return isoText;
}

/** The per-request line, field for field what `pino.info(entry, 'request')` writes with our options. */
export function requestLine(entry: RequestDone, pid: number, now = Date.now()): string {
  return (
    `{"level":"info","time":"${isoTime(now)}","pid":${pid},"id":${JSON.stringify(entry.id)},"connection":${entry.connection}` +
    `,"operation":${JSON.stringify(entry.operation)},"ok":${entry.ok},"status":${entry.status},"error":${entry.error === null ? 'null' : JSON.stringify(entry.error)}` +
    `,"ms":${entry.ms},"attempts":${entry.attempts},"msg":"request"}\n`
  );
}

const LABELS: Record<string, string> = { error: 'ERROR', warn: 'WARN ', info: 'INFO ', debug: 'DEBUG' };
const HIDDEN = new Set(['level', 'time', 'pid', 'msg']);

/**
 * `10:33:56.123 INFO  request id=1 operation=steam.getNewsForApp ...`: a small formatter rather than
 * pino-pretty, which would add a dozen packages (and a worker thread as a transport) for one screen.
 */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${time} ${LABELS[String(entry.level)] ?? String(entry.level)} ${String(entry.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}
