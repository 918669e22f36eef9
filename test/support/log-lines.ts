/**
 * relay-run's stderr as log entries: one JSON object per line (what pino writes when stderr is not a terminal).
 */

export type LogEntry = { level: string; time: string; msg: string } & Record<string, unknown>;

/** Every line of `stderr` parsed; throws naming a line that is not a JSON log entry. */
export function logLines(stderr: string): LogEntry[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const entry = JSON.parse(line) as LogEntry;
      if (typeof entry.level !== 'string' || typeof entry.msg !== 'string') throw new Error(`not a log entry: ${line}`);
      return entry;
    });
}
