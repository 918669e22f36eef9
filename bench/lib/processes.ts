/**
 * Child processes of the bench: the upstream, relay-run, and the load processes, each started with
 * `node` the way users start them, stopped with SIGTERM, and bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH, ROOT } from './paths.js';

export interface Started {
  child: ChildProcess;
  pid: number;
  /** The first stdout/stderr line that matched. */
  match: RegExpExecArray;
  /** Milliseconds from spawn to the matching line. */
  startMs: number;
  output(): string;
  stop(): Promise<number | null>;
}

/** The last TAIL_BYTES (or a little more) of a process's output, kept as bytes and decoded when asked for. */
const TAIL_BYTES = 64 * 1024;
class Tail {
  #chunks: Buffer[] = [];
  #bytes = 0;
  #dropped = false;

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#chunks.length > 1 && this.#bytes - this.#chunks[0]!.length >= TAIL_BYTES) {
      this.#bytes -= this.#chunks.shift()!.length;
      this.#dropped = true;
    }
  }

  text(): string {
    return `${this.#dropped ? '[...]\n' : ''}${Buffer.concat(this.#chunks).toString()}`;
  }
}

/** Spawn `node ...args` and wait for a line of its stdout or stderr matching `ready`. */
export function startUntil(args: string[], ready: RegExp, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const tail = new Tail();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} was not ready within ${opts.timeoutMs ?? 30_000} ms:\n${output}`));
    }, opts.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (!match) return;
      const startMs = performance.now() - t0;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      // Keep draining so that a chatty child never blocks on a full pipe, but keep only the last of it:
      // relay-run logs a line per request (megabytes a minute), and decoding and keeping all of that
      // took CPU from the processes being measured.
      child.stdout!.on('data', (c: Buffer) => tail.push(c));
      child.stderr!.on('data', (c: Buffer) => tail.push(c));
      resolve({
        child,
        pid: child.pid!,
        match,
        startMs,
        output: () => output + tail.text(),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`node ${args.join(' ')} exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** The loopback upstream in its own process. */
export async function startUpstream(delayMs = 0): Promise<{ url: string; pid: number; stop: () => Promise<unknown> }> {
  const p = await startUntil(['--import', 'tsx', path.join(BENCH, 'upstream.ts'), String(delayMs)], /listening (\d+)/);
  return { url: `http://127.0.0.1:${p.match[1]}`, pid: p.pid, stop: p.stop };
}

/**
 * Run a load process (`bench/<script>` with one JSON argument) to its end and parse the JSON of its
 * last stdout line. `onLine` sees every stdout line as it comes.
 */
export function runLoad<T>(script: string, arg: unknown, opts: { timeoutMs: number; onLine?: (line: string) => void }): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH, script), JSON.stringify(arg)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let rest = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    const lines = (rest + c.toString()).split('\n');
    rest = lines.pop()!;
    lines.forEach((l) => opts.onLine?.(l));
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
  return new Promise((resolve, reject) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} failed (${signal ?? `exit ${code}`}):\n${stderr || stdout}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no result:\n${stdout}\n${stderr}`));
      }
    }),
  );
}

/** Run `node ...args` to its end; resolves to its wall time, exit code and output. */
export function timeRun(args: string[], timeoutMs: number): Promise<{ ms: number; code: number | null; output: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, code, output });
    }),
  );
}
