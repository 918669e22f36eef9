/**
 * Generated TypeScript modules imported without tsx: the cache of their stripped JavaScript (keyed by
 * the source, never serving another source's code, passed over when unusable) and the JSON form of
 * relay-gen's tables.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { transform } from 'esbuild';
import { importTypeScript, moduleCacheDir, tableAsJson } from '../../runtime/ts-module.js';
import { ROOT } from '../support/relay-process.js';

let tmp: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'relay-ts-module-'));
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const moduleText = (value: string) => `export const api: { name: string } = { name: ${JSON.stringify(value)} };\nexport default api;\n`;

async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.mjs'));
}

test('writes the stripped JavaScript to the cache and reads it from there on the next import', async () => {
  const cache = path.join(tmp, 'cache-read');
  const file = path.join(tmp, 'read.ts');
  await writeFile(file, moduleText('first'));
  assert.equal(((await importTypeScript(file, cache)).api as { name: string }).name, 'first');
  const [entry] = await entries(cache);
  assert.ok(entry, 'an entry was written');
  // The next import must come from the entry: change what the entry says, not the source.
  await writeFile(path.join(cache, entry), 'export const api = { name: "from the cache" };\n');
  assert.equal(((await importTypeScript(file, cache)).api as { name: string }).name, 'from the cache');
});

test('a changed source is stripped again, never served from the entry of its old text', async () => {
  const cache = path.join(tmp, 'cache-change');
  const file = path.join(tmp, 'change.ts');
  await writeFile(file, moduleText('old'));
  await importTypeScript(file, cache);
  await writeFile(file, moduleText('new'));
  assert.equal(((await importTypeScript(file, cache)).api as { name: string }).name, 'new');
  assert.equal((await entries(cache)).length, 2);
});

test('a cache folder that cannot be created does not stop the import', async () => {
  const blocker = path.join(tmp, 'a-file');
  await writeFile(blocker, 'not a folder');
  const file = path.join(tmp, 'blocked.ts');
  await writeFile(file, moduleText('still loads'));
  assert.equal(((await importTypeScript(file, path.join(blocker, 'cache'))).api as { name: string }).name, 'still loads');
});

test('a cache folder other users can write to is neither read nor written', async () => {
  const cache = path.join(tmp, 'cache-shared');
  const file = path.join(tmp, 'shared.ts');
  await writeFile(file, moduleText('genuine'));
  await importTypeScript(file, cache);
  const [entry] = await entries(cache);
  await writeFile(path.join(cache, entry!), 'export const api = { name: "planted" };\n');
  await chmod(cache, 0o777);
  assert.equal(((await importTypeScript(file, cache)).api as { name: string }).name, 'genuine');
  await writeFile(file, moduleText('another'));
  await importTypeScript(file, cache);
  assert.equal((await entries(cache)).length, 1, 'nothing written to a shared folder');
});

test('an entry that fails to load is replaced by a fresh strip', async () => {
  const cache = path.join(tmp, 'cache-broken');
  const file = path.join(tmp, 'broken.ts');
  await writeFile(file, moduleText('repaired'));
  await importTypeScript(file, cache);
  const [entry] = await entries(cache);
  await writeFile(path.join(cache, entry!), 'export const api = {');
  assert.equal(((await importTypeScript(file, cache)).api as { name: string }).name, 'repaired');
  assert.match(await readFile(path.join(cache, entry!), 'utf8'), /repaired/);
});

test('the cache folder comes from RELAY_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache; empty RELAY_CACHE_DIR turns it off', () => {
  assert.equal(moduleCacheDir({ RELAY_CACHE_DIR: '/srv/cache', XDG_CACHE_HOME: '/x', HOME: '/home/u' }), '/srv/cache');
  assert.equal(moduleCacheDir({ RELAY_CACHE_DIR: '', HOME: '/home/u' }), null);
  assert.equal(moduleCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/home/u' }), path.join('/x', 'relay', 'modules'));
  assert.equal(moduleCacheDir({ HOME: '/home/u' }), path.join('/home/u', '.cache', 'relay', 'modules'));
  assert.equal(moduleCacheDir({}), null);
});

async function strip(ts: string): Promise<string> {
  return (await transform(ts, { loader: 'ts', format: 'esm', target: 'node20' })).code;
}

async function evaluate(js: string): Promise<Record<string, unknown>> {
  return (await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as Record<string, unknown>;
}

test("relay-gen's table is read with JSON.parse, to the same value and the same exports", async () => {
  const code = await strip(await readFile(path.join(ROOT, 'generated', 'steam.ts'), 'utf8'));
  const json = tableAsJson(code);
  assert.match(json, /^const api = JSON\.parse\(/);
  const [before, after] = [await evaluate(code), await evaluate(json)];
  assert.deepEqual(after.api, before.api);
  assert.equal(after.default, after.api);
  assert.deepEqual(Object.keys(after).sort(), Object.keys(before).sort());
});

for (const [name, ts] of [
  ['a __proto__ key', 'export const api = { "format": 1, "x": { "__proto__": { "a": 1 } } };\nexport default api;\n'],
  ['an escaped letter that could spell __proto__', 'export const api = { "format": 1, "x": { "\\u005f_proto__": { "a": 1 } } };\nexport default api;\n'],
  ['code that is not JSON', 'export const api = { format: 1, when: Date.now() };\nexport default api;\n'],
  ['other exports', 'export const api = { "format": 1 };\nexport const more = 2;\nexport default api;\n'],
] as const) {
  test(`a module with ${name} is kept as esbuild wrote it`, async () => {
    const code = await strip(ts);
    assert.equal(tableAsJson(code), code);
  });
}

test('a module with its own imports loads through tsx and writes no entry', async () => {
  const dir = path.join(tmp, 'with-imports');
  await mkdir(dir);
  await writeFile(path.join(dir, 'name.ts'), 'export const name: string = "imported";\n');
  const file = path.join(dir, 'table.ts');
  await writeFile(file, "import { name } from './name.ts';\nexport const api = { name };\nexport default api;\n");
  const cache = path.join(tmp, 'cache-imports');
  assert.equal(((await importTypeScript(file, cache)).api as { name: string }).name, 'imported');
  assert.deepEqual(await entries(cache).catch(() => []), []);
});
