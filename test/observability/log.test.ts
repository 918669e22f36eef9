/**
 * The logger (runtime/log.ts): JSON lines, levels, the per-request line, masking of secrets
 * (also after the masks change, as on SIGHUP), and the terminal format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createLogger, isoTime, prettyLine, requestLine } from '../../runtime/log.js';
import type { RequestDone } from '../../runtime/observer.js';
import { Redactor } from '../../runtime/redact.js';
import { logLines } from '../support/log-lines.js';

const SECRET = 'sk_live_0123456789abcdef';

function capture() {
  let text = '';
  return { out: (line: string) => void (text += line), text: () => text };
}

test('writes one JSON object per line with level, time and msg, and drops lines below the level', () => {
  const sink = capture();
  const log = createLogger({ level: 'warn', out: sink.out }, null);
  log.debug('not shown');
  log.info('not shown either');
  log.warn('careful');
  log.error('broken');
  const lines = logLines(sink.text());
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [
      ['warn', 'careful'],
      ['error', 'broken'],
    ],
  );
  assert.ok(!Number.isNaN(Date.parse(lines[0]!.time)));
});

test('writes the per-request line at info with every field, and not when log.requests is off', () => {
  const sink = capture();
  const log = createLogger({ level: 'info', out: sink.out }, null);
  const done = { id: 'a1', connection: 3, operation: 'steam.getNewsForApp', ok: false, status: 404, error: null, ms: 12.5, attempts: 2 };
  log.request(done);
  const [line] = logLines(sink.text());
  assert.equal(line!.msg, 'request');
  assert.equal(line!.level, 'info');
  assert.deepEqual({ id: line!.id, connection: line!.connection, operation: line!.operation, ok: line!.ok, status: line!.status, error: line!.error, ms: line!.ms, attempts: line!.attempts }, done);
  log.configure({ level: 'info', requests: false });
  log.request(done);
  log.configure({ level: 'warn', requests: true });
  log.request(done);
  assert.equal(logLines(sink.text()).length, 1);
});

test('the per-request line is the line pino itself writes for the entry, key for key and in the same order', () => {
  const entries: RequestDone[] = [
    { id: 'a"1\\', connection: 3, operation: 'steam.getNewsForApp', ok: false, status: 404, error: null, ms: 12.5, attempts: 2 },
    { id: 7, connection: null, operation: 'x.y', ok: false, status: null, error: 'CONNECT_REFUSED', ms: 0.01, attempts: 1 },
    { id: 'é\u2028', connection: 1, operation: 'a.b', ok: true, status: 200, error: null, ms: 1234567, attempts: 3 },
  ];
  for (const entry of entries) {
    let expected = '';
    const reference = pino(
      { base: { pid: 42 }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      { write: (line: string) => void (expected += line) },
    );
    reference.info(entry, 'request');
    const ours = requestLine(entry, 42);
    const withoutTime = (line: string) => line.replace(/"time":"[^"]*"/, '"time":""');
    assert.equal(withoutTime(ours), withoutTime(expected));
    assert.ok(!Number.isNaN(Date.parse((JSON.parse(ours) as { time: string }).time)));
  }
});

test('isoTime writes the time as toISOString does, across milliseconds, seconds and days', () => {
  const base = Date.UTC(2026, 10, 26, 23, 59, 58, 0);
  const steps = [0, 1, 9, 10, 99, 100, 999, 1000, 1005, 1999, 2000, 2047, 2047, 86_400_000 + 7];
  for (const step of steps) assert.equal(isoTime(base + step), new Date(base + step).toISOString());
  assert.match(isoTime(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
});

test('masks secrets in messages and in request fields, and follows the masks when they are swapped', () => {
  const sink = capture();
  let masks = new Redactor([SECRET]);
  const log = createLogger({ level: 'debug', out: sink.out }, { redact: (text) => masks.redact(text) });
  log.error(`upstream said: bad key ${SECRET}`);
  // A quote inside a secret is escaped in JSON; the message is masked before it is serialised.
  masks = new Redactor([SECRET, 'pa"ss\\word']);
  log.warn('login with pa"ss\\word failed');
  log.request({ id: `id-${SECRET}`, connection: 1, operation: 'x.y', ok: true, status: 200, error: null, ms: 1, attempts: 1 });
  masks = new Redactor([]);
  log.info(`no masks now: ${SECRET}`);
  const text = sink.text();
  const lines = logLines(text);
  assert.equal(lines[0]!.msg, 'upstream said: bad key ***');
  assert.equal(lines[1]!.msg, 'login with *** failed');
  assert.equal(lines[2]!.id, 'id-***');
  assert.ok(!text.split('\n').slice(0, 3).join('\n').includes(SECRET));
  assert.equal(lines[3]!.msg, `no masks now: ${SECRET}`);
});

test('formats a line for a terminal as time, level, message and fields', () => {
  const json = JSON.stringify({ level: 'info', time: '2026-01-02T03:04:05.678Z', pid: 1, id: 'a', status: 200, error: null, msg: 'request' });
  assert.equal(prettyLine(json), '03:04:05.678 INFO  request id=a status=200 error=null\n');
  assert.equal(prettyLine('not json'), 'not json');
});

test('pretty output goes through the same masks', () => {
  const sink = capture();
  const log = createLogger({ level: 'info', out: sink.out, pretty: true }, new Redactor([SECRET]));
  log.info(`key ${SECRET}`);
  assert.match(sink.text(), /^\d\d:\d\d:\d\d\.\d{3} INFO  key \*\*\*\n$/);
});

test('request lines batched for stderr all arrive, in order with other lines, whether the process ends by itself or by process.exit', async () => {
  const { spawn } = await import('node:child_process');
  const logModule = new URL('../../runtime/log.ts', import.meta.url).href;
  for (const ending of ['', 'process.exit(0);']) {
    const script = `
      const { createLogger } = await import(${JSON.stringify(logModule)});
      const log = createLogger({ level: 'info', pretty: false }, null);
      const done = (id) => log.request({ id, connection: 1, operation: 'a.b', ok: true, status: 200, error: null, ms: 1, attempts: 1 });
      for (let i = 0; i < 500; i++) done(i);
      log.info('middle');
      for (let i = 500; i < 1000; i++) done(i);
      ${ending}`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    const lines = logLines(stderr);
    assert.deepEqual(
      lines.map((l) => (l.msg === 'request' ? l.id : l.msg)),
      [...Array.from({ length: 500 }, (_, i) => i), 'middle', ...Array.from({ length: 500 }, (_, i) => i + 500)],
      `ending: ${ending || 'by itself'}`,
    );
  }
});
