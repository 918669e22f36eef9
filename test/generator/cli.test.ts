/**
 * Tests of the relay-gen command: `node generator/relay-gen.js` as a child process, run from
 * the project root, checking exit codes, output files and messages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../generator/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INVALID = 'test/fixtures/generator/invalid-response.yaml';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run relay-gen from the project root; resolve with its exit code and output whatever the code. */
function relayGen(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['generator/relay-gen.js', ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const show = (r: Result) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

let tmp = '';
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-gen-cli-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh, empty out directory for one test. */
const outDir = () => mkdtemp(path.join(tmp, 'out-'));

// Each test has its own out directory, so they can run side by side.
describe('relay-gen', { concurrency: true }, () => {
  test('writes <out>/steam.ts and its catalog <out>/steam.md for specs/steam.yaml and exits 0', async () => {
    const out = await outDir();
    const r = await relayGen('--out', out, 'specs/steam.yaml');
    assert.equal(r.code, 0, show(r));
    assert.deepEqual((await readdir(out)).sort(), ['steam.md', 'steam.ts']);
    const written = await readFile(path.join(out, 'steam.ts'), 'utf8');
    const fresh = await generate('specs/steam.yaml', { outDir: out });
    assert.equal(written, fresh.text);
    assert.equal(await readFile(path.join(out, 'steam.md'), 'utf8'), fresh.catalog.text);
    assert.match(r.stderr, /wrote .*steam\.ts \(\d+ operations\)/);
  });

  test('creates a missing out directory', async () => {
    const out = path.join(await outDir(), 'a', 'b');
    const r = await relayGen('--out', out, 'specs/steam.yaml');
    assert.equal(r.code, 0, show(r));
    assert.deepEqual((await readdir(out)).sort(), ['steam.md', 'steam.ts']);
  });

  test('with --check, exits 0 when fresh and 1 naming the file when modified, without rewriting it', async () => {
    const out = await outDir();
    const file = path.join(out, 'steam.ts');
    assert.equal((await relayGen('--out', out, 'specs/steam.yaml')).code, 0);

    const fresh = await relayGen('--check', '--out', out, 'specs/steam.yaml');
    assert.equal(fresh.code, 0, show(fresh));

    const modified = `${await readFile(file, 'utf8')}// edited by hand\n`;
    await writeFile(file, modified);
    const stale = await relayGen('--check', '--out', out, 'specs/steam.yaml');
    assert.equal(stale.code, 1, show(stale));
    assert.match(stale.stderr, /steam\.ts is stale/);
    assert.equal(await readFile(file, 'utf8'), modified);
  });

  test('with --check, exits 1 naming the catalog when only the .md was edited', async () => {
    const out = await outDir();
    assert.equal((await relayGen('--out', out, 'specs/steam.yaml')).code, 0);
    const md = path.join(out, 'steam.md');
    await writeFile(md, `${await readFile(md, 'utf8')}edited by hand\n`);
    const stale = await relayGen('--check', '--out', out, 'specs/steam.yaml');
    assert.equal(stale.code, 1, show(stale));
    assert.match(stale.stderr, /steam\.md is stale/);
    assert.doesNotMatch(stale.stderr, /steam\.ts is/);
  });

  test('with --check, exits 1 naming a missing module and writes nothing', async () => {
    const out = await outDir();
    const r = await relayGen('--check', '--out', out, 'specs/steam.yaml');
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /steam\.ts is missing/);
    assert.deepEqual(await readdir(out), []);
  });

  test('exits 1 for an invalid spec, naming the file and the location on stderr', async () => {
    const out = await outDir();
    const r = await relayGen('--out', out, INVALID);
    assert.equal(r.code, 1, show(r));
    assert.ok(r.stderr.includes(`${INVALID}#/paths/~1pets/get/responses/200`), show(r));
    assert.deepEqual(await readdir(out), []);
  });

  test('still writes the valid specs when another one fails, and exits 1', async () => {
    const out = await outDir();
    const r = await relayGen('--out', out, INVALID, 'specs/steam.yaml');
    assert.equal(r.code, 1, show(r));
    assert.deepEqual((await readdir(out)).sort(), ['steam.md', 'steam.ts']);
  });

  test('exits 2 with usage when no spec is given', async () => {
    const r = await relayGen();
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /give at least one spec file/);
    assert.match(r.stderr, /Usage: relay-gen/);
  });

  test('exits 2 with usage for an unknown option', async () => {
    const r = await relayGen('--bogus', 'specs/steam.yaml');
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /bogus/);
    assert.match(r.stderr, /Usage: relay-gen/);
  });

  test('exits 2 when --name is not an identifier', async () => {
    const out = await outDir();
    const r = await relayGen('--name', '1-bad', '--out', out, 'specs/steam.yaml');
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /--name must be an identifier/);
    assert.deepEqual(await readdir(out), []);
  });

  test('exits 2 when --name is given with several specs', async () => {
    const r = await relayGen('--name', 'foo', 'specs/steam.yaml', INVALID);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /--name applies to a single spec/);
  });

  test('writes <name>.ts with that name in the table for --name', async () => {
    const out = await outDir();
    const r = await relayGen('--name', 'foo', '--out', out, 'specs/steam.yaml');
    assert.equal(r.code, 0, show(r));
    assert.deepEqual((await readdir(out)).sort(), ['foo.md', 'foo.ts']);
    assert.match(await readFile(path.join(out, 'foo.ts'), 'utf8'), /"name": "foo"/);
  });

  test('prints usage on stdout and exits 0 for --help', async () => {
    const r = await relayGen('--help');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Usage: relay-gen/);
    assert.equal(r.stderr, '');
  });

  test('prints a version and exits 0 for --version', async () => {
    const r = await relayGen('--version');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^\S+\n$/);
  });
});

describe('relay-gen --lenient', () => {
  test('generates from a spec that fails validation but dereferences, warning with the problem, and exits 0', async () => {
    const out = path.join(tmp, 'lenient');
    const r = await relayGen(INVALID, '--out', out, '--lenient');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stderr, /relay-gen: warning: spec is invalid, generated anyway \(--lenient\): Swagger schema validation failed\.\n.*invalid-response\.yaml#\/paths/);
    assert.match(r.stderr, /must have required property 'description'/);
    const files = await readdir(out);
    assert.deepEqual(files, ['invalidResponse.md', 'invalidResponse.ts']);
  });

  test('still fails, exit 1, on a spec that cannot be dereferenced', async () => {
    const spec = path.join(tmp, 'dangling.yaml');
    await writeFile(
      spec,
      "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /a:\n    get:\n      responses:\n        '200': { $ref: '#/components/responses/Missing' }\n",
    );
    const r = await relayGen(spec, '--out', path.join(tmp, 'dangling'), '--lenient');
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /cannot be dereferenced/);
  });
});
