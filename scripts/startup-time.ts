/**
 * relay-run's start-up, measured many times: spawn to the `listening on` line, and the CPU time
 * (user+sys) relay-run had used by then, for several variants in interleaved rounds (the order
 * reverses every round), with `node -e` as the floor. Prints medians and quartiles and the load average.
 *   node --import tsx scripts/startup-time.ts [--rounds N] [--env LABEL:NAME=VALUE]... LABEL=BIN[,MODULE...]...
 *   e.g. ... --env nocache:RELAY_CACHE_DIR= cached=runtime/relay-run.js,generated/steam.ts nocache=runtime/relay-run.js,generated/steam.ts
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';

interface Variant {
  label: string;
  argv: string[];
  env: Record<string, string>;
  wall: number[];
  cpu: number[];
}

const { values, positionals } = parseArgs({
  options: { rounds: { type: 'string', default: '15' }, env: { type: 'string', multiple: true, default: [] } },
  allowPositionals: true,
});
const rounds = Number(values.rounds);
const TICKS_PER_SECOND = 100;
const FLOOR = ['-e', 'process.stderr.write("listening on\\n"); setInterval(() => {}, 1000)'];

const variants: Variant[] = [{ label: 'node -e', argv: FLOOR, env: {}, wall: [], cpu: [] }];
for (const spec of positionals) {
  const [label, command = ''] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)];
  const [bin, ...modules] = command.split(',');
  const env: Record<string, string> = {};
  for (const item of values.env) {
    const [of, pair] = [item.slice(0, item.indexOf(':')), item.slice(item.indexOf(':') + 1)];
    if (of === label) env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
  }
  variants.push({ label, argv: [bin!, '--tcp', '127.0.0.1:0', ...modules], env, wall: [], cpu: [] });
}

/** user+sys of a live process, in ms (fields 14 and 15 of /proc/PID/stat). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function once(v: Variant): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, v.argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...v.env } });
    let stderr = '';
    let listening = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (listening || !stderr.includes('listening on')) return;
      listening = true;
      v.wall.push(Number(process.hrtime.bigint() - start) / 1e6);
      v.cpu.push(cpuMs(child.pid!));
      child.kill('SIGKILL');
    });
    child.once('exit', (code) => (listening ? resolve() : reject(new Error(`${v.label}: exit ${code} before listening: ${stderr}`))));
  });
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;
const load = os.loadavg()[0]!;
for (let round = 0; round < rounds; round++) {
  for (const v of round % 2 === 0 ? variants : [...variants].reverse()) await once(v);
}
console.log(`${rounds} rounds, load average ${load.toFixed(2)} -> ${os.loadavg()[0]!.toFixed(2)}`);
console.log('variant           wall ms: median (p25-p75)   CPU ms: median (p25-p75)');
for (const v of variants) {
  const wall = `${quantile(v.wall, 0.5).toFixed(0)} (${quantile(v.wall, 0.25).toFixed(0)}-${quantile(v.wall, 0.75).toFixed(0)})`;
  const cpu = `${quantile(v.cpu, 0.5).toFixed(0)} (${quantile(v.cpu, 0.25).toFixed(0)}-${quantile(v.cpu, 0.75).toFixed(0)})`;
  console.log(`${v.label.padEnd(16)}  ${wall.padEnd(25)}  ${cpu}`);
}
