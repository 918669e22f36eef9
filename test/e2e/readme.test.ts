/**
 * The README's nc session, replayed against the fake Steam server: the README stays true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { steamHandler } from '../support/fake-steam.js';
import { LineClient } from '../support/line-client.js';
import { ROOT, startRelay } from '../support/relay-process.js';
import { startUpstream } from '../support/upstream.js';

/** The session block: the fenced block that starts with `$ nc 127.0.0.1 9876`. */
async function readmeSession(): Promise<Array<{ request: string; replies: string[] }>> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```\n\$ nc 127\.0\.0\.1 9876\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a session block starting with "$ nc 127.0.0.1 9876"');
  const steps: Array<{ request: string; replies: string[] }> = [];
  for (const line of block[1]!.split('\n').filter(Boolean)) {
    if (line.startsWith('{"request"')) steps.push({ request: line, replies: [] });
    else steps.at(-1)!.replies.push(line);
  }
  return steps;
}

test("the README's nc session behaves exactly as written (but for time)", async (t) => {
  const steps = await readmeSession();
  assert.ok(steps.length >= 3);
  const upstream = await startUpstream(steamHandler);
  t.after(() => upstream.close());
  const relay = await startRelay(['--config', 'relay.config.example.yaml', '--tcp', '127.0.0.1:0', '--server', `steam=${upstream.url}`], {
    STEAM_API_KEY: '',
  });
  t.after(() => relay.stop());
  const client = await LineClient.connect({ port: relay.port! });
  t.after(() => client.close());
  for (const step of steps) {
    client.send(step.request);
    for (const written of step.replies) {
      const want = JSON.parse(written) as Record<string, unknown>;
      const got = JSON.parse(await client.nextRaw()) as Record<string, unknown>;
      if ('time' in want) {
        assert.equal(typeof got.time, 'number', `${step.request} -> time`);
        want.time = got.time;
      }
      assert.deepEqual(got, want, step.request);
      assert.deepEqual(Object.keys(got), Object.keys(want), 'fields in the order the README shows');
    }
  }
});
