/**
 * `relay-run --list`: prints the loaded operations and exits 0, without listening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRelay } from '../support/relay-process.js';

test('relay-run --list prints every loaded operation with method, path and summary, then the presets, and exits 0', async () => {
  const r = await runRelay(['--list', '--config', 'relay.config.example.yaml'], { STEAM_API_KEY: 'x' });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^REQUEST\s+METHOD\s+PATH\s+SUMMARY$/);
  assert.match(r.stdout, /^steam\.getNewsForApp\s+GET\s+\/ISteamNews\/GetNewsForApp\/v2\/\s+Get the latest news items for an app$/m);
  assert.equal(lines.filter((l) => l.startsWith('steam.')).length, 7);
  assert.match(r.stdout, /^hl2 -> steam\.getNewsForApp$/m);
  assert.doesNotMatch(r.stderr, /listening on/);
});
