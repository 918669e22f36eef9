/**
 * The peer: an MCP server generated from specs/steam.yaml by openapi-mcp-generator, the closest
 * existing tool. It is generated at bench time into a folder inside the project (so that its imports,
 * all dev dependencies of relay, resolve from relay's node_modules; ESM ignores NODE_PATH), and its one
 * TypeScript file is transpiled to JavaScript with the TypeScript compiler, as its own `npm run build` would.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { ROOT } from './paths.js';

const run = promisify(execFile);

export interface Peer {
  /** The server's entry point, `node <entry>` serves MCP on stdio. */
  entry: string;
  /** Remove the generated folder. */
  remove(): Promise<void>;
}

/** Generate and build the peer; its base URL is read at start from API_BASE_URL (see `peerEnv`). */
export async function buildPeer(): Promise<Peer> {
  const dir = await mkdtemp(path.join(ROOT, 'bench', '.peer-'));
  const out = path.join(dir, 'steam');
  const bin = path.join(ROOT, 'node_modules', 'openapi-mcp-generator', 'bin', 'openapi-mcp-generator.js');
  // -b is only the default baked into the server; API_BASE_URL overrides it at start.
  await run(process.execPath, [bin, '-i', path.join(ROOT, 'specs', 'steam.yaml'), '-o', out, '-b', 'http://127.0.0.1:9', '--force'], { cwd: ROOT });
  const source = await readFile(path.join(out, 'src', 'index.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const entry = path.join(out, 'index.js');
  await writeFile(entry, outputText);
  // Only the JavaScript is run; the TypeScript source would otherwise fall under relay's own `tsc`.
  await rm(path.join(out, 'src'), { recursive: true, force: true });
  return { entry, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The environment that points the generated server at `baseUrl`. */
export function peerEnv(baseUrl: string): Record<string, string> {
  return { API_BASE_URL: baseUrl };
}
