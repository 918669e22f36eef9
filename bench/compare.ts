/**
 * Compare relay-run builds in alternating rounds: the way to tell a change of a few per cent from a
 * 2-core machine's drift (docs/performance.md, round three). Each round runs the bench's relay-tcp part
 * once per variant (and direct and the floor with --with), the order reversed every other round
 * (ABBA), so that drift and position hit every variant alike. Prints the medians per variant and, for
 * each variant against the first, the median of the per-round CPU ratios and how many rounds it was
 * lower in. Writes bench/results/compare.json unless --out.
 *
 *   node --import tsx bench/compare.ts [--rounds 6] [--levels 256] [--with direct,floor] NAME=RELAY_BIN...
 *
 * A variant is any relay-run entry: another worktree's `runtime/relay-run.js` (built with `npm run
 * build`, or it falls back to tsx), or a small wrapper script, e.g. one that sets process.env or appends
 * `--config FILE` to process.argv before importing runtime/relay-run.js (the last --config wins).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunResult } from './lib/drive.js';
import { BENCH } from './lib/paths.js';
import { timeRun } from './lib/processes.js';
import { median, table, type BenchResults } from './lib/report.js';

const USAGE = 'Usage: node --import tsx bench/compare.ts [--rounds N] [--levels LIST] [--warmup MS] [--duration MS] [--with direct,floor] [--out FILE] NAME=RELAY_BIN NAME=RELAY_BIN...';

const { values: flags, positionals } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    levels: { type: 'string', default: '256' },
    warmup: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '3000' },
    with: { type: 'string', default: '' },
    out: { type: 'string', default: path.join(BENCH, 'results', 'compare.json') },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
if (flags.help || positionals.length === 0) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(flags.help ? 0 : 2);
}
const variants = positionals.map((spec) => {
  const at = spec.indexOf('=');
  if (at <= 0) throw new Error(`compare: ${spec} is not NAME=RELAY_BIN`);
  return { name: spec.slice(0, at), bin: path.resolve(spec.slice(at + 1)) };
});
if (new Set(variants.map((v) => v.name)).size !== variants.length) throw new Error('compare: variant names must differ');
const rounds = Number(flags.rounds);
const extra = flags.with.split(',').filter(Boolean);
for (const part of extra) if (part !== 'direct' && part !== 'floor') throw new Error(`compare: --with takes direct and floor, not ${part}`);

const tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-compare-'));
const ALL_PARTS = ['direct', 'floor', 'tcp', 'unix', 'peer', 'scale', 'generator'];

/** One run of bench/run.ts with only `parts`; its results. */
async function bench(parts: string[], relayBin?: string): Promise<BenchResults> {
  const out = path.join(tmp, `r-${Date.now()}.json`);
  const skip = ALL_PARTS.filter((p) => !parts.includes(p)).join(',');
  const args = [path.join(BENCH, 'run.ts'), '--skip', skip, '--rounds', '0', '--levels', flags.levels, '--warmup', flags.warmup, '--duration', flags.duration, '--out', out];
  const run = await timeRun(['--import', 'tsx', ...args, ...(relayBin ? ['--relay-bin', relayBin] : [])], 300_000);
  if (run.code !== 0) throw new Error(`bench ${parts.join(',')} ${relayBin ?? ''} failed:\n${run.output}`);
  return JSON.parse(await readFile(out, 'utf8')) as BenchResults;
}

/** Per round: each variant's relay-tcp runs (one per level), and direct's and the floor's when asked for. */
const perRound: Array<Record<string, RunResult[]>> = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const results: Record<string, RunResult[]> = {};
    if (extra.length > 0) {
      process.stderr.write(`compare: round ${round}/${rounds}: ${extra.join(', ')}\n`);
      const res = await bench(extra);
      for (const part of extra) results[part] = res.runs[part as 'direct' | 'floor']!;
    }
    const order = round % 2 === 1 ? variants : [...variants].reverse();
    for (const v of order) {
      process.stderr.write(`compare: round ${round}/${rounds}: ${v.name}\n`);
      results[v.name] = (await bench(['tcp'], v.bin)).runs['relay-tcp']!;
    }
    perRound.push(results);
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}

const levels = perRound[0]![variants[0]!.name]!.map((r) => r.inflight);
const rows: Array<Array<string | number>> = [];
const summary: Record<string, unknown> = {};
for (const name of [...extra, ...variants.map((v) => v.name)]) {
  for (const [i, n] of levels.entries()) {
    const runs = perRound.map((r) => r[name]![i]!);
    const med = (f: (r: RunResult) => number) => Math.round(10 * median(runs.map(f))) / 10;
    const row = { rps: med((r) => r.rps), p50Us: med((r) => r.p50Us), p99Us: med((r) => r.p99Us), cpuUsPerReq: med((r) => r.cpuUsPerReq) };
    summary[`${name} N=${n}`] = { ...row, cpuPerRound: runs.map((r) => r.cpuUsPerReq) };
    rows.push([name, n, row.rps, row.p50Us, row.p99Us, row.cpuUsPerReq, runs.map((r) => Math.round(r.cpuUsPerReq)).join(' ')]);
  }
}
const pairs: Array<Array<string | number>> = [];
const first = variants[0]!.name;
for (const v of variants.slice(1)) {
  for (const [i, n] of levels.entries()) {
    const ratios = perRound.map((r) => r[v.name]![i]!.cpuUsPerReq / r[first]![i]!.cpuUsPerReq);
    const lower = ratios.filter((x) => x < 1).length;
    pairs.push([`${v.name} / ${first}`, n, (Math.round(100 * median(ratios)) / 100).toFixed(2), `${lower} of ${rounds}`]);
    summary[`${v.name}/${first} N=${n}`] = { cpuRatioMedian: median(ratios), lowerIn: lower, rounds };
  }
}
process.stdout.write(
  `${rounds} rounds, order alternating; load average ${os.loadavg()[0]!.toFixed(2)} at the end\n\n` +
    `${table(['variant', 'N', 'req/s', 'p50 us', 'p99 us', 'CPU us/req', 'CPU us/req per round'], rows)}\n\n` +
    (pairs.length > 0 ? `${table(['CPU per request', 'N', 'median of per-round ratios', 'lower in'], pairs)}\n` : ''),
);
await mkdir(path.dirname(path.resolve(flags.out)), { recursive: true });
await writeFile(path.resolve(flags.out), `${JSON.stringify({ date: new Date().toISOString(), rounds, levels, variants, summary }, null, 2)}\n`);
