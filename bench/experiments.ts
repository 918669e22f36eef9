/**
 * Measure optimisation ideas without touching runtime/: each variant is a copy of runtime/ in a temp
 * folder with one patch applied (a literal find/replace that fails loudly once the source has moved on),
 * run through the bench's relay-tcp part with --relay-bin, rounds interleaved in rotating order so that drift
 * on a shared machine hits every variant alike; medians are reported. Usage: node --import tsx bench/experiments.ts [--rounds 3]
 * [--levels 1,256] [--duration 3000] [--only a,b] [--prepare DIR]. Writes bench/results/experiments.json.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { BENCH, ROOT } from './lib/paths.js';
import { table } from './lib/report.js';
import type { BenchResults } from './lib/report.js';
import type { RunResult } from './lib/drive.js';
import { timeRun } from './lib/processes.js';

interface Patch {
  file: string;
  /** Literal text, or a pattern for code whose details vary between versions of runtime/. */
  find: string | RegExp;
  replace: string;
}

interface Variant {
  name: string;
  what: string;
  patches: Patch[];
  /** Run compiled JavaScript (TypeScript's transpileModule) instead of the .ts sources through tsx. */
  compiled?: boolean;
}

const SERVER_WRITE = `    const write = (text: string) => {
      if (!socket.destroyed && socket.writable) socket.write(text);
    };`;

const CORK: Patch = {
  file: 'server.ts',
  find: SERVER_WRITE,
  replace: `    let corked = false;
    const uncork = () => {
      corked = false;
      socket.uncork();
    };
    const write = (text: string) => {
      if (socket.destroyed || !socket.writable) return;
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      socket.write(text);
    };`,
};

const BATCH: Patch = {
  file: 'server.ts',
  find: SERVER_WRITE,
  // One write per turn of the event loop: replies to every upstream response read in this turn go together.
  // (Not safe as is: socket.end() may come before the flush; the experiment never half-closes.)
  replace: `    let queued = '';
    const flush = () => {
      const text = queued;
      queued = '';
      if (!socket.destroyed && socket.writable) socket.write(text);
    };
    const write = (text: string) => {
      if (socket.destroyed || !socket.writable) return;
      if (queued === '') setImmediate(flush);
      queued += text;
    };`,
};

// The upper bound of "no parse and stringify": decode() hands the JSON body over unchecked (CR/LF made
// spaces) and responseLine() splices it in place of the stringified response, which is its last key.
const RAW_JSON: Patch[] = [
  {
    file: 'relay.ts',
    find: `      return JSON.parse(text);`,
    replace: `      return { __raw: text.replace(/[\\r\\n]/g, ' ') };`,
  },
  {
    file: 'protocol.ts',
    find: /(export function responseLine\([^)]*\): string \{\n)(  return `\$\{JSON\.stringify\((\{[^\n]*response \})\)\}\\n`;)/,
    replace: `$1  const raw = (response as { __raw?: unknown } | null)?.__raw;
  if (typeof raw === 'string') return \`\${JSON.stringify({ ...$3, response: 0 }).slice(0, -2)}\${raw}}\\n\`;
$2`,
  },
];

const PIPELINING: Patch = {
  file: 'dispatch.ts',
  find: `    keepAliveTimeout: 4_000,`,
  replace: `    keepAliveTimeout: 4_000,
    pipelining: 10,`,
};

const NAGLE: Patch = { file: 'server.ts', find: `    socket.setNoDelay(true);\n`, replace: '' };

const VARIANTS: Variant[] = [
  { name: 'baseline', what: 'runtime/ as it is (a copy, through tsx)', patches: [] },
  { name: 'cork', what: 'server.ts: cork the socket on the first write of a tick, uncork on the next tick', patches: [CORK] },
  { name: 'batch', what: 'server.ts: queue reply text, one socket.write per event-loop turn (setImmediate)', patches: [BATCH] },
  { name: 'raw-json', what: 'relay.ts: splice a JSON upstream body into the reply, no JSON.parse/stringify', patches: RAW_JSON },
  { name: 'pipelining', what: 'dispatch.ts: undici pipelining 10 per upstream connection', patches: [PIPELINING] },
  { name: 'compiled', what: 'runtime/ transpiled to .js by TypeScript, run without tsx', patches: [], compiled: true },
  { name: 'no-nodelay', what: 'server.ts without setNoDelay(true): Nagle on for reply lines', patches: [NAGLE] },
  { name: 'batch+compiled', what: 'batch + compiled', patches: [BATCH], compiled: true },
  { name: 'all', what: 'batch + raw-json + compiled', patches: [BATCH, ...RAW_JSON], compiled: true },
];

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    levels: { type: 'string', default: '1,256' },
    warmup: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '3000' },
    only: { type: 'string' },
    prepare: { type: 'string' },
  },
});
const only = flags.only ? new Set(flags.only.split(',')) : null;
const variants = VARIANTS.filter((v) => !only || only.has(v.name) || v.name === 'baseline');

const tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-exp-'));
await symlink(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
await writeFile(path.join(tmp, 'package.json'), await readFile(path.join(ROOT, 'package.json')));

/** Copy runtime/ to tmp/<variant>/runtime, apply the patches, compile when asked; returns the relay-run entry. */
async function prepare(v: Variant): Promise<string> {
  const dir = path.join(tmp, v.name, 'runtime');
  await mkdir(path.dirname(dir), { recursive: true });
  await cp(path.join(ROOT, 'runtime'), dir, { recursive: true });
  // package.json sits two levels up for version.ts: ../package.json from runtime/ of the variant.
  await writeFile(path.join(tmp, v.name, 'package.json'), await readFile(path.join(ROOT, 'package.json')));
  for (const p of v.patches) {
    const file = path.join(dir, p.file);
    const text = await readFile(file, 'utf8');
    const applies = typeof p.find === 'string' ? text.includes(p.find) : p.find.test(text);
    if (!applies) throw new Error(`variant ${v.name}: the patch no longer applies to runtime/${p.file} (its anchor text has changed)`);
    // A function replacement keeps `$` in the literal case literal.
    await writeFile(file, typeof p.find === 'string' ? text.replace(p.find, () => p.replace) : text.replace(p.find, p.replace));
  }
  if (v.compiled) {
    for (const f of (await readdir(dir)).filter((f) => f.endsWith('.ts'))) {
      const source = await readFile(path.join(dir, f), 'utf8');
      const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
      await writeFile(path.join(dir, f.replace(/\.ts$/, '.js')), outputText);
    }
    await writeFile(path.join(dir, 'relay-run.js'), `const { main } = await import('./cli.js');\nprocess.exitCode = await main(process.argv.slice(2), process.env);\n`);
  }
  return path.join(dir, 'relay-run.js');
}

async function bench(args: string[]): Promise<BenchResults> {
  const out = path.join(tmp, `r-${Date.now()}.json`);
  const run = await timeRun(['--import', 'tsx', path.join(BENCH, 'run.ts'), ...args, '--levels', flags.levels, '--warmup', flags.warmup, '--duration', flags.duration, '--out', out], 300_000);
  if (run.code !== 0) throw new Error(`bench ${args.join(' ')} failed:\n${run.output}`);
  return JSON.parse(await readFile(out, 'utf8')) as BenchResults;
}

const ONLY_TCP = ['--skip', 'direct,unix,peer,scale,generator'];
const entries = new Map<string, string>();
for (const v of variants) entries.set(v.name, await prepare(v));
if (flags.prepare !== undefined) {
  // --prepare DIR: keep the patched copies (e.g. to profile one with run.ts --relay-bin ... --profile) and stop.
  await cp(tmp, path.resolve(flags.prepare), { recursive: true, verbatimSymlinks: true });
  await rm(tmp, { recursive: true, force: true });
  for (const [name, entry] of entries) process.stdout.write(`${name}: ${path.join(path.resolve(flags.prepare), path.relative(tmp, entry))}\n`);
  process.exit(0);
}
const results = new Map<string, RunResult[][]>();
const directs: RunResult[][] = [];
const rounds = Number(flags.rounds);
for (let round = 1; round <= rounds; round++) {
  process.stderr.write(`experiments: round ${round}/${rounds}: direct\n`);
  directs.push((await bench(['--skip', 'tcp,unix,peer,scale,generator'])).runs.direct!);
  // Each round starts one variant further on (a Latin square), so that no variant always runs last.
  const order = variants.map((_, i) => variants[(i + round - 1) % variants.length]!);
  for (const v of order) {
    process.stderr.write(`experiments: round ${round}/${rounds}: ${v.name}\n`);
    const res = await bench([...ONLY_TCP, '--relay-bin', entries.get(v.name)!]);
    results.set(v.name, [...(results.get(v.name) ?? []), res.runs['relay-tcp']!]);
  }
}
await rm(tmp, { recursive: true, force: true });

/** The median of each figure over the rounds, per level (robust to a round that another process disturbed). */
const median = (per: RunResult[][]) =>
  per[0]!.map((_, i) => {
    const at = per.map((r) => r[i]!);
    const med = (f: (r: RunResult) => number) => {
      const xs = at.map(f).sort((a, b) => a - b);
      const mid = xs.length / 2;
      return Math.round(10 * (xs.length % 2 ? xs[Math.floor(mid)]! : (xs[mid - 1]! + xs[mid]!) / 2)) / 10;
    };
    return { inflight: at[0]!.inflight, rps: med((r) => r.rps), p50Us: med((r) => r.p50Us), p99Us: med((r) => r.p99Us), cpuUsPerReq: med((r) => r.cpuUsPerReq) };
  });
const direct = median(directs);
const base = median(results.get('baseline')!);
const rows: Array<Array<string | number>> = direct.map((d) => ['direct', d.inflight, d.rps, d.p50Us, d.cpuUsPerReq, '', '', '']);
const summary: Record<string, unknown> = { direct, variants: {} };
for (const v of variants) {
  const m = median(results.get(v.name)!);
  (summary.variants as Record<string, unknown>)[v.name] = { what: v.what, runs: m, rounds: results.get(v.name) };
  m.forEach((r, i) => {
    const b = base[i]!;
    const d = direct[i]!;
    rows.push([v.name, r.inflight, r.rps, r.p50Us, r.cpuUsPerReq, `${Math.round((100 * (b.cpuUsPerReq - r.cpuUsPerReq)) / b.cpuUsPerReq)}%`, (r.rps / d.rps).toFixed(2), (r.cpuUsPerReq / d.cpuUsPerReq).toFixed(2)]);
  });
}
process.stdout.write(`${table(['variant', 'N', 'req/s', 'p50 us', 'relay CPU us/req', 'CPU saved vs baseline', 'rps/direct', 'CPU/direct'], rows)}\n\n`);
process.stdout.write(`${variants.map((v) => `${v.name}: ${v.what}`).join('\n')}\n`);
process.stdout.write(`(medians of ${rounds} interleaved rounds; load average now ${os.loadavg()[0]!.toFixed(2)})\n`);
await mkdir(path.join(BENCH, 'results'), { recursive: true });
await writeFile(path.join(BENCH, 'results', 'experiments.json'), `${JSON.stringify({ date: new Date().toISOString(), rounds, levels: flags.levels, ...summary }, null, 2)}\n`);
