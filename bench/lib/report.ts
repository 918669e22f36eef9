/**
 * The bench's results: their shape, the ratios and targets derived from them, and the printed tables.
 * Pure: numbers in, text out.
 */
import type { RunResult } from './drive.js';

export type Scenario = 'direct' | 'floor' | 'relay-tcp' | 'relay-unix' | 'peer';
export const SCENARIOS: Scenario[] = ['direct', 'floor', 'relay-tcp', 'relay-unix', 'peer'];

export interface ScaleResult {
  requests: number;
  connections: number;
  upstreamDelayMs: number;
  relayConnectionsPerOrigin: number;
  ok: number;
  errors: number;
  elapsedMs: number;
  rssAtStartMiB: number;
  rssAllInFlightMiB: number | null;
  peakRssMiB: number;
}

export interface GeneratorResult {
  spec: string;
  operations: number | null;
  relayGenMs: number | null;
  relayGenError: string | null;
  moduleBytes: number | null;
  /** Restarts (the module's stripped code cached): median of three. */
  startupGeneratedMs: number | null;
  /** The first start after relay-gen, with an empty module cache. */
  startupGeneratedFirstMs: number | null;
  startupGeneratedError: string | null;
  startupSteamMs: number;
  startupSteamFirstMs: number;
  /** `node -e 0` and `node --import tsx -e 0`: the floor under any start-up. */
  nodeBareMs: number;
  nodeTsxMs: number;
}

export interface BenchResults {
  date: string;
  command: string;
  machine: { nproc: number; cpu: string; memGiB: number; node: string; kernel: string; loadAverage1mAtStart?: number; loadAverage1mAtEnd?: number };
  settings: Record<string, unknown>;
  runs: Partial<Record<Scenario, RunResult[]>>;
  scale: ScaleResult | null;
  generator: GeneratorResult | null;
  ratios: Ratio[];
  targets: Target[];
}

export interface Ratio {
  name: string;
  inflight: number;
  value: number;
}

export interface Target {
  name: string;
  want: string;
  value: string;
  met: boolean | null;
}

const at = (runs: RunResult[] | undefined, n: number) => runs?.find((r) => r.inflight === n);
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * relay/direct throughput, CPU per request and added latency, relay/peer throughput, and the same
 * against the floor (bench/floor.ts), at every level both have; and the floor against direct.
 */
export function ratios(runs: BenchResults['runs']): Ratio[] {
  const out: Ratio[] = [];
  for (const f of runs.floor ?? []) {
    const d = at(runs.direct, f.inflight);
    if (!d) continue;
    out.push({ name: 'floor/direct throughput', inflight: f.inflight, value: r2(f.rps / d.rps) });
    out.push({ name: 'floor/direct CPU per request', inflight: f.inflight, value: r2(f.cpuUsPerReq / d.cpuUsPerReq) });
    out.push({ name: 'floor added p50 latency (us)', inflight: f.inflight, value: Math.round(f.p50Us - d.p50Us) });
  }
  for (const relay of ['relay-tcp', 'relay-unix'] as const) {
    for (const r of runs[relay] ?? []) {
      const d = at(runs.direct, r.inflight);
      const p = at(runs.peer, r.inflight);
      const label = relay.slice(6);
      if (d) out.push({ name: `${label}/direct throughput`, inflight: r.inflight, value: r2(r.rps / d.rps) });
      if (d) out.push({ name: `${label}/direct CPU per request`, inflight: r.inflight, value: r2(r.cpuUsPerReq / d.cpuUsPerReq) });
      if (d) out.push({ name: `${label} added p50 latency (us)`, inflight: r.inflight, value: Math.round(r.p50Us - d.p50Us) });
      if (p) out.push({ name: `${label}/peer throughput`, inflight: r.inflight, value: r2(r.rps / p.rps) });
      const f = at(runs.floor, r.inflight);
      if (f) out.push({ name: `${label}/floor throughput`, inflight: r.inflight, value: r2(r.rps / f.rps) });
      if (f) out.push({ name: `${label}/floor CPU per request`, inflight: r.inflight, value: r2(r.cpuUsPerReq / f.cpuUsPerReq) });
    }
  }
  return out;
}

