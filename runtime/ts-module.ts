/**
 * Importing a generated module written in TypeScript without running relay through tsx: esbuild
 * strips the types (about 0.25 s for GitHub's 6 MB module, against seconds in tsx's loader thread)
 * and the JavaScript is imported from a `data:` URL, and kept in a cache folder keyed by the source's
 * hash, so that later starts import it from there without esbuild. A module with imports of its own
 * cannot load from a `data:` URL or the cache, so it goes through tsx, as does everything when
 * esbuild is not installed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * An import or re-export statement (esbuild prints each at the start of a line) or a dynamic import in
 * the stripped code: relative specifiers need a file URL. A false match only costs the slower path.
 */
const HAS_IMPORTS = /^(import\b|export\s*(\*|\{[^}]*\}\s*from))|\bimport\s*\(/m;

/** Part of every cache key: change it whenever what is cached for a given source changes. */
const CACHE_FORMAT = 'relay ts-module 1';
/** Entries older than this are removed whenever a new one is written. */
const CACHE_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Where stripped modules are kept: `RELAY_CACHE_DIR` (empty: no cache), else `relay/modules` in
 * `XDG_CACHE_HOME` or `~/.cache`; null when none applies.
 */
export function moduleCacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.RELAY_CACHE_DIR !== undefined) return env.RELAY_CACHE_DIR === '' ? null : path.resolve(env.RELAY_CACHE_DIR);
  const base = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, '.cache') : '');
  return base === '' ? null : path.join(base, 'relay', 'modules');
}

/**
 * Import the TypeScript module at `file` (an absolute path), afresh on every call but for an unchanged
 * text. With `cacheDir`, its stripped JavaScript is read from and written to that folder; a cache that
 * is missing, unreadable, unwritable or not the user's own is passed over, never an error.
 */
export async function importTypeScript(file: string, cacheDir: string | null = null): Promise<Record<string, unknown>> {
  const source = await readFile(file);
  const entry = cacheDir !== null && (await isOwnFolder(cacheDir)) ? path.join(cacheDir, `${cacheKey(source)}.mjs`) : null;
  if (entry !== null) {
    // An entry's name is its source's hash and entries are renamed into place whole: one that loads is this source's.
    const cached = await import(pathToFileURL(entry).href).catch(() => null);
    if (cached !== null) return cached as Record<string, unknown>;
  }
  const esbuild = await import('esbuild').catch(() => null);
  if (esbuild) {
    const { code } = await esbuild.transform(source.toString('utf8'), { loader: 'ts', format: 'esm', target: 'node20', sourcefile: file });
    if (!HAS_IMPORTS.test(code)) {
      const js = tableAsJson(code);
      if (entry !== null) await writeEntry(entry, js);
      // A data: URL is cached by its text, so an unchanged module reloads as the same namespace: harmless, tables are never mutated.
      return (await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as Record<string, unknown>;
    }
  }
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
}

function cacheKey(source: Buffer): string {
  return createHash('sha256').update(`${CACHE_FORMAT}\0`).update(source).digest('hex').slice(0, 40);
}

/** Code is only read from a folder that does not exist yet (it is created private) or that no other user can write to. */
async function isOwnFolder(dir: string): Promise<boolean> {
  const s = await stat(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : false));
  if (s === null) return true;
  if (s === false || !s.isDirectory()) return false;
  return (process.getuid === undefined || s.uid === process.getuid()) && (s.mode & 0o022) === 0;
}

async function writeEntry(entry: string, js: string): Promise<void> {
  const dir = path.dirname(entry);
  const temp = `${entry}.${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(temp, js, { mode: 0o600 });
    await rename(temp, entry);
  } catch {
    // Not cached: the next start strips the module again.
    await unlink(temp).catch(() => {});
    return;
  }
  void prune(dir);
}

async function prune(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!/\.(mjs|tmp)$/.test(name)) continue;
    const file = path.join(dir, name);
    const s = await stat(file).catch(() => null);
    if (s !== null && now - s.mtimeMs > CACHE_MAX_AGE_MS) await unlink(file).catch(() => {});
  }
}

/** The tail esbuild prints after relay-gen's table: `var steam_default = api;` and the two exports. */
const TABLE_TAIL = /\n\};\nvar (\w+) = api;\nexport \{\n {2}api,\n {2}\1 as default\n\};\n$/;
const TABLE_HEAD = 'const api = ';

/**
 * A relay-gen module is one object literal in JSON syntax and its exports. V8 reads a large JSON text
 * with `JSON.parse` about three times as fast as the same object as code (GitHub's table: 30 against 95 ms),
 * so such a module becomes `const api = JSON.parse("...")` with the same exports. Anything else stays
 * as it is, as does a table holding a `__proto__` key (an object literal sets the prototype where
 * `JSON.parse` makes a property) or an escaped letter or `_` (which could spell one; relay-gen's
 * `JSON.stringify` never writes such escapes).
 */
export function tableAsJson(code: string): string {
  if (!code.startsWith(`${TABLE_HEAD}{`)) return code;
  const tail = TABLE_TAIL.exec(code.slice(-400));
  if (tail === null) return code;
  const literal = code.slice(TABLE_HEAD.length, code.length - tail[0].length + 2);
  if (/__proto__|\\u00[4-7]/i.test(literal)) return code;
  try {
    JSON.parse(literal);
  } catch {
    return code;
  }
  // Whitespace between tokens goes (strings are matched whole, so theirs stays): a shorter text to read twice.
  // (`$1` rather than a callback, and the string pattern unrolled: 40 ms instead of 250 for GitHub's table.)
  const compact = literal.replace(/("[^"\\]*(?:\\.[^"\\]*)*")|[ \t\n\r]+/g, '$1');
  return `${TABLE_HEAD}JSON.parse(${JSON.stringify(compact)});\nexport { api, api as default };\n`;
}
