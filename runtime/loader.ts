/**
 * Loading generated modules (the request tables) from disk.
 * A module must export `api` (or a default export) holding an ApiTable of the current format.
 */
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from './package-root.js';
import { TABLE_FORMAT, type ApiTable } from './table.js';
import { importTypeScript } from './ts-module.js';

/** relay's own `generated/` folder, used when the working directory has none. */
const BUNDLED = path.join(PACKAGE_ROOT, 'generated');

/** Every module in `generated/` of the working directory, else of the relay package. */
export async function defaultModules(cwd: string): Promise<string[]> {
  const local = path.join(cwd, 'generated');
  const dir = existsSync(local) ? local : BUNDLED;
  const files = await readdir(dir).catch(() => [] as string[]);
  return files
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Import one generated module and check its shape. Throws an Error naming the file.
 * `fresh` (a reload) bypasses the module cache so that a changed file is read again; `cacheDir` keeps
 * the JavaScript of TypeScript modules (see ts-module.ts).
 */
export async function loadModule(file: string, fresh = false, cacheDir: string | null = null): Promise<ApiTable> {
  let mod: Record<string, unknown>;
  try {
    const url = pathToFileURL(path.resolve(file)).href;
    const plain = fresh ? `${url}?reload=${Date.now()}` : url;
    // TypeScript is compiled as ESM wherever the file lives; a plain import would treat a .ts file
    // outside a "type": "module" package as CommonJS and fail.
    mod = /\.[cm]?ts$/.test(file) ? await importTypeScript(path.resolve(file), cacheDir) : ((await import(plain)) as Record<string, unknown>);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ERR_MODULE_NOT_FOUND' || code === 'ENOENT' ? 'file not found' : (err as Error).message.split('\n')[0];
    throw new Error(`cannot load module ${file}: ${why}`, { cause: err });
  }
  const table = (mod.api ?? mod.default) as Partial<ApiTable> | undefined;
  if (!table || typeof table !== 'object' || typeof table.operations !== 'object' || typeof table.name !== 'string') {
    throw new Error(`${file} is not a relay module (it exports no request table); generate one with relay-gen`);
  }
  if (table.format !== TABLE_FORMAT) {
    throw new Error(`${file} has table format ${String(table.format)}, this relay reads format ${TABLE_FORMAT}; regenerate it with this relay-gen`);
  }
  return table as ApiTable;
}

/** Load several modules; API names must be unique. */
export async function loadModules(files: string[], fresh = false, cacheDir: string | null = null): Promise<ApiTable[]> {
  const tables: ApiTable[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const table = await loadModule(file, fresh, cacheDir);
    const other = seen.get(table.name);
    if (other) throw new Error(`API ${table.name} is defined by both ${other} and ${file}`);
    seen.set(table.name, file);
    tables.push(table);
  }
  return tables;
}
