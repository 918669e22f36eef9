/**
 * Property-based fuzzing of the line protocol (fast-check): arbitraries for hostile and valid lines,
 * a client that writes a batch in random chunks and half-closes, and the check that every complete
 * line got exactly one reply (a dispatched request: one `dispatched` and one final). Shared by
 * test/connections/fuzz.test.ts and bench/soak.ts.
 */
import fc from 'fast-check';
import net from 'node:net';

/** The relay's `limits.maxLineBytes` for fuzzing: small, so that over-long lines are cheap to make. */
export const FUZZ_MAX_LINE_BYTES = 4096;

const requestId = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }).map((s) => `r${s}`));
const json = fc.jsonValue({ maxDepth: 4 });

/** One line's content (no line ending), as bytes. */
export const lineArbitrary: fc.Arbitrary<Buffer> = fc.oneof(
  // random bytes (which may hold newlines, and so several lines, and invalid UTF-8)
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
  // any JSON value
  json.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  // deep nesting, balanced or not, arrays or objects
  fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.boolean(), fc.boolean()).map(([n, arrays, balanced]) =>
    Buffer.from(arrays ? `${'['.repeat(n)}${balanced ? ']'.repeat(n) : ''}` : `${'{"a":'.repeat(n)}1${balanced ? '}'.repeat(n) : ''}`),
  ),
  // huge and odd numbers as ids and params
  fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '0.0000000000000000000001', '-0', '1.5e-400', `9${'9'.repeat(400)}`).map(
    (n) => Buffer.from(`{"request":"getNewsForApp","id":${n},"params":{"appid":${n}}}`),
  ),
  // wrong types in every field
  fc
    .record(
      {
        request: fc.oneof(json, fc.constantFrom('getAppList', 'getNewsForApp', 'steam.getAppList')),
        id: fc.oneof(json.map((v) => (typeof v === 'string' && v.startsWith('x') ? `r${v}` : v)), requestId),
        params: json,
        data: json,
        extra: json,
      },
      { requiredKeys: [] },
    )
    .map((v) => Buffer.from(JSON.stringify(v))),
  // valid requests, some with bad params
  fc
    .tuple(requestId, fc.constantFrom('getAppList', 'getNewsForApp', 'steam.getNumberOfCurrentPlayers'), fc.option(fc.record({ appid: fc.integer({ min: 0, max: 1000 }), count: fc.integer({ min: 0, max: 3 }) })))
    .map(([id, request, params]) => Buffer.from(JSON.stringify(params === null ? { request, id } : { request, id, params }))),
  // control lines; a cancel that hit an in-flight request would have no reply of its own, so cancel
  // ids start with "x" (no request id does) or are not ids at all
  fc
    .oneof(
      fc.string({ maxLength: 8 }).map((s) => ({ cancel: `x${s}` })),
      fc.record({ cancel: json.filter((v) => typeof v !== 'number' && typeof v !== 'string') }),
      fc.record({ auth: fc.oneof(fc.string(), json) }),
    )
    .map((v) => Buffer.from(JSON.stringify(v))),
  // blank lines and lines too long
  fc.constantFrom(' ', '\t', '  \t ', '').map((s) => Buffer.from(s)),
  fc.integer({ min: FUZZ_MAX_LINE_BYTES + 1, max: FUZZ_MAX_LINE_BYTES * 3 }).map((n) => Buffer.alloc(n, 'x')),
);

export interface Batch {
  bytes: Buffer;
  /** Sizes of the writes the bytes are cut into (used in turn). */
  chunks: number[];
  lines: number;
}

/** A batch of lines with mixed line endings (the last one sometimes without), cut into random writes. */
export function batchArbitrary(minLines: number, maxLines: number): fc.Arbitrary<Batch> {
  const ending = fc.constantFrom('\n', '\r\n', '\r\r\n', '\n\n');
  return fc
    .record({
      lines: fc.array(fc.tuple(lineArbitrary, ending), { minLength: minLines, maxLength: maxLines }),
      lastEnded: fc.boolean(),
      chunks: fc.array(fc.integer({ min: 1, max: 8192 }), { minLength: 1, maxLength: 20 }),
    })
    .map(({ lines, lastEnded, chunks }) => {
      const parts = lines.flatMap(([line, end], i) => (i === lines.length - 1 && !lastEnded ? [line] : [line, Buffer.from(end)]));
      return { bytes: Buffer.concat(parts), chunks, lines: lines.length };
    });
}

/**
 * How many lines in `bytes` must get a reply, by the rules of docs/protocol.md: lines end at `\n`
 * (one `\r` before it dropped), a last line without `\n` counts at half-close, whitespace-only lines are
 * ignored, over-long lines get one LINE_TOO_LONG.
 */
export function expectedReplies(bytes: Buffer, maxLineBytes = FUZZ_MAX_LINE_BYTES): number {
  let count = 0;
  let start = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    let end = nl === -1 ? bytes.length : nl;
    if (end > start && bytes[end - 1] === 0x0d) end--;
    if (end - start > maxLineBytes) count++;
    else if (bytes.toString('utf8', start, end).trim() !== '') count++;
    if (nl === -1) break;
    start = nl + 1;
  }
  return count;
}

/** Write `batch` in its chunks, half-close, and collect every reply line until relay closes. */
export function exchange(target: { port: number } | { path: string }, batch: Batch, timeoutMs = 30_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in target ? net.connect(target.path) : net.connect(target.port, '127.0.0.1');
    const lines: string[] = [];
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`relay did not close the connection within ${timeoutMs} ms (${lines.length} replies)`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      buffer += text;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (buffer !== '') lines.push(buffer);
      resolve(lines);
    });
    socket.once('connect', async () => {
      let offset = 0;
      for (let i = 0; offset < batch.bytes.length; i++) {
        const size = batch.chunks[i % batch.chunks.length]!;
        socket.write(batch.bytes.subarray(offset, offset + size));
        offset += size;
        if (i % 4 === 3) await new Promise((r) => setImmediate(r));
      }
      socket.end();
    });
  });
}

/** Problems with `replies` for a batch that needed `expected` replies; empty when all is well. */
export function checkReplies(replies: string[], expected: number): string[] {
  const problems: string[] = [];
  const perId = new Map<string, { dispatched: number; finals: number }>();
  let answers = 0;
  for (const raw of replies) {
    let reply: { status?: unknown; id?: unknown; time?: unknown };
    try {
      reply = JSON.parse(raw) as typeof reply;
    } catch {
      problems.push(`reply is not JSON: ${raw.slice(0, 200)}`);
      continue;
    }
    if (!['dispatched', 'ok', 'error', 'authenticated'].includes(String(reply.status))) problems.push(`odd status: ${raw.slice(0, 200)}`);
    const key = JSON.stringify(reply.id);
    const entry = perId.get(key) ?? { dispatched: 0, finals: 0 };
    if (reply.status === 'dispatched') entry.dispatched++;
    else {
      answers++;
      if ('time' in reply) entry.finals++;
    }
    perId.set(key, entry);
  }
  if (answers !== expected) problems.push(`${expected} lines needed a reply, ${answers} replies came`);
  for (const [id, { dispatched, finals }] of perId) {
    if (dispatched !== finals) problems.push(`id ${id}: ${dispatched} dispatched, ${finals} final replies`);
  }
  return problems;
}
