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

test('relay-run --list and relay-gen --help into a reader that has gone (`| head`) exit 0 quietly, without an EPIPE trace', async () => {
  const { spawn } = await import('node:child_process');
  const path = await import('node:path');
  const { ROOT } = await import('../support/relay-process.js');
  for (const args of [['runtime/relay-run.js', '--list', 'generated/steam.ts'], ['generator/relay-gen.js', '--help']]) {
    const child = spawn(process.execPath, [path.join(ROOT, args[0]!), ...args.slice(1)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader is gone before the bin writes a byte.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
    assert.doesNotMatch(stderr, /EPIPE/);
  }
});
