/**
 * Smoke test of `npm run bench`: the whole bench with tiny counts, so that it cannot rot.
 * It checks what the bench prints and writes, never how fast anything was.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/relay-process.js';
import type { BenchResults } from '../../bench/lib/report.js';

let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-bench-test-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run('run.ts', args);
}

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** The data rows of the printed table whose header starts with `first`. */
function rowsOf(stdout: string, first: string): string[][] {
  const blocks = stdout.split('\n\n');
  const block = blocks.find((b) => b.startsWith(first));
  assert.ok(block, `no table headed ${first} in:\n${stdout}`);
  return block
    .split('\n')
    .slice(2)
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s{2,}/));
}

test('the bench with tiny counts prints every scenario, ratio and target, and writes the same as JSON', async () => {
  const out = path.join(tmp, 'results.json');
  const spec = path.join(ROOT, 'specs', 'steam.yaml');
  const res = await bench(['--quick', '--levels', '1,3', '--warmup', '100', '--duration', '250', '--scale-requests', '40', '--scale-connections', '4', '--scale-delay', '50', '--gen-spec', spec, '--out', out]);
  assert.equal(res.code, 0, `bench failed:\n${res.stderr}\n${res.stdout}`);

  const runs = rowsOf(res.stdout, 'scenario');
  const seen = runs.map((r) => `${r[0]} ${r[1]}`);
  for (const scenario of ['direct', 'floor', 'relay-tcp', 'relay-unix', 'peer']) {
    for (const n of ['1', '3']) assert.ok(seen.includes(`${scenario} ${n}`), `no row for ${scenario} N=${n}: ${seen.join(', ')}`);
  }
  for (const row of runs) {
    assert.ok(row.length >= 8, `row ${row.join(' | ')}`);
    assert.ok(Number(row[2]) > 0, `no throughput in ${row.join(' | ')}`);
    assert.equal(row[7], '0', `error replies in ${row.join(' | ')}`);
  }
  const ratios = rowsOf(res.stdout, 'ratio').map((r) => `${r[0]} ${r[1]}`);
  for (const name of ['tcp/direct throughput 3', 'tcp/direct CPU per request 3', 'unix/direct throughput 1', 'tcp/peer throughput 3', 'unix/peer throughput 1', 'floor/direct CPU per request 3', 'floor added p50 latency (us) 1', 'tcp/floor throughput 3', 'tcp/floor CPU per request 1']) {
    assert.ok(ratios.includes(name), `no ratio ${name}: ${ratios.join(', ')}`);
  }
  // --quick adds one round at the highest level to the main pass; the targets take the rounds' medians.
  const rounds = rowsOf(res.stdout, 'round (N=3)');
  assert.deepEqual(rounds.map((r) => r[0]), ['1', '2', 'median']);
  for (const row of rounds) assert.equal(row.length, 11, `round row ${row.join(' | ')}`);
  const scale = rowsOf(res.stdout, 'scale');
  assert.deepEqual(scale.find((r) => r[0] === 'ok / errors')?.[1], '40 / 0');
  assert.match(scale.find((r) => r[0] === 'relay peak RSS (VmHWM)')?.[1] ?? '', /^\d+(\.\d)? MiB$/);
  const gen = rowsOf(res.stdout, 'generator and start-up');
  assert.match(gen.find((r) => r[0] === 'relay-gen on steam.yaml')?.[1] ?? '', /^\d+ ms \(7 operations/);
  assert.match(gen.find((r) => r[0] === 'relay-run start-up, module of steam.yaml')?.[1] ?? '', /^\d+ ms \(first start, empty cache: \d+ ms\)$/);
  const targets = rowsOf(res.stdout, 'target');
  assert.equal(targets.length, 8, targets.map((t) => t.join(' | ')).join('\n'));
  for (const t of targets) assert.match(t.at(-1)!, /^(yes|NO)$/, `target not judged: ${t.join(' | ')}`);
  assert.match(targets.find((t) => t[0] === 'relay/direct CPU per request, N=3')?.[2] ?? '', /^[\d.]+ \(median of 2 rounds, [\d.]+-[\d.]+\)$/);

  const json = JSON.parse(await readFile(out, 'utf8')) as BenchResults;
  assert.deepEqual(Object.keys(json.runs).sort(), ['direct', 'floor', 'peer', 'relay-tcp', 'relay-unix']);
  assert.deepEqual(json.runs['relay-tcp']!.map((r) => r.inflight), [1, 3]);
  assert.ok(json.runs['relay-tcp']!.every((r) => r.requests > 0 && r.cpuUsPerReq > 0));
  assert.equal(json.scale?.ok, 40);
  assert.equal(json.generator?.operations, 7);
  assert.equal(json.targets.length, 8);
  assert.equal(json.rounds.length, 2);
  assert.deepEqual(json.rounds[0], { direct: json.runs.direct!.at(-1), floor: json.runs.floor!.at(-1), 'relay-tcp': json.runs['relay-tcp']!.at(-1) });
  assert.ok(json.rounds[1]!['relay-tcp'].requests > 0 && json.rounds[1]!.direct.inflight === 3);
  // The peer is generated at bench time and removed afterwards.
  assert.deepEqual((await readdir(path.join(ROOT, 'bench'))).filter((f) => f.startsWith('.peer-')), []);
});

test('compare.ts runs each variant in alternating rounds and prints medians and the per-round CPU ratio', async () => {
  const out = path.join(tmp, 'compare.json');
  const relayRun = path.join(ROOT, 'runtime', 'relay-run.js');
  const res = await run('compare.ts', ['--rounds', '2', '--levels', '2', '--warmup', '100', '--duration', '250', '--out', out, `a=${relayRun}`, `b=${relayRun}`]);
  assert.equal(res.code, 0, `compare failed:\n${res.stderr}\n${res.stdout}`);
  // Round 1 runs a then b; round 2 runs b then a.
  assert.deepEqual(res.stderr.match(/round \d\/2: \w+/g), ['round 1/2: a', 'round 1/2: b', 'round 2/2: b', 'round 2/2: a']);
  const variants = rowsOf(res.stdout.slice(res.stdout.indexOf('variant')), 'variant');
  assert.deepEqual(variants.map((r) => `${r[0]} ${r[1]}`), ['a 2', 'b 2']);
  for (const row of variants) assert.ok(Number(row[2]) > 0 && row[6]!.split(' ').length === 2, `row ${row.join(' | ')}`);
  const pairs = rowsOf(res.stdout.slice(res.stdout.indexOf('CPU per request')), 'CPU per request');
  assert.equal(pairs.length, 1);
  assert.deepEqual([pairs[0]![0], pairs[0]![1]], ['b / a', '2']);
  assert.match(pairs[0]![3]!, /^[0-2] of 2$/);
  const json = JSON.parse(await readFile(out, 'utf8')) as { rounds: number; summary: Record<string, { cpuPerRound?: number[] }> };
  assert.equal(json.rounds, 2);
  assert.equal(json.summary['a N=2']?.cpuPerRound?.length, 2);
});

test('the bench refuses an unknown part to skip and names the parts', async () => {
  const res = await bench(['--skip', 'nothing']);
  assert.notEqual(res.code, 0);
  assert.match(res.stderr, /unknown part nothing; parts are direct, floor, tcp, unix, peer, scale, generator/);
});

test('the bench records a relay-gen failure and its reason instead of a time', async () => {
  const out = path.join(tmp, 'failed-gen.json');
  const spec = path.join(ROOT, 'test', 'fixtures', 'generator', 'invalid-response.yaml');
  const res = await bench(['--quick', '--skip', 'direct,floor,tcp,unix,peer,scale', '--gen-spec', spec, '--out', out]);
  assert.equal(res.code, 0, `bench failed:\n${res.stderr}\n${res.stdout}`);
  const gen = rowsOf(res.stdout, 'generator and start-up');
  assert.match(gen.find((r) => r[0] === 'relay-gen on invalid-response.yaml')?.[1] ?? '', /^FAILED: exit 1: .*must have required property 'description'/);
  assert.match(gen.find((r) => r[0] === 'relay-run start-up, module of invalid-response.yaml')?.[1] ?? '', /^FAILED: no module/);
  const targets = rowsOf(res.stdout, 'target');
  assert.deepEqual(targets.find((t) => t[0] === 'relay-gen on invalid-response.yaml')?.slice(2), ['not measured', '-']);
  const json = JSON.parse(await readFile(out, 'utf8')) as BenchResults;
  assert.equal(json.generator?.relayGenMs, null);
  assert.match(json.generator?.relayGenError ?? '', /description/);
});
