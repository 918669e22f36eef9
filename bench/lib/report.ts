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

/** The scenarios measured again in each round at the highest level: the ones the CPU and throughput targets compare. */
export type RoundPart = 'direct' | 'floor' | 'relay-tcp';
export const ROUND_PARTS: RoundPart[] = ['direct', 'floor', 'relay-tcp'];
/** One round: each part measured once, one after another, at the highest level. */
export type Round = Record<RoundPart, RunResult>;

export interface BenchResults {
  date: string;
  command: string;
  machine: { nproc: number; cpu: string; memGiB: number; node: string; kernel: string; loadAverage1mAtStart?: number; loadAverage1mAtEnd?: number };
  settings: Record<string, unknown>;
  runs: Partial<Record<Scenario, RunResult[]>>;
  /**
   * The main pass at the highest level, then each extra round (`--rounds`). Empty when a part was skipped
   * or no extra round was asked for. The CPU and throughput targets take the median of the rounds' ratios.
   */
  rounds: Round[];
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

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each round's ratios of relay over TCP to direct and to the floor. */
export function roundRatios(round: Round): { throughput: number; cpu: number; floorThroughput: number; floorCpu: number } {
  const { direct: d, floor: f, 'relay-tcp': t } = round;
  return { throughput: t.rps / d.rps, cpu: t.cpuUsPerReq / d.cpuUsPerReq, floorThroughput: t.rps / f.rps, floorCpu: t.cpuUsPerReq / f.cpuUsPerReq };
}

/**
 * The issue's targets, judged on the relay over TCP at the highest level measured (256 by default).
 * With two rounds or more, throughput and CPU against direct are the medians of the rounds' ratios:
 * on a 2-core machine one window can be off by a factor of 2 (docs/performance.md).
 */
export function targets(res: Pick<BenchResults, 'runs' | 'scale' | 'generator' | 'rounds'>): Target[] {
  const levels = (res.runs['relay-tcp'] ?? []).map((r) => r.inflight);
  // With relay-tcp skipped nothing is judged on it; the labels still name the default levels.
  const top = levels.length > 0 ? Math.max(...levels) : 256;
  const low = levels.length > 0 ? Math.min(...levels) : 1;
  const tcp = res.runs['relay-tcp'];
  const direct = res.runs.direct;
  const peer = res.runs.peer;
  const out: Target[] = [];
  const judge = (name: string, want: string, value: number | null | undefined, ok: (v: number) => boolean, unit = '', note = '') =>
    out.push(value === null || value === undefined || Number.isNaN(value) ? { name, want, value: 'not measured', met: null } : { name, want, value: `${value}${unit}${note}`, met: ok(value) });
  const t = at(tcp, top);
  const d = at(direct, top);
  const rounds = res.rounds.map(roundRatios);
  const overRounds = (pick: (r: ReturnType<typeof roundRatios>) => number): [number, string] => {
    const values = rounds.map(pick);
    return [r2(median(values)), ` (median of ${values.length} rounds, ${r2(Math.min(...values))}-${r2(Math.max(...values))})`];
  };
  if (rounds.length >= 2) {
    const [throughput, throughputNote] = overRounds((r) => r.throughput);
    const [cpu, cpuNote] = overRounds((r) => r.cpu);
    judge(`relay/direct throughput, N=${top}`, '>= 0.9', throughput, (v) => v >= 0.9, '', throughputNote);
    judge(`relay/direct CPU per request, N=${top}`, '<= 1.3', cpu, (v) => v <= 1.3, '', cpuNote);
  } else {
    judge(`relay/direct throughput, N=${top}`, '>= 0.9', t && d ? r2(t.rps / d.rps) : null, (v) => v >= 0.9);
    judge(`relay/direct CPU per request, N=${top}`, '<= 1.3', t && d ? r2(t.cpuUsPerReq / d.cpuUsPerReq) : null, (v) => v <= 1.3);
  }
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
  if (res.rounds.length > 0) parts.push(renderRounds(res.rounds));
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

/** One row per round (req/s and CPU us/req of each part, relay's ratios), then the medians. */
function renderRounds(rounds: Round[]): string {
  const row = (label: string, values: number[]) => [label, ...values.map((v, i) => (i < 3 ? fmt(v) : i < 6 ? fmt(v, 1) : fmt(v, 2)))];
  const columns = rounds.map((round) => {
    const r = roundRatios(round);
    const parts = ROUND_PARTS.map((p) => round[p]);
    return [...parts.map((p) => p.rps), ...parts.map((p) => p.cpuUsPerReq), r.throughput, r.cpu, r.floorThroughput, r.floorCpu];
  });
  const medians = columns[0]!.map((_, i) => median(columns.map((c) => c[i]!)));
  const n = rounds[0]!.direct.inflight;
  return table(
    [`round (N=${n})`, 'direct req/s', 'floor req/s', 'tcp req/s', 'direct CPU', 'floor CPU', 'tcp CPU', 'tcp/direct req/s', 'tcp/direct CPU', 'tcp/floor req/s', 'tcp/floor CPU'],
    [...columns.map((c, i) => row(String(i + 1), c)), row('median', medians)],
  );
}
