/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): where the time goes, by self time per function,
 * per file and per area (relay's runtime, undici, Node's internals, GC, ...), and by inclusive time
 * per function. Usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP] [SKIP_MS]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './lib/report.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A short file name: `runtime/relay.ts`, `undici/lib/dispatcher/client-h1.js`, `node:net`. */
export function shortFile(url: string): string {
  if (url === '') return '(native)';
  // relay-run imports generated TypeScript modules as JavaScript from a data: URL (runtime/ts-module.ts).
  if (url.startsWith('data:')) return 'generated/(data: URL)';
  let p = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = p.lastIndexOf('/node_modules/');
  if (nm !== -1) return p.slice(nm + '/node_modules/'.length);
  const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
  if (p.startsWith(`${root}/`)) p = p.slice(root.length + 1);
  return p;
}

/** The area a file belongs to. */
export function area(file: string, fn: string): string {
  if (file === '(native)') {
    if (fn === '(garbage collector)' || fn === '(idle)' || fn === '(program)') return fn;
    // ajv compiles schemas into functions without a script URL.
    if (/^validate\d+$/.test(fn)) return 'ajv compiled validators';
    if (fn === 'writeUtf8String' || fn === 'writeLatin1String' || fn === 'writeBuffer' || fn === 'writev') return 'socket writes (native, incl. the write syscall)';
    return 'native (JSON, Buffer, ... builtins)';
  }
  // dist/ holds the compiled runtime and generator that the bins run.
  file = file.replace(/^dist\//, '');
  if (file.startsWith('runtime/')) return 'relay runtime/';
  if (file.startsWith('generated/')) return 'relay generated/';
  if (file.startsWith('generator/')) return 'relay generator/';
  if (file.startsWith('@apidevtools/')) return 'swagger-parser (@apidevtools)';
  if (file.startsWith('ajv/') || file.startsWith('ajv-formats/')) return 'ajv';
  if (file.startsWith('handlebars/')) return 'handlebars';
  if (file.startsWith('undici/')) return 'undici';
  if (file.startsWith('wasm://')) return 'undici (llhttp wasm)';
  if (file.startsWith('tsx/') || file.startsWith('esbuild/')) return 'tsx';
  if (file.startsWith('node:internal/streams') || file === 'node:stream') return 'node streams';
  if (file.startsWith('node:net') || file.startsWith('node:internal/stream_base') || file.startsWith('node:internal/net')) return 'node net';
  if (file.startsWith('node:internal/modules')) return 'node module loader (tsx hooks included)';
  if (file.startsWith('node:internal/process') || file.startsWith('node:internal/timers') || file === 'node:timers') return 'node event loop (ticks, timers)';
  if (file.startsWith('node:')) return 'node other';
  return 'other';
}

/** Self time per node id (ms), from the sample stream, leaving out the first `skipMs` (start-up). */
function selfTimes(profile: CpuProfile, skipMs: number): Map<number, number> {
  const self = new Map<number, number>();
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    at += ms;
    if (at < skipMs) continue;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + ms);
  }
  return self;
}

/**
 * The summary as text tables; percentages are of busy time (all samples but idle).
 * `skipMs` leaves out the profile's first milliseconds, e.g. start-up and warm-up.
 */
export function summarise(profile: CpuProfile, top = 25, skipMs = 0): string {
  const self = selfTimes(profile, skipMs);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${shortFile(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const fnSelf = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  const areaSelf = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const n of profile.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (ms === 0) continue;
    total += ms;
    const file = shortFile(n.callFrame.url);
    if (n.callFrame.functionName === '(idle)') idle += ms;
    const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + ms);
    add(fnSelf, key(n));
    add(fileSelf, file === '(native)' ? `(native) ${n.callFrame.functionName}` : file);
    add(areaSelf, area(file, n.callFrame.functionName));
  }
  // Inclusive time: a function's own samples and its callees', counted once per stack however deep it recurses.
  const fnTotal = new Map<string, number>();
  const active = new Map<string, number>();
  const subtree = (id: number): number => {
    const n = byId.get(id)!;
    const k = key(n);
    const outer = (active.get(k) ?? 0) === 0;
    active.set(k, (active.get(k) ?? 0) + 1);
    let ms = self.get(id) ?? 0;
    for (const c of n.children ?? []) ms += subtree(c);
    active.set(k, active.get(k)! - 1);
    if (outer) fnTotal.set(k, (fnTotal.get(k) ?? 0) + ms);
    return ms;
  };
  subtree(profile.nodes[0]!.id);
  const busy = total - idle;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1)}%`;
  const rows = (m: Map<string, number>, n: number, skipIdle = true) =>
    [...m]
      .filter(([k]) => !(skipIdle && k.startsWith('(idle)')))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, ms]) => [k, ms.toFixed(0), pct(ms)]);
  const wall = (profile.endTime - profile.startTime) / 1000;
  return [
    `profile: ${wall.toFixed(0)} ms wall, first ${skipMs.toFixed(0)} ms left out; then ${busy.toFixed(0)} ms busy, ${idle.toFixed(0)} ms idle; % of busy time`,
    table(['area (self time)', 'ms', '%'], rows(areaSelf, 20)),
    table(['file (self time)', 'ms', '%'], rows(fileSelf, top)),
    table(['function (self time)', 'ms', '%'], rows(fnSelf, top)),
    table(['function (inclusive time)', 'ms', '%'], rows(fnTotal, top).filter(([k]) => !/^\((root|program)\)/.test(String(k)))),
  ].join('\n\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP] [SKIP_MS]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${summarise(profile, Number(process.argv[3] ?? 25), Number(process.argv[4] ?? 0))}\n`);
}
