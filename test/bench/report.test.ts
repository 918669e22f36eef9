/**
 * Unit tests for bench/lib/report.ts: how rounds become the CPU and throughput targets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, render, targets, type BenchResults, type Round } from '../../bench/lib/report.js';
import type { RunResult } from '../../bench/lib/drive.js';

function run(rps: number, cpuUsPerReq: number, inflight = 256): RunResult {
  return { inflight, requests: rps * 3, errors: 0, windowMs: 3000, rps, p50Us: 1000, p99Us: 2000, cpuUsPerReq };
}

function round(direct: [number, number], floor: [number, number], tcp: [number, number]): Round {
  return { direct: run(...direct), floor: run(...floor), 'relay-tcp': run(...tcp) };
}

test('median takes the middle value, or the mean of the two middle ones', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

test('with several rounds the CPU and throughput targets are the medians of the per-round ratios', () => {
  // Ratios per round: CPU 2.0, 1.2, 1.25 (median 1.25); throughput 0.5, 0.8, 0.95 (median 0.8).
  const rounds = [round([10_000, 50], [9_000, 60], [5_000, 100]), round([10_000, 100], [9_000, 60], [8_000, 120]), round([10_000, 80], [9_000, 60], [9_500, 100])];
  const runs = { direct: [rounds[0]!.direct], floor: [rounds[0]!.floor], 'relay-tcp': [rounds[0]!['relay-tcp']] };
  const judged = targets({ runs, rounds, scale: null, generator: null });
  const cpu = judged.find((t) => t.name === 'relay/direct CPU per request, N=256')!;
  assert.equal(cpu.value, '1.25 (median of 3 rounds, 1.2-2)');
  assert.equal(cpu.met, true);
  const throughput = judged.find((t) => t.name === 'relay/direct throughput, N=256')!;
  assert.equal(throughput.value, '0.8 (median of 3 rounds, 0.5-0.95)');
  assert.equal(throughput.met, false);
  // One round (the main pass alone): the single window's ratio, as before rounds existed.
  const single = targets({ runs, rounds: rounds.slice(0, 1), scale: null, generator: null });
  assert.equal(single.find((t) => t.name === 'relay/direct CPU per request, N=256')!.value, '2');
});

test('the rounds table has a row per round and a median row', () => {
  const rounds = [round([10_000, 50], [9_000, 60], [5_000, 100]), round([12_000, 70], [9_000, 60], [9_000, 90])];
  const res: BenchResults = {
    date: '',
    command: '',
    machine: { nproc: 2, cpu: 'x', memGiB: 1, node: 'v20', kernel: 'k' },
    settings: {},
    runs: {},
    rounds,
    scale: null,
    generator: null,
    ratios: [],
    targets: [],
  };
  const block = render(res).split('\n\n').find((b) => b.startsWith('round (N=256)'))!;
  const rows = block.split('\n').slice(2).map((l) => l.trim().split(/\s{2,}/));
  assert.deepEqual(rows.map((r) => r[0]), ['1', '2', 'median']);
  // direct req/s median 11000; tcp/direct CPU per round 2.00 and 1.29, median 1.64.
  assert.equal(rows[2]![1], '11000');
  assert.equal(rows[2]![8], '1.64');
});
