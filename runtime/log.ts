/**
 * A small logger to stderr, with every line passed through the redactor.
 * Human-readable: `relay-run: warn: ...`.
 */
import type { Redactor } from './redact.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A logger writing lines at or above `level` to `out`, secrets masked. */
export function createLogger(level: LogLevel, redactor: Pick<Redactor, 'redact'> | null, out: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const at = (lvl: LogLevel) => (message: string) => {
    if (RANK[lvl] > RANK[level]) return;
    const text = redactor ? redactor.redact(message) : message;
    out(`relay-run: ${lvl === 'info' ? '' : `${lvl}: `}${text}\n`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
