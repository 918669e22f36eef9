/**
 * The closed loop every load process runs: `inflight` workers, each issuing its next call as soon as
 * the previous one completes. A warm-up is discarded; calls that complete inside the measured window
 * give throughput and latency, and `cpu()` is sampled at the window's edges.
 */
import { performance } from 'node:perf_hooks';

export interface DriveOptions {
  inflight: number;
  warmupMs: number;
  durationMs: number;
}

export interface RunResult {
  inflight: number;
  /** Calls completed inside the measured window. */
  requests: number;
  /** Error replies over the whole run (warm-up included); the bench expects none. */
  errors: number;
  windowMs: number;
  /** Requests per second over the window. */
  rps: number;
  p50Us: number;
  p99Us: number;
  /** CPU microseconds per request of the measured process (the client itself, the relay or the peer). */
  cpuUsPerReq: number;
}

/** Run the loop; `call` resolves true for a good reply, false for an error reply. */
export async function drive(opts: DriveOptions, call: () => Promise<boolean>, cpu: () => number): Promise<RunResult> {
  const latencies: number[] = [];
  let measuring = false;
  let stopped = false;
  let requests = 0;
  let errors = 0;
  let windowStart = 0;
  let windowEnd = 0;
  let cpuStart = 0;
  let cpuEnd = 0;
  const worker = async () => {
    while (!stopped) {
      const t0 = performance.now();
      const ok = await call();
      const t1 = performance.now();
      // Throughput counts completions inside the window; latency only calls that also started in it.
      if (measuring) {
        requests++;
        if (t0 >= windowStart) latencies.push(t1 - t0);
      }
      if (!ok) errors++;
    }
  };
  const workers = Array.from({ length: opts.inflight }, worker);
  await sleep(opts.warmupMs);
  cpuStart = cpu();
  windowStart = performance.now();
  measuring = true;
  await sleep(opts.durationMs);
  measuring = false;
  windowEnd = performance.now();
  cpuEnd = cpu();
  stopped = true;
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  const windowMs = windowEnd - windowStart;
  return {
    inflight: opts.inflight,
    requests,
    errors,
    windowMs: round(windowMs),
    rps: round((requests * 1000) / windowMs),
    p50Us: round(percentile(latencies, 0.5) * 1000),
    p99Us: round(percentile(latencies, 0.99) * 1000),
    cpuUsPerReq: requests === 0 ? NaN : round((cpuEnd - cpuStart) / requests),
  };
}

/** The p-quantile (0..1) of sorted values, nearest rank. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Parse the one JSON argument every load process takes. */
export function jsonArg<T>(): T {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error('expected one JSON argument');
  return JSON.parse(arg) as T;
}

/** CPU microseconds of this process so far. */
export function ownCpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
