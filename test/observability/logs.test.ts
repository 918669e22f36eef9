/**
 * End to end: what relay-run writes to stderr: JSON lines, one per completed request with its
 * connection, and the level and request lines chosen by config and flag (the flag wins).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FAKE_KEY, steamHandler } from '../support/fake-steam.js';
import { LineClient } from '../support/line-client.js';
import { logLines, type LogEntry } from '../support/log-lines.js';
import { startRelay } from '../support/relay-process.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

let tmp: string;
let upstream: Upstream;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-logs-'));
  upstream = await startUpstream(steamHandler);
});
after(async () => {
  await upstream.close();
  await rm(tmp, { recursive: true, force: true });
});

async function run(config: string, flags: string[], requests: object[]): Promise<LogEntry[]> {
  const file = path.join(tmp, `relay-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, config);
  const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', file, '--server', `steam=${upstream.url}`, ...flags, 'generated/steam.ts'], { TEST_STEAM_KEY: FAKE_KEY });
  try {
    const client = await LineClient.connect({ port: relay.port! });
    for (const request of requests) {
      client.send(request);
      await client.take(2);
    }
    client.close();
  } finally {
    assert.equal(await relay.stop(), 0);
  }
  const text = relay.stderr();
  assert.ok(!text.includes(FAKE_KEY), 'the key never reaches the logs');
  return logLines(text);
}

const CREDENTIALS = 'apis:\n  steam:\n    credentials:\n      steamApiKey: ${TEST_STEAM_KEY}\n';

test('writes a JSON line per completed request with id, connection, operation, status, time and attempts, secrets masked', async () => {
  const lines = await run(`${CREDENTIALS}log: { level: debug }\n`, [], [
    { request: 'steam.getNewsForApp', id: 1, params: { appid: 440 } },
    { request: 'steam.getPlayerSummaries', id: FAKE_KEY, params: { steamids: '76561197960435530' } },
  ]);
  assert.ok(lines.some((l) => l.level === 'info' && /^listening on tcp:\/\/127\.0\.0\.1:\d+; apis: steam/.test(l.msg)));
  assert.ok(lines.some((l) => l.level === 'debug' && /^connection 1 opened \(tcp from 127\.0\.0\.1:\d+\)$/.test(l.msg)));
  const requests = lines.filter((l) => l.msg === 'request');
  assert.equal(requests.length, 2);
  const [news, summaries] = requests;
  assert.deepEqual(
    { id: news!.id, connection: news!.connection, operation: news!.operation, ok: news!.ok, status: news!.status, error: news!.error, attempts: news!.attempts },
    { id: 1, connection: 1, operation: 'steam.getNewsForApp', ok: true, status: 200, error: null, attempts: 1 },
  );
  assert.equal(typeof news!.ms, 'number');
  assert.equal(summaries!.id, '***');
  assert.equal(summaries!.status, 200);
});

test('--log-level wins over log.level, and log.requests: false drops the request lines', async () => {
  const lines = await run(`${CREDENTIALS}log: { level: error, requests: false }\n`, ['--log-level', 'info'], [
    { request: 'steam.getNewsForApp', id: 1, params: { appid: 440 } },
  ]);
  assert.ok(lines.some((l) => l.msg.startsWith('listening on')));
  assert.ok(lines.some((l) => l.msg.startsWith('SIGTERM: stopping')));
  assert.equal(lines.filter((l) => l.msg === 'request').length, 0);
  assert.equal(lines.filter((l) => l.level === 'debug').length, 0);
});
