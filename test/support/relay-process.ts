/**
 * Starting relay-run as a real child process, the way users run it, and reading its start-up line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = path.join(ROOT, 'runtime', 'relay-run.js');
/** Tests keep relay-run's module cache (runtime/ts-module.ts) out of the home folder. */
const CACHE = { RELAY_CACHE_DIR: path.join(os.tmpdir(), 'relay-test-module-cache') };

export interface RelayProcess {
  child: ChildProcess;
  /** The TCP port it listens on, if any. */
  port: number | null;
  /** The UNIX socket path it listens on, if any. */
  unix: string | null;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** Run relay-run with `args` and wait until it listens (or fails to start, which rejects with its stderr). */
export function startRelay(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 15_000): Promise<RelayProcess> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...CACHE, ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relay-run did not start within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const line = /listening on ([^\n]*)/.exec(stderr);
      if (!line) return;
      clearTimeout(timer);
      const tcp = /tcp:\/\/(?:\[[^\]]+\]|[^:\s]+):(\d+)/.exec(line[1]!);
      const unix = /unix:\/\/(\S+?);?(?:\s|$)/.exec(line[1]!);
      resolve({
        child,
        port: tcp ? Number(tcp[1]) : null,
        unix: unix ? unix[1]! : null,
        stderr: () => stderr,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`relay-run exited with ${code} before listening; stderr:\n${stderr}`));
    });
  });
}

/** Run relay-run expecting it to exit; resolves to its exit code and stderr. */
export function runRelay(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 15_000): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...CACHE, ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    }),
  );
}
