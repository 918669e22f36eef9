// Shared by the bins: run the compiled JavaScript in dist/ (built by `npm run build`, which `npm ci`
// runs through `prepare`) when every TypeScript source has an up-to-date copy there; otherwise (a
// checkout before the build, or a source edited since) run the sources through tsx. RELAY_TSX=1
// forces the sources.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function compiledIsCurrent(folders) {
  for (const folder of folders) {
    for (const name of readdirSync(path.join(ROOT, folder), { recursive: true })) {
      if (!name.endsWith('.ts') || name.endsWith('.d.ts')) continue;
      const source = statSync(path.join(ROOT, folder, name), { throwIfNoEntry: false });
      const built = statSync(path.join(ROOT, 'dist', folder, name.replace(/\.ts$/, '.js')), { throwIfNoEntry: false });
      if (!source || !built || built.mtimeMs < source.mtimeMs) return false;
    }
  }
  return true;
}

/** Import `<folder>/cli` (compiled or through tsx); `sources` are the folders its code comes from. */
export async function importCli(folder, sources) {
  if (process.env.RELAY_TSX !== '1' && compiledIsCurrent(sources)) {
    return import(path.join(ROOT, 'dist', folder, 'cli.js'));
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(path.join(ROOT, folder, 'cli.ts'));
}
