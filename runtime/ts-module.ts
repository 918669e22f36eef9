/**
 * Importing a generated module written in TypeScript without running relay through tsx: esbuild
 * strips the types (about 0.25 s for GitHub's 6 MB module, against seconds in tsx's loader thread)
 * and the JavaScript is imported from a `data:` URL. A module with imports of its own cannot load
 * from a `data:` URL, so it goes through tsx, as does everything when esbuild is not installed.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

/**
 * An import or re-export statement (esbuild prints each at the start of a line) or a dynamic import in
 * the stripped code: relative specifiers need a file URL. A false match only costs the slower path.
 */
const HAS_IMPORTS = /^(import\b|export\s*(\*|\{[^}]*\}\s*from))|\bimport\s*\(/m;

/** Import the TypeScript module at `file` (an absolute path), afresh on every call but for an unchanged text. */
export async function importTypeScript(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  const esbuild = await import('esbuild').catch(() => null);
  if (esbuild) {
    const { code } = await esbuild.transform(await readFile(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20', sourcefile: file });
    if (!HAS_IMPORTS.test(code)) {
      // A data: URL is cached by its text, so an unchanged module reloads as the same namespace: harmless, tables are never mutated.
      return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<string, unknown>;
    }
  }
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}
