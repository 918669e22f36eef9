import fc from 'fast-check';
import { writeFile } from 'node:fs/promises';
import { batchArbitrary, checkReplies, exchange, expectedReplies, FUZZ_MAX_LINE_BYTES } from './test/support/fuzz-lines.js';
import { startGatedUpstream } from './test/support/gated-upstream.js';
import { startRelay } from './test/support/relay-process.js';
const upstream = await startGatedUpstream();
await writeFile('/tmp/scratch/fuzz.yaml', `limits:\n  maxLineBytes: ${FUZZ_MAX_LINE_BYTES}\n`);
const relay = await startRelay(['--tcp', '127.0.0.1:0', '--config', '/tmp/scratch/fuzz.yaml', '--server', `steam=${upstream.url}`]);
try {
  await fc.assert(fc.asyncProperty(batchArbitrary(1, 140), async (batch) => {
    const replies = await exchange({ port: relay.port! }, batch);
    const p = checkReplies(replies, expectedReplies(batch.bytes));
    if (p.length) { await writeFile('/tmp/scratch/fail.bin', batch.bytes); await writeFile('/tmp/scratch/fail.txt', JSON.stringify({ chunks: batch.chunks, replies, p }, null, 1)); }
    if (p.length) throw new Error(p.join('; '));
  }), { numRuns: 2000 });
  console.log('no failure');
} catch (e) { console.log(String(e).slice(0, 3000)); }
await relay.stop(); await upstream.close();