/** The targets, judged on the relay over TCP at the highest level measured (256 by default). */
export function targets(res: Pick<BenchResults, 'runs' | 'scale' | 'generator'>): Target[] {
  const levels = (res.runs['relay-tcp'] ?? []).map((r) => r.inflight);
  // With relay-tcp skipped nothing is judged on it; the labels still name the default levels.
  const top = levels.length > 0 ? Math.max(...levels) : 256;
  const low = levels.length > 0 ? Math.min(...levels) : 1;
  const tcp = res.runs['relay-tcp'];
  const direct = res.runs.direct;
  const peer = res.runs.peer;
  const out: Target[] = [];
  const judge = (name: string, want: string, value: number | null | undefined, ok: (v: number) => boolean, unit = '') =>
    out.push(value === null || value === undefined || Number.isNaN(value) ? { name, want, value: 'not measured', met: null } : { name, want, value: `${value}${unit}`, met: ok(value) });
  const t = at(tcp, top);
  const d = at(direct, top);
  judge(`relay/direct throughput, N=${top}`, '>= 0.9', t && d ? r2(t.rps / d.rps) : null, (v) => v >= 0.9);
  judge(`relay/direct CPU per request, N=${top}`, '<= 1.3', t && d ? r2(t.cpuUsPerReq / d.cpuUsPerReq) : null, (v) => v <= 1.3);
  const t1 = at(tcp, low);
  const d1 = at(direct, low);
  judge(`added latency p50, N=${low}`, '<= 50 us', t1 && d1 ? Math.round(t1.p50Us - d1.p50Us) : null, (v) => v <= 50, ' us');
  const p = at(peer, top);
  judge(`relay/peer throughput, N=${top}`, '>= 10', t && p ? r2(t.rps / p.rps) : null, (v) => v >= 10);
  const s = res.scale;
  judge(`peak RSS, ${s?.requests ?? 10000} in flight`, '< 256 MiB', s?.peakRssMiB, (v) => v < 256, ' MiB');
  const g = res.generator;
  const spec = g ? g.spec.split('/').pop() : 'api.github.com.json';
  judge(`relay-gen on ${spec}`, '< 3000 ms', g?.relayGenMs, (v) => v < 3000, ' ms');
  judge(`relay-run start-up, module of ${spec}`, '< 300 ms', g?.startupGeneratedMs, (v) => v < 300, ' ms');
  judge('relay-run start-up, Steam module', '< 300 ms', g?.startupSteamMs, (v) => v < 300, ' ms');
  return out;
}

/** Right-aligned columns under a header. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** Every table of a run, as printed. */
export function render(res: BenchResults): string {
  const m = res.machine;
  const parts: string[] = [`${m.nproc} x ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}, Linux ${m.kernel}; load average ${m.loadAverage1mAtStart} at start, ${m.loadAverage1mAtEnd} at end`];
  const rows: Array<Array<string | number>> = [];
  for (const s of SCENARIOS) {
    for (const r of res.runs[s] ?? []) {
      const reads = (r as RunResult & { readsPerReq?: number }).readsPerReq;
      rows.push([s, r.inflight, fmt(r.rps), fmt(r.p50Us), fmt(r.p99Us), fmt(r.cpuUsPerReq, 1), r.requests, r.errors, reads === undefined ? '' : fmt(reads, 2)]);
    }
  }
  parts.push(table(['scenario', 'N', 'req/s', 'p50 us', 'p99 us', 'CPU us/req', 'requests', 'errors', 'reads/req'], rows));
  parts.push(
    'CPU us/req: direct = the client process itself; floor = the minimal relay (bench/floor.ts); relay-* = the relay-run process; peer = the MCP server process.\n' +
      'reads/req: socket reads of the line client per request (2 = every dispatched and final line came in its own write).',
  );
  if (res.ratios.length > 0) parts.push(table(['ratio', 'N', 'value'], res.ratios.map((r) => [r.name, r.inflight, r.value])));
  if (res.scale) {
    const s = res.scale;
    parts.push(
      table(
        ['scale', 'value'],
        [
          ['requests in flight / client connections', `${s.requests} / ${s.connections}`],
          ['upstream delay; relay connectionsPerOrigin', `${s.upstreamDelayMs} ms; ${s.relayConnectionsPerOrigin}`],
          ['ok / errors', `${s.ok} / ${s.errors}`],
          ['elapsed', `${s.elapsedMs} ms`],
          ['relay RSS at start', `${fmt(s.rssAtStartMiB, 1)} MiB`],
          ['relay RSS with all in flight', s.rssAllInFlightMiB === null ? '-' : `${fmt(s.rssAllInFlightMiB, 1)} MiB`],
          ['relay peak RSS (VmHWM)', `${fmt(s.peakRssMiB, 1)} MiB`],
        ],
      ),
    );
  }
  if (res.generator) {
    const g = res.generator;
    const spec = g.spec.split('/').pop();
    parts.push(
      table(
        ['generator and start-up', 'value'],
        [
          [`relay-gen on ${spec}`, g.relayGenMs === null ? `FAILED: ${g.relayGenError}` : `${fmt(g.relayGenMs)} ms (${g.operations} operations, ${fmt((g.moduleBytes ?? 0) / 1048576, 1)} MiB module)`],
          [`relay-run start-up, module of ${spec}`, g.startupGeneratedMs === null ? `FAILED: ${g.startupGeneratedError}` : `${fmt(g.startupGeneratedMs)} ms (first start, empty cache: ${fmt(g.startupGeneratedFirstMs ?? NaN)} ms)`],
          ['relay-run start-up, Steam module', `${fmt(g.startupSteamMs)} ms (first start, empty cache: ${fmt(g.startupSteamFirstMs)} ms)`],
          ['node -e 0 / node --import tsx -e 0', `${fmt(g.nodeBareMs)} ms / ${fmt(g.nodeTsxMs)} ms`],
        ],
      ),
    );
  }
  parts.push(table(['target', 'want', 'measured', 'met'], res.targets.map((t) => [t.name, t.want, t.value, t.met === null ? '-' : t.met ? 'yes' : 'NO'])));
  return `${parts.join('\n\n')}\n`;
}
