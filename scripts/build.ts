/**
 * The second half of `npm run build` (after tsc writes dist/): bundles relay-run, runtime/cli.ts with
 * undici, pino and commander, into dist/bundle/ with esbuild, so that relay-run starts by reading a few
 * files instead of about 200. What it imports lazily (yaml, prom-client, the metrics listener) goes
 * into chunks of its own, loaded only when used; esbuild and tsx stay outside (they are loaded only for
 * generated modules). dist/bundle/relay-run.sources.json lists relay's own files in the bundle, which
 * runtime/entry.js checks against the bundle's time before running it.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const OUT = path.join(ROOT, 'dist', 'bundle');

/**
 * relay imports only `Agent` and two header helpers from undici (and `Dispatcher`'s types): every
 * exchange goes through `dispatcher.dispatch` with relay's own handler (runtime/dispatch.ts), the
 * OAuth2 token fetch included. undici's index loads all of undici: fetch, WebSocket, the cache stores,
 * the mocks (110 files, and Node's own bundled undici through a `globalThis.Headers` check), and the
 * request methods it attaches to every dispatcher (`request`, `stream`, ...: about 7 ms of start-up
 * with their streams). This stands in for the index inside the bundle. It is an ES module with named
 * exports, so a runtime file importing anything else from undici fails the build (add it here), as
 * does a moved undici file; a call of `dispatcher.request()` fails (tests run undici whole and would
 * not see it, so keep runtime/ on `send`).
 */
const UNDICI_AGENT = `
import Agent from 'undici/lib/dispatcher/agent.js';
import core from 'undici/lib/core/util.js';
const util = { parseHeaders: core.parseHeaders, headerNameToString: core.headerNameToString };
export { Agent, util };
`;

const undiciAgentOnly: esbuild.Plugin = {
  name: 'undici-agent-only',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici-agent', namespace: 'relay' }));
    build.onLoad({ filter: /^undici-agent$/, namespace: 'relay' }, () => ({ contents: UNDICI_AGENT, loader: 'js', resolveDir: ROOT }));
  },
};

/**
 * `node:http2`, which undici's HTTP/2 client loads at start, is left out of the bundle: relay never
 * enables HTTP/2, undici requires it inside a try/catch and goes on without it, and it pulls in
 * node:tls and a dozen internal modules (with the lazy node:tls of upstream/tls.ts, about 8 ms of
 * start-up; docs/performance.md). A stub that throws stands in for it.
 */
const noHttp2: esbuild.Plugin = {
  name: 'no-http2',
  setup(build) {
    build.onResolve({ filter: /^node:http2$/ }, (args) => (/node_modules\/undici\//.test(args.importer) ? { path: 'node:http2', namespace: 'relay-unused' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'relay-unused' }, () => ({ contents: "throw new Error('node:http2 is left out of relay-run (scripts/build.ts)');", loader: 'js' }));
  },
};

await rm(OUT, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { 'relay-run': 'runtime/cli.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // yaml is imported dynamically (only with --config), and esbuild's chunk for a CommonJS package would
  // export only `default`; Node's own loader gives its named exports.
  external: ['esbuild', 'tsx', 'tsx/*', 'yaml'],
  plugins: [undiciAgentOnly, noHttp2],
  // CommonJS dependencies require Node's built-ins; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __relayCreateRequire } from 'node:module';\nconst require = __relayCreateRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});

const sources = new Set<string>();
for (const output of Object.values(result.metafile.outputs)) {
  for (const input of Object.keys(output.inputs)) {
    if (!input.includes('node_modules/') && !input.includes(':')) sources.add(input);
  }
}
await mkdir(OUT, { recursive: true });
await writeFile(path.join(OUT, 'relay-run.sources.json'), `${JSON.stringify([...sources].sort(), null, 1)}\n`);
