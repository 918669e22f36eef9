// Shared by the bins: run the compiled JavaScript in dist/ (built by `npm run build`, which `npm ci`
// runs through `prepare`) when it is up to date with the TypeScript sources; otherwise (a checkout
// before the build, or a source edited since) run the sources through tsx. RELAY_TSX=1 forces the
// sources; RELAY_BUNDLE=0 skips the bundle. relay-run's compiled form is one bundle (dist/bundle/, scripts/build.ts); relay-gen's is
// tsc's output (dist/generator/, dist/runtime/).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function newer(file, than) {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat === undefined || stat.mtimeMs > than;
}

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

/**
 * The bundle of `<name>` in dist/bundle/ when it is newer than each of relay's sources in it (listed
 * by the build in `<name>.sources.json`; a missing one counts as newer) and than the installed
 * dependencies it holds (npm rewrites node_modules/.package-lock.json on every install); else null.
 */
function currentBundle(name) {
  const bundle = path.join(ROOT, 'dist', 'bundle', `${name}.js`);
  let sources;
  try {
    sources = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'bundle', `${name}.sources.json`), 'utf8'));
  } catch {
    return null;
  }
  const built = statSync(bundle, { throwIfNoEntry: false });
  if (!built || sources.some((source) => newer(path.join(ROOT, source), built.mtimeMs))) return null;
  // Absent when relay is installed as a package (its dependencies then sit in the parent's node_modules).
  const installed = statSync(path.join(ROOT, 'node_modules', '.package-lock.json'), { throwIfNoEntry: false });
  return installed && installed.mtimeMs > built.mtimeMs ? null : bundle;
}

/** Import `<folder>/cli` (bundled, compiled or through tsx); `sources` are the folders its code comes from. */
export async function importCli(folder, sources) {
  // A reader that stops early (`relay-run --list | head`) closes the pipe: stop quietly, as Unix tools do.
  process.stdout.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  if (process.env.RELAY_TSX !== '1') {
    // RELAY_BUNDLE=0 runs tsc's one-file-per-module output instead (profiles then name relay's files).
    const bundle = folder === 'runtime' && process.env.RELAY_BUNDLE !== '0' ? currentBundle('relay-run') : null;
    if (bundle) return import(bundle);
    if (compiledIsCurrent(sources)) return import(path.join(ROOT, 'dist', folder, 'cli.js'));
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(path.join(ROOT, folder, 'cli.ts'));
}
